package dev.loomport.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The {@link VarHandle} of a field, for compare-and-set on the field itself: per-connection state uses
 * these instead of an Atomic* object each, which would add its own header to every held connection.
 */
final class Fields {
    private Fields() {
    }

    /** The field {@code name} of the class {@code lookup} was made in; a typo fails that class's initialisation. */
    static VarHandle of(MethodHandles.Lookup lookup, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(lookup.lookupClass(), name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
