package dev.loomport.demo.echo;

import java.io.PrintStream;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Installs the launcher's signal handlers one at a time, so that a signal this platform lacks (Windows has
 * no SIGHUP) or this JVM keeps for itself ({@code -Xrs}) costs only what that signal was for, said in one
 * line on {@code err}, and never the launcher's main thread.
 */
final class Signals {
    private final PrintStream err;

    Signals(PrintStream err) {
        this.err = err;
    }

    /**
     * Handles {@code SIG<name>} with {@code handler}.
     *
     * @param what what the signal does, for the messages: {@code "a graceful stop on SIGTERM"}
     * @param warnIfIgnored whether to say so when the signal was inherited as ignored (see below)
     * @return whether {@code handler} now runs on that signal
     */
    boolean handle(String name, SignalHandler handler, String what, boolean warnIfIgnored) {
        SignalHandler previous;
        try {
            previous = Signal.handle(new Signal(name), handler);
        } catch (IllegalArgumentException e) { // "Unknown signal", or "Signal already used by VM or OS"
            err.println("loomport: SIG" + name + " is unavailable here (" + e.getMessage() + "): " + what
                    + " is off");
            return false;
        }
        // The JVM leaves a signal that this process inherited as ignored (from nohup, say) ignored, whatever
        // handler is asked for: say so, or the signal would do nothing without a word.
        if (previous == SignalHandler.SIG_IGN) {
            if (warnIfIgnored) {
                err.println("loomport: SIG" + name + " is ignored in this process (inherited from what started it,"
                        + " such as nohup): " + what + " is off");
            }
            return false;
        }
        return true;
    }
}
