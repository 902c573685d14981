package dev.loomport.spi;

import java.util.function.Supplier;

/**
 * A task forked in a {@link TaskScope}: its result once the scope has been joined.
 */
public interface Subtask<T> extends Supplier<T> {

    /** Where a subtask stands. */
    enum State {
        /** Still running, cancelled before it finished, or the scope has not been joined yet. */
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
     * @throws IllegalStateException if the state is not {@link State#SUCCESS}
     */
    @Override
    T get();

    /**
     * What the subtask threw.
     *
     * @throws IllegalStateException if the state is not {@link State#FAILED}
     */
    Throwable exception();
}
