package dev.loomport.spi;

import java.util.function.Supplier;

/**
 * A task forked in a {@link TaskScope}: its result once the scope has been joined.
 *
 * <p>As with {@code StructuredTaskScope}, the scope's owner reads {@link #get()} and {@link #exception()}
 * only after a {@link TaskScope#join()} that came after its last fork; {@link #state()} may be read at
 * any time.
 */
public interface Subtask<T> extends Supplier<T> {

    /** Where a subtask stands. */
    enum State {
        /**
         * Not finished, or finished after the scope shut down (a sibling failed, the join was
         * interrupted, the scope was closed): its outcome was not kept.
         */
        UNAVAILABLE,
        /** Finished with a result. */
        SUCCESS,
        /** Finished by throwing. */
        FAILED
    }

    /** This subtask's state. */
    State state();

    /**
     * The result.
     *
     * @throws IllegalStateException if the state is not {@link State#SUCCESS}, or the owner calls it
     *         before joining
     */
    @Override
    T get();

    /**
     * What the subtask threw.
     *
     * @throws IllegalStateException if the state is not {@link State#FAILED}, or the owner calls it
     *         before joining
     */
    Throwable exception();
}
