package dev.loomport.internal;

import dev.loomport.spi.HandlerPlugin;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The plug-ins a server can serve, by name: those given in the configuration, then those
 * {@link ServiceLoader} finds on the module path ({@code provides}) and the class path
 * ({@code META-INF/services}). A plug-in that cannot be loaded does not stop the others: it is kept with
 * its cause, and named when a listener asks for a handler no loaded plug-in has.
 */
final class HandlerRegistry {
    private static final System.Logger LOG = System.getLogger(HandlerRegistry.class.getName());
    /** More providers than any real path holds: a bound on a loader that keeps failing. */
    private static final int MAX_PROVIDERS = 10_000;

    private final Map<String, HandlerPlugin> byName;
    private final List<String> failed;

    private HandlerRegistry(Map<String, HandlerPlugin> byName, List<String> failed) {
        this.byName = byName;
        this.failed = failed;
    }

    static HandlerRegistry load(List<HandlerPlugin> given) {
        Map<String, HandlerPlugin> byName = new TreeMap<>();
        given.forEach(p -> add(byName, p));
        List<String> failed = new ArrayList<>();
        // The iterator, not the stream: after a provider fails, the iterator goes on to the next one.
        Iterator<HandlerPlugin> found = ServiceLoader.load(HandlerPlugin.class).iterator();
        for (int i = 0; i < MAX_PROVIDERS; i++) {
            HandlerPlugin plugin;
            try {
                if (!found.hasNext()) {
                    break;
                }
                plugin = found.next();
            } catch (ServiceConfigurationError e) {
                String why = describe(e);
                LOG.log(System.Logger.Level.WARNING, "a handler plug-in could not be loaded: " + why, e);
                failed.add(why);
                continue;
            }
            add(byName, plugin);
        }
        return new HandlerRegistry(byName, List.copyOf(failed));
    }

    private static void add(Map<String, HandlerPlugin> byName, HandlerPlugin plugin) {
        String name = plugin.name();
        if (!Names.valid(name)) {
            throw new IllegalStateException("plug-in " + plugin.getClass().getName() + " has an invalid name ("
                    + Names.RULE + "): '" + name + "'");
        }
        HandlerPlugin earlier = byName.putIfAbsent(name, plugin);
        // The same class given in the configuration and found by ServiceLoader is one plug-in, not two.
        if (earlier != null && earlier.getClass() != plugin.getClass()) {
            throw new IllegalStateException("two plug-ins are named '" + name + "': "
                    + earlier.getClass().getName() + " and " + plugin.getClass().getName());
        }
    }

    /** A ServiceLoader error as one line: its message and, where there is one, its cause's. */
    private static String describe(Throwable e) {
        String what = e.getMessage();
        Throwable cause = e.getCause();
        return cause == null ? what : what + " (" + Plugins.describe(cause) + ")";
    }

    HandlerPlugin get(String name) {
        HandlerPlugin plugin = byName.get(name);
        if (plugin != null) {
            return plugin;
        }
        String failures = failed.isEmpty() ? "" : "; plug-ins that failed to load: " + String.join("; ", failed);
        if (byName.isEmpty()) {
            throw new IllegalArgumentException("no handler named '" + name + "': no HandlerPlugin was found on the"
                    + " module path or the class path" + failures);
        }
        throw new IllegalArgumentException("no handler named '" + name + "'; available: "
                + String.join(", ", byName.keySet()) + failures);
    }
}
