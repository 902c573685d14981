package dev.loomport.spi;

import java.util.function.Supplier;

/**
 * A task forked in a {@link TaskScope}: its result once the scope has been joined.
 *
 * <p>As with {@code StructuredTaskScope} (JDK 26 and later), {@link #get()} and {@link #exception()} may
 * be read, from any thread, once the scope's owner has {@linkplain TaskScope#join() joined};
 * {@link #state()} may be read at any time.
 */
public interface Subtask<T> extends Supplier<T> {

    /** Where a subtask stands. */
    enum State {
        /**
         * Not finished, or finished after the scope was cancelled (its joiner had its answer, the
         * timeout expired, the join was interrupted, the scope was closed): its outcome was not kept.
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
     * @throws IllegalStateException if the state is not {@link State#SUCCESS}, or the owner has not
     *         joined
     */
    @Override
    T get();

    /**
     * What the subtask threw.
     *
     * @throws IllegalStateException if the state is not {@link State#FAILED}, or the owner has not
     *         joined
     */
    Throwable exception();
}
