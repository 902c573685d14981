package dev.loomport.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * Subtasks of one connection, each on a virtual thread of its own, that end together; a {@link Joiner}
 * decides when the scope is done and what a failure is.
 *
 * <p>The rules are those of the JDK's {@code StructuredTaskScope} as it stands in JDK 27 (a preview):
 * code written against this type should port by changing its imports and {@code openScope} into
 * {@code StructuredTaskScope.open}.
 * docs/structured-concurrency.md maps each method, release by release.
 * <ul>
 *   <li>Only the thread that opened the scope (the handler's, or a subtask's) may {@link #fork fork},
 *       {@link #join join} or {@link #close close} it; another thread gets
 *       {@link WrongThreadException}.</li>
 *   <li>Fork, then join once, then close. {@code fork} after {@code join}, and a second {@code join},
 *       throw {@link IllegalStateException}. (A join that threw {@link InterruptedException} did not
 *       count: it may be called again.)</li>
 *   <li>When the joiner has its answer (a failure, for {@link Joiner#awaitAllSuccessfulOrThrow()}; a
 *       success, for {@link Joiner#anySuccessfulOrThrow()}; any outcome, for
 *       {@link Joiner#firstToFinishOrThrow()}), or the {@linkplain Configuration#withTimeout timeout}
 *       expires, the scope is <em>cancelled</em>: the subtasks still running are interrupted, and a
 *       subtask forked afterwards never runs. A subtask that ends after the cancellation keeps no
 *       outcome ({@link Subtask.State#UNAVAILABLE}).</li>
 *   <li>{@link #close} cancels what is still running and waits for it, so no subtask outlives the
 *       scope. A scope the handler leaves open is closed when the handler returns; a scope a subtask
 *       leaves open is closed when that subtask ends.</li>
 * </ul>
 *
 * <h2>Cancelling a subtask that reads the connection</h2>
 * Interrupting a virtual thread blocked in socket I/O closes that socket (the JDK does it; there is no
 * way to interrupt a socket read and keep the socket). So when a scope cancels a subtask blocked
 * reading {@link Connection#input()}, the <em>whole connection</em> closes, both directions: bytes the
 * other subtasks already wrote are still delivered (a close sends them before its FIN), but nothing
 * more can be written, and unread input the client had sent may turn the close into a reset on its
 * side. Hence the shape for "the writer ends the reader": the writer writes its last bytes, then
 * returns; {@link Joiner#firstToFinishOrThrow()} cancels the reader, which closes the socket, and the
 * handler returns (outcome {@code server-closed}). If the conversation must go on after the reader
 * stops, do not cancel it: tell it to stop through the protocol (or {@link Connection#shutdownOutput()},
 * if the client answers a half-close with its own).
 *
 * {@snippet :
 * try (TaskScope scope = connection.openScope(TaskScope.Joiner.firstToFinishOrThrow())) {
 *     scope.fork(() -> readCommands(connection));       // ends at the client's EOF ...
 *     scope.fork(() -> writeMessages(connection));      // ... or this one ends at "bye"
 *     scope.join();  // throws ExecutionException if the first to finish failed; its cause is the subtask's own
 * }
 * }
 */
public interface TaskScope extends AutoCloseable {

    /**
     * Starts a subtask on a new virtual thread. After the scope was cancelled the returned subtask never
     * runs and stays {@link Subtask.State#UNAVAILABLE}, as with {@code StructuredTaskScope}.
     *
     * @throws IllegalStateException if the owner has already joined, or the scope is closed
     * @throws WrongThreadException if called from a thread other than the scope's owner
     */
    <T> Subtask<T> fork(Callable<? extends T> task);

    /**
     * Starts a subtask that returns nothing: its {@link Subtask#get()} is {@code null} once it succeeded.
     * Otherwise as {@link #fork(Callable)}.
     */
    <T> Subtask<T> fork(Runnable task);

    /**
     * Waits until the joiner has its answer, every subtask has ended, or the timeout expires; then
     * throws if the joiner says the scope failed. Cancelled subtasks may still be ending when this
     * returns: {@link #close} waits for them. Called once.
     *
     * @throws ExecutionException if the scope failed: its cause is the failing subtask's own exception,
     *         or a {@link CancelledByTimeoutException} if the timeout expired first
     * @throws InterruptedException if the waiting thread is interrupted; the scope is then cancelled
     * @throws IllegalStateException if already joined, or the scope is closed
     * @throws WrongThreadException if called from a thread other than the scope's owner
     */
    void join() throws InterruptedException, ExecutionException;

    /** Whether the scope was cancelled: the joiner had its answer, the timeout expired, or it was closed. */
    boolean isCancelled();

    /**
     * Cancels the subtasks still running (interrupts them) and waits until every one has ended.
     * Idempotent.
     *
     * @throws WrongThreadException if called from a thread other than the scope's owner
     */
    @Override
    void close();

    /**
     * When a scope is done and what its join throws. Built in: the four policies of {@link Policy},
     * made by the factory methods named as the JDK's joiners. (Sealed: a joiner of a plug-in's own may
     * come with a later version, as it does in the JDK.)
     */
    sealed interface Joiner permits Policy {

        /**
         * All must succeed: the first failure cancels the rest and {@code join} throws it. This is
         * {@link Connection#openScope()}'s policy.
         */
        static Joiner awaitAllSuccessfulOrThrow() {
            return Policy.ALL_SUCCESSFUL;
        }

        /**
         * The first success cancels the rest and {@code join} returns (read the result from its
         * {@link Subtask}); only if every subtask fails does {@code join} throw, with the first failure.
         * The JDK names it {@code anySuccessfulResultOrThrow} in 25, {@code anySuccessfulOrThrow} from 26.
         */
        static Joiner anySuccessfulOrThrow() {
            return Policy.ANY_SUCCESSFUL;
        }

        /**
         * The first subtask to finish, succeeding or failing, cancels the rest; {@code join} throws if
         * that one failed. For a reader and a writer of which either may end the conversation.
         */
        static Joiner firstToFinishOrThrow() {
            return Policy.FIRST_TO_FINISH;
        }

        /** Waits for every subtask; nothing is cancelled and {@code join} never throws a failure. */
        static Joiner awaitAll() {
            return Policy.ALL;
        }
    }

    /** The built-in joiners. */
    enum Policy implements Joiner {
        /** {@link Joiner#awaitAllSuccessfulOrThrow()}. */
        ALL_SUCCESSFUL,
        /** {@link Joiner#anySuccessfulOrThrow()}. */
        ANY_SUCCESSFUL,
        /** {@link Joiner#firstToFinishOrThrow()}. */
        FIRST_TO_FINISH,
        /** {@link Joiner#awaitAll()}. */
        ALL
    }

    /**
     * How a scope is set up: immutable; {@code with...} returns a changed copy. Given to
     * {@link Connection#openScope(Joiner, java.util.function.UnaryOperator)} as a function of the defaults,
     * as the JDK's {@code open(joiner, config -> config.withTimeout(...))}.
     */
    final class Configuration {
        private static final Configuration DEFAULTS = new Configuration(null);
        private final Duration timeout;

        private Configuration(Duration timeout) {
            this.timeout = timeout;
        }

        /** The defaults: no timeout. */
        public static Configuration defaults() {
            return DEFAULTS;
        }

        /**
         * A timeout measured from the moment the scope opens: when it expires before the scope is
         * done, {@code join} cancels the scope and throws an {@link ExecutionException} caused by a
         * {@link CancelledByTimeoutException}.
         *
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Configuration withTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("scope timeout must be positive: " + timeout);
            }
            return new Configuration(timeout);
        }

        /** The timeout, or {@code null} for none (the default). */
        public Duration timeout() {
            return timeout;
        }

        @Override
        public String toString() {
            return "TaskScope.Configuration[timeout=" + (timeout == null ? "none" : timeout) + "]";
        }
    }

    /**
     * The cause of the {@link ExecutionException} a {@link #join} throws when the scope's timeout
     * expired first (the JDK 27 name and shape).
     */
    final class CancelledByTimeoutException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** @param message names the scope's timeout */
        public CancelledByTimeoutException(String message) {
            super(message);
        }
    }
}
