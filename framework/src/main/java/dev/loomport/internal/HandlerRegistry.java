package dev.loomport.internal;

import dev.loomport.spi.ConnectionHandler;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The handlers a server can serve, by name: those given in the configuration, then those found by
 * {@link ServiceLoader} on the module path ({@code provides}) and the class path
 * ({@code META-INF/services}).
 */
final class HandlerRegistry {
    private final Map<String, ConnectionHandler> byName;

    private HandlerRegistry(Map<String, ConnectionHandler> byName) {
        this.byName = byName;
    }

    static HandlerRegistry load(List<ConnectionHandler> given) {
        Map<String, ConnectionHandler> byName = new TreeMap<>();
        given.forEach(h -> add(byName, h));
        try {
            for (ConnectionHandler h : ServiceLoader.load(ConnectionHandler.class)) {
                add(byName, h);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot load a ConnectionHandler plug-in: " + e.getMessage(), e);
        }
        return new HandlerRegistry(byName);
    }

    private static void add(Map<String, ConnectionHandler> byName, ConnectionHandler handler) {
        String name = handler.name();
        if (!Names.valid(name)) {
            throw new IllegalStateException("handler " + handler.getClass().getName()
                    + " has an invalid name (" + Names.RULE + "): '" + name + "'");
        }
        ConnectionHandler earlier = byName.putIfAbsent(name, handler);
        // The same class given in the configuration and found as a plug-in is one handler, not two.
        if (earlier != null && earlier.getClass() != handler.getClass()) {
            throw new IllegalStateException("two handlers are named '" + name + "': "
                    + earlier.getClass().getName() + " and " + handler.getClass().getName());
        }
    }

    ConnectionHandler get(String name) {
        ConnectionHandler handler = byName.get(name);
        if (handler != null) {
            return handler;
        }
        if (byName.isEmpty()) {
            throw new IllegalArgumentException("no handler named '" + name + "': no ConnectionHandler plug-in was"
                    + " found on the module path or the class path");
        }
        throw new IllegalArgumentException("no handler named '" + name + "'; available: "
                + String.join(", ", byName.keySet()));
    }
}
