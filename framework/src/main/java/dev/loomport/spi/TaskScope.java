package dev.loomport.spi;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * Subtasks of one connection, each on a virtual thread of its own, that end together.
 *
 * <p>The rules are those of structured concurrency (and of the JDK's {@code StructuredTaskScope} with
 * a shut-down-on-failure policy, which this type is shaped after so it can move onto it once that API is
 * final):
 * <ul>
 *   <li>Only the thread that opened the scope (the handler's, or a subtask's) may {@link #fork fork},
 *       {@link #join join} or {@link #close close} it; another thread gets
 *       {@link WrongThreadException}.</li>
 *   <li>When a subtask fails, the scope cancels its siblings: it interrupts them (an interrupted virtual
 *       thread blocked on a socket has that socket closed); a subtask forked after that never runs.</li>
 *   <li>{@link #join} waits until every subtask has ended or the scope has shut down, then throws the
 *       first failure, if any.</li>
 *   <li>{@link #close} cancels what is still running and waits for it, so no subtask outlives the
 *       scope. A scope the handler leaves open is closed when the handler returns; a scope a subtask
 *       leaves open is closed when that subtask ends.</li>
 * </ul>
 *
 * <p>A subtask blocked on a socket when it is cancelled gives way at once: interrupting a virtual thread
 * blocked in socket I/O closes that socket. A subtask that ignores interrupts and blocks on anything
 * else keeps {@code close}, and so its connection, waiting. docs/structured-concurrency.md maps this
 * type onto {@code StructuredTaskScope}.</p>
 *
 * {@snippet :
 * try (TaskScope scope = connection.openScope()) {
 *     Subtask<Long> up = scope.fork(() -> client.transferTo(upstream));
 *     Subtask<Long> down = scope.fork(() -> upstreamIn.transferTo(clientOut));
 *     scope.join();              // throws ExecutionException if either failed (the other is cancelled)
 *     long total = up.get() + down.get();
 * }
 * }
 */
public interface TaskScope extends AutoCloseable {

    /**
     * Starts a subtask on a new virtual thread. After a subtask has failed (or {@link #join} was
     * interrupted) the scope is shutting down: the returned subtask never runs and stays
     * {@link Subtask.State#UNAVAILABLE}, as with {@code StructuredTaskScope}.
     *
     * @throws IllegalStateException if the scope is closed
     * @throws WrongThreadException if called from a thread other than the scope's owner
     */
    <T> Subtask<T> fork(Callable<? extends T> task);

    /**
     * Waits until every subtask forked so far has ended, or the scope has shut down because one failed
     * (its cancelled siblings may still be ending: {@link #close} waits for them).
     *
     * @throws ExecutionException with the first subtask failure as its cause, if one failed
     * @throws InterruptedException if the waiting thread is interrupted; the subtasks are then cancelled
     * @throws IllegalStateException if the scope is closed
     * @throws WrongThreadException if called from a thread other than the scope's owner
     */
    void join() throws InterruptedException, ExecutionException;

    /**
     * Cancels the subtasks still running (interrupts them) and waits until every one has ended.
     * Idempotent.
     *
     * @throws WrongThreadException if called from a thread other than the scope's owner
     */
    @Override
    void close();
}
