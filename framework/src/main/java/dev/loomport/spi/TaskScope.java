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
 *   <li>Only the thread that opened the scope (the handler's) may {@link #fork fork}, {@link #join join}
 *       or {@link #close close} it; another thread gets {@link WrongThreadException}.</li>
 *   <li>When a subtask fails, the scope cancels its siblings: it interrupts them (an interrupted virtual
 *       thread blocked on a socket has that socket closed) and no longer accepts forks.</li>
 *   <li>{@link #join} waits for every subtask to end, then throws the first failure, if any.</li>
 *   <li>{@link #close} cancels what is still running and waits for it, so no subtask outlives the
 *       scope. A scope the handler leaves open is closed when the handler returns.</li>
 * </ul>
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
     * Waits for every subtask forked so far to end.
     *
     * @throws ExecutionException with the first subtask failure as its cause, if one failed
     * @throws InterruptedException if the waiting thread is interrupted; the subtasks are then cancelled
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
