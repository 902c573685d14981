package dev.loomport.internal;

import dev.loomport.spi.Subtask;
import dev.loomport.spi.TaskScope;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link TaskScope} on final JDK 21 APIs: one thread-per-task executor of virtual threads per scope (so a
 * thread dump shows a scope's subtasks together), shut down on the first failure. It maps one to one
 * onto {@code StructuredTaskScope.ShutdownOnFailure}: fork is fork, join is join plus throwIfFailed,
 * close is close. See docs/structured-concurrency.md.
 *
 * <pre>
 *  OPEN ──first failure, interrupted join, close──▶ SHUT DOWN ──close: waits for every thread──▶ CLOSED
 *   subtasks run;                                   siblings interrupted;
 *   join waits for all                              join returns; forks never run
 * </pre>
 */
final class VirtualTaskScope implements TaskScope {
    private final SocketConnection connection;
    private final ThreadCount threads;
    private final Thread owner = Thread.currentThread();
    private final ExecutorService executor;
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition allDone = lock.newCondition();
    private int running; // guarded by lock
    private volatile boolean shutdown;
    private volatile boolean closed;
    // Only the owner forks and joins, so only the owner touches these.
    private long forks;
    private long forksJoined;

    VirtualTaskScope(SocketConnection connection, ThreadCount threads) {
        this.connection = connection;
        this.threads = threads;
        String name = owner.getName() + " subtask-";
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name, 1).factory());
    }

    @Override
    public <T> Subtask<T> fork(Callable<? extends T> task) {
        Objects.requireNonNull(task, "task");
        checkOwner();
        checkOpen("fork");
        Forked<T> subtask = new Forked<>(task);
        forks++;
        if (shutdown) {
            return subtask; // as StructuredTaskScope does: not run, state UNAVAILABLE
        }
        lock.lock();
        try {
            running++;
        } finally {
            lock.unlock();
        }
        try {
            executor.execute(threads.counted(subtask));
        } catch (RejectedExecutionException e) { // a sibling failed and shut the executor down meanwhile
            threads.notStarted();
            finished();
        }
        return subtask;
    }

    @Override
    public void join() throws InterruptedException, ExecutionException {
        checkOwner();
        checkOpen("join");
        lock.lock();
        try {
            // As StructuredTaskScope: a shut-down scope does not wait for its cancelled subtasks
            // here; close() does.
            while (running > 0 && !shutdown) {
                allDone.await();
            }
        } catch (InterruptedException e) {
            shutdown();
            throw e;
        } finally {
            lock.unlock();
        }
        forksJoined = forks;
        Throwable failure = firstFailure.get();
        if (failure != null) {
            throw new ExecutionException(failure);
        }
    }

    @Override
    public void close() {
        checkOwner();
        forceClose();
    }

    /**
     * Closes from any thread: the owner's close, the end of the subtask that opened it, or the end of the
     * connection. Every caller returns only once every subtask thread has ended.
     */
    void forceClose() {
        closed = true;
        shutdown();
        executor.close(); // waits for every subtask thread to end; idempotent
        connection.scopeClosed(this);
    }

    Thread owner() {
        return owner;
    }

    private void shutdown() {
        shutdown = true;
        executor.shutdownNow(); // interrupts: a virtual thread blocked on a socket has it closed
        lock.lock();
        try {
            allDone.signalAll(); // a joining owner stops waiting
        } finally {
            lock.unlock();
        }
    }

    private void finished() {
        lock.lock();
        try {
            if (--running == 0) {
                allDone.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new WrongThreadException(connection.prefix() + "a scope is used only by the thread that opened it ("
                    + owner.getName() + "), not " + Thread.currentThread().getName());
        }
    }

    private void checkOpen(String what) {
        if (closed) {
            throw new IllegalStateException(connection.prefix() + what + " on a closed scope");
        }
    }

    private final class Forked<T> implements Subtask<T>, Runnable {
        private final Callable<? extends T> task;
        private volatile State state = State.UNAVAILABLE;
        private volatile T result;
        private volatile Throwable exception;

        Forked(Callable<? extends T> task) {
            this.task = task;
        }

        @Override
        public void run() {
            connection.adoptCurrentThread();
            try {
                T value = task.call();
                if (!shutdown) {
                    result = value;
                    state = State.SUCCESS;
                }
            } catch (Throwable t) {
                if (!shutdown && firstFailure.compareAndSet(null, t)) {
                    exception = t;
                    state = State.FAILED;
                    shutdown(); // cancel the siblings
                }
            } finally {
                // A scope this subtask opened and left open ends with it, before the subtask counts as done.
                connection.closeScopesOwnedBy(Thread.currentThread());
                finished();
            }
        }

        @Override
        public State state() {
            return state;
        }

        @Override
        public T get() {
            checkJoined();
            if (state != State.SUCCESS) {
                throw new IllegalStateException("subtask has no result: " + state);
            }
            return result;
        }

        @Override
        public Throwable exception() {
            checkJoined();
            if (state != State.FAILED) {
                throw new IllegalStateException("subtask has not failed: " + state);
            }
            return exception;
        }

        /** StructuredTaskScope's rule: the owner reads results only after a join that saw every fork. */
        private void checkJoined() {
            if (Thread.currentThread() == owner && forksJoined < forks) {
                throw new IllegalStateException("the scope's owner must join before reading a subtask's outcome");
            }
        }
    }
}
