package dev.loomport.spi;

import java.util.Map;
import java.util.Optional;

/**
 * What a {@link HandlerPlugin} is told when it creates the handler for one listener. New methods may be
 * added to this interface; loomport implements it, plug-ins do not.
 */
public interface HandlerContext {

    /** The name of the listener the handler will serve. */
    String listenerName();

    /**
     * The listener's options for the handler, in the order given: only keys the plug-in declared, and
     * every required one. Never {@code null}, often empty, unmodifiable.
     */
    Map<String, String> options();

    /** The value of one option, if the listener gave it. */
    default Optional<String> option(String key) {
        return Optional.ofNullable(options().get(key));
    }
}
