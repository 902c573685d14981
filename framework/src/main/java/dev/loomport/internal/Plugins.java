package dev.loomport.internal;

import dev.loomport.ListenerConfig;
import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.HandlerContext;
import dev.loomport.spi.HandlerOption;
import dev.loomport.spi.HandlerPlugin;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a listener's plug-in into its handler, and closes handlers again: the one place where the
 * plug-in's own code runs at start and stop, so the one place that names the plug-in, the listener and
 * the cause when that code fails.
 */
final class Plugins {
    private static final System.Logger LOG = System.getLogger(Plugins.class.getName());

    private Plugins() {
    }

    /**
     * The handler for listener {@code listenerName}: its options checked against what the plug-in
     * declares, then the plug-in's {@code create}.
     *
     * @throws IllegalArgumentException for an unknown or missing option, or when {@code create} refuses
     *         an option (IllegalArgumentException)
     * @throws IllegalStateException when {@code create} fails any other way or returns null
     */
    static ConnectionHandler create(HandlerPlugin plugin, String listenerName, ListenerConfig config) {
        String who = "listener '" + listenerName + "': plug-in " + plugin.getClass().getName()
                + " (handler '" + plugin.name() + "')";
        Map<String, String> options = checked(plugin, who, config.handlerOptions());
        HandlerContext context = new Context(listenerName, options);
        ConnectionHandler handler;
        try {
            handler = plugin.create(context);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(who + ": " + describe(e), e);
        } catch (Exception | LinkageError e) {
            throw new IllegalStateException(who + " failed to create its handler: " + e, e);
        }
        if (handler == null) {
            throw new IllegalStateException(who + " returned no handler from create()");
        }
        return handler;
    }

    private static Map<String, String> checked(HandlerPlugin plugin, String who, Map<String, String> given) {
        List<HandlerOption> declared = plugin.options();
        Set<String> keys = declared.stream().map(HandlerOption::key).collect(Collectors.toSet());
        for (String key : given.keySet()) {
            if (!keys.contains(key)) {
                throw new IllegalArgumentException(who + ": unknown option '" + key + "'; " + (declared.isEmpty()
                        ? "it takes no options"
                        : "it takes: " + declared.stream().map(HandlerOption::key).collect(Collectors.joining(", "))));
            }
        }
        for (HandlerOption option : declared) {
            if (option.required() && !given.containsKey(option.key())) {
                throw new IllegalArgumentException(who + ": missing option " + option.key() + "=" + option.value()
                        + " (" + option.description() + ")");
            }
        }
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(given));
    }

    /** Closes every handler, each once; what one throws is logged and does not stop the others. */
    static void close(List<ConnectionHandler> handlers, List<String> listenerNames) {
        for (int i = 0; i < handlers.size(); i++) {
            ConnectionHandler handler = handlers.get(i);
            String listener = listenerNames.get(i);
            try {
                handler.close();
            } catch (Exception | LinkageError e) {
                LOG.log(Level.WARNING, "listener '" + listener + "': closing handler " + handler.getClass().getName()
                        + " failed: " + describe(e), e);
            }
        }
    }

    /** An exception as its message, or its type where it has none (an NPE from a plug-in's bug). */
    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.toString() : message;
    }

    private record Context(String listenerName, Map<String, String> options) implements HandlerContext {
    }
}
