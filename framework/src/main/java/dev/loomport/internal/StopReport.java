package dev.loomport.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Says, at WARNING, which connections a stop is still waiting for and what each one's thread is blocked
 * in: at the end of the grace period, and every {@link #PERIOD_NANOS} while closed connections' threads
 * still have not ended (a handler that ignores interrupts and blocks on something other than its socket).
 * Bounded: a few connections per line, a few lines per stop.
 */
final class StopReport {
    private static final System.Logger LOG = System.getLogger(StopReport.class.getName());
    /** How often a stop that still waits says so. */
    static final long PERIOD_NANOS = 5_000_000_000L;
    private static final int MAX_REPORTS = 12;     // a minute of reports, then one last line
    private static final int MAX_CONNECTIONS = 10; // per report; the rest are counted
    private static final int MAX_FRAMES = 8;

    private final List<Listener> listeners;
    private int reports;

    StopReport(List<Listener> listeners) {
        this.listeners = listeners;
    }

    /** Logs the connections still open, {@code when} saying at which point of the stop. */
    void stillWaiting(String when) {
        List<SocketConnection> open = new ArrayList<>();
        listeners.forEach(l -> open.addAll(l.openConnections()));
        if (open.isEmpty() || reports > MAX_REPORTS) {
            return;
        }
        if (++reports > MAX_REPORTS) {
            LOG.log(Level.WARNING, "stop still waiting for " + open.size() + " connection(s); no further reports");
            return;
        }
        String each = open.stream().limit(MAX_CONNECTIONS).map(StopReport::describe).collect(Collectors.joining("\n"));
        String more = open.size() > MAX_CONNECTIONS ? "\n... and " + (open.size() - MAX_CONNECTIONS) + " more" : "";
        LOG.log(Level.WARNING, "stop still waiting for " + open.size() + " connection(s) " + when + ":\n" + each + more);
    }

    private static String describe(SocketConnection c) {
        Thread thread = c.servingThread();
        String where = thread == null ? "not started" : Arrays.stream(thread.getStackTrace())
                .filter(f -> !isRuntime(f.getClassName()))
                .limit(MAX_FRAMES)
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName()
                        + (f.getLineNumber() > 0 ? ":" + f.getLineNumber() : ""))
                .collect(Collectors.joining(" <- "));
        return "  " + c.prefix() + "handler '" + c.listener().handlerName() + "' on listener " + c.listener().name()
                + ", thread " + (thread == null ? "-" : "'" + thread.getName() + "'") + " in " + where;
    }

    /** Frames of the virtual-thread machinery: every parked thread has them, they say nothing. */
    private static boolean isRuntime(String className) {
        return className.startsWith("jdk.internal.") || className.startsWith("java.lang.VirtualThread")
                || className.startsWith("java.lang.System$");
    }
}
