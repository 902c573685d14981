package dev.loomport.demo.echo;

import dev.loomport.demo.cli.Option;
import dev.loomport.demo.cli.OptionTable;
import dev.loomport.spi.ConnectionHandler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * What {@code --help} says about handlers: every one {@link ServiceLoader} finds, as the server would
 * find it, each with a line of its own and its options. The SPI does not (yet) let a handler describe
 * itself, so the demo's own descriptions live here, in a table that can move into the handlers when it
 * does; a plug-in is named by its class and module.
 */
final class HandlerHelp {
    /** One handler's line and options: documented rows, read by the handler's own {@code configure}. */
    record Description(String summary, OptionTable<Void> options) {
    }

    static final Map<String, Description> DEMO = Map.of(
            "echo", new Description("writes back every byte it reads", new OptionTable<>("=")),
            "whoami", new Description("answers one line saying whom the server believes the client is (its"
                    + " address, and the PROXY header's), then closes: for checking a load balancer's PROXY"
                    + " protocol set-up", new OptionTable<>("=")),
            "relay", new Description("forwards each connection to an upstream, byte for byte, both ways",
                    new OptionTable<>("=",
                            Option.documented("upstream", "HOST:PORT", null, "where to, required (an IPv6 host"
                                    + " in brackets)"),
                            Option.documented("connect-timeout", "DURATION", "10s", "how long connecting to the"
                                    + " upstream may take; 0 = the operating system's limit"))));

    /** Handlers found, and why any plug-in could not be loaded. */
    record Found(List<ConnectionHandler> handlers, List<String> failures) {
    }

    /** The most plug-ins (and failures) {@link #find()} lists: the loader's recovery is best effort. */
    private static final int MAX = 1000;

    private HandlerHelp() {
    }

    /** What the server itself would find, without stopping at a plug-in that fails to load. */
    static Found find() {
        List<ConnectionHandler> handlers = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Iterator<ConnectionHandler> it = ServiceLoader.load(ConnectionHandler.class).iterator();
        for (int i = 0; i < MAX; i++) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                handlers.add(it.next());
            } catch (ServiceConfigurationError e) {
                failures.add(e.getMessage());
            }
        }
        return new Found(handlers, failures);
    }

    /** The help's handler section: by name, as the server's "available:" list is. */
    static String text(Found found) {
        StringBuilder text = new StringBuilder("Handlers found (--listen HANDLER@...):\n");
        found.handlers().stream().sorted(Comparator.comparing(HandlerHelp::name)).forEach(h -> {
            Description d = DEMO.get(name(h));
            if (d != null && h.getClass().getModule() == HandlerHelp.class.getModule()) {
                text.append(OptionTable.row("  ", name(h), d.summary())).append(d.options().help("    "));
            } else {
                Module module = h.getClass().getModule();
                text.append(OptionTable.row("  ", name(h), "a plug-in: " + h.getClass().getName()
                        + (module.isNamed() ? " in module " + module.getName() : " on the class path")
                        + "; its options are its own"));
            }
        });
        if (found.handlers().isEmpty()) {
            text.append("  none: no ConnectionHandler plug-in is on the module path or the class path\n");
        }
        found.failures().forEach(f -> text.append("  a plug-in could not be loaded: ").append(f).append('\n'));
        return text.toString();
    }

    /** A plug-in's name as it says, or what it threw instead: help is no place to stop at a fault. */
    private static String name(ConnectionHandler h) {
        try {
            return String.valueOf(h.name());
        } catch (RuntimeException e) {
            return "(" + h.getClass().getName() + ": name() threw " + e + ")";
        }
    }
}
