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

    VirtualTaskScope(SocketConnection connection, ThreadCount threads) {
        this.connection = connection;
        this.threads = threads;
        String name = Thread.currentThread().getName() + " subtask-";
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name, 1).factory());
    }

    @Override
    public <T> Subtask<T> fork(Callable<? extends T> task) {
        Objects.requireNonNull(task, "task");
        checkOwner();
        if (closed) {
            throw new IllegalStateException(connection.prefix() + "fork on a closed scope");
        }
        Forked<T> subtask = new Forked<>(task);
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
        lock.lock();
        try {
            while (running > 0) {
                allDone.await();
            }
        } catch (InterruptedException e) {
            shutdown();
            throw e;
        } finally {
            lock.unlock();
        }
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

    /** Closes from the connection's thread, whichever thread opened the scope. */
    void forceClose() {
        if (closed) {
            return;
        }
        closed = true;
        shutdown();
        executor.close(); // waits for every subtask thread to end
        connection.scopeClosed(this);
    }

    private void shutdown() {
        shutdown = true;
        executor.shutdownNow(); // interrupts: a virtual thread blocked on a socket has it closed
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
                finished();
            }
        }

        @Override
        public State state() {
            return state;
        }

        @Override
        public T get() {
            if (state != State.SUCCESS) {
                throw new IllegalStateException("subtask has no result: " + state);
            }
            return result;
        }

        @Override
        public Throwable exception() {
            if (state != State.FAILED) {
                throw new IllegalStateException("subtask has not failed: " + state);
            }
            return exception;
        }
    }
}
