package dev.loomport.internal;

import dev.loomport.ConnectionInfo;
import dev.loomport.spi.Subtask;
import dev.loomport.spi.TaskScope;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link TaskScope} on final JDK 21 APIs: one thread-per-task executor of virtual threads per scope (so a
 * thread dump shows a scope's subtasks together), cancelled when its {@link TaskScope.Policy} has its
 * answer. It maps one to one onto {@code StructuredTaskScope.open(joiner, config)}: fork is fork, join
 * is join, close is close. See docs/structured-concurrency.md.
 *
 * <pre>
 *  OPEN ──policy has its answer, timeout, interrupted join, close──▶ CANCELLED ──close: waits for every thread──▶ CLOSED
 *   subtasks run; outcomes kept                                      subtasks interrupted; later
 *   join waits                                                       outcomes and forks dropped
 * </pre>
 */
final class VirtualTaskScope implements TaskScope {
    private final SocketConnection connection;
    private final ThreadCount threads;
    private final TaskScope.Policy policy;
    private final java.time.Duration timeout; // null: none
    private final long deadline;              // System.nanoTime() at which the timeout expires
    private final Thread owner = Thread.currentThread();
    private final ExecutorService executor;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock: a subtask's outcome and the policy's decision are one step.
    private int running;
    private Throwable failure;      // what join throws as cause, if the policy says so
    private boolean succeeded;      // ANY_SUCCESSFUL: one subtask succeeded
    private boolean timedOut;       // the timeout cancelled the scope before the policy had its answer
    private volatile boolean cancelled;
    private volatile boolean joined;
    private volatile boolean closed;

    VirtualTaskScope(SocketConnection connection, ThreadCount threads, TaskScope.Joiner joiner, Configuration config) {
        this.connection = connection;
        this.threads = threads;
        this.policy = (TaskScope.Policy) Objects.requireNonNull(joiner, "joiner"); // sealed: the only kind
        this.timeout = Objects.requireNonNull(config, "configuration").timeout();
        this.deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        String name = owner.getName() + " subtask-";
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name, 1).factory());
    }

    @Override
    public <T> Subtask<T> fork(Callable<? extends T> task) {
        Objects.requireNonNull(task, "task");
        checkOwner();
        checkOpen("fork");
        if (joined) {
            throw new IllegalStateException(connection.prefix() + "fork after join: a scope is joined once, after its last fork");
        }
        Forked<T> subtask = new Forked<>(task);
        if (cancelled) {
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
        } catch (RejectedExecutionException e) { // cancelled by a subtask meanwhile
            threads.notStarted();
            lock.lock();
            try {
                running--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        return subtask;
    }

    @Override
    public <T> Subtask<T> fork(Runnable task) {
        Objects.requireNonNull(task, "task");
        return fork(() -> {
            task.run();
            return null;
        });
    }

    @Override
    public void join() throws InterruptedException, ExecutionException {
        checkOwner();
        checkOpen("join");
        if (joined) {
            throw new IllegalStateException(connection.prefix() + "join already called: a scope is joined once");
        }
        connection.clock().doing(ConnectionInfo.Activity.IN_SUBTASK);
        lock.lock();
        try {
            // As StructuredTaskScope: a cancelled scope does not wait for its interrupted subtasks here;
            // close() does.
            while (running > 0 && !cancelled) {
                if (deadline == 0) {
                    changed.await();
                } else if (changed.awaitNanos(deadline - System.nanoTime()) <= 0 && running > 0 && !cancelled) {
                    timedOut = true;
                    cancel();
                }
            }
        } catch (InterruptedException e) {
            cancel(); // the JDK leaves it open; loomport's handler is being stopped, so its subtasks are too
            throw e;
        } finally {
            lock.unlock();
            connection.clock().doing(ConnectionInfo.Activity.RUNNING);
        }
        joined = true;
        Throwable cause = outcome();
        if (cause != null) {
            throw new ExecutionException(cause);
        }
    }

    /** What join throws as cause: null when the scope succeeded by its policy. Called with the scope done. */
    private Throwable outcome() {
        lock.lock();
        try {
            if (timedOut) {
                return new CancelledByTimeoutException(connection.prefix() + "scope timed out after " + timeout);
            }
            return switch (policy) {
                case ALL_SUCCESSFUL, FIRST_TO_FINISH -> failure;
                case ANY_SUCCESSFUL -> succeeded ? null
                        : failure != null ? failure : new NoSuchElementException("no subtask was forked");
                case ALL -> null;
            };
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
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
        cancel();
        executor.close(); // waits for every subtask thread to end; idempotent
        connection.scopeClosed(this);
    }

    Thread owner() {
        return owner;
    }

    /**
     * The exception a handler's failure is named after: a scope's failed join (an ExecutionException a
     * handler let through) is named after the subtask's own exception, its cause.
     */
    static Throwable realCause(Throwable t) {
        for (int depth = 0; t instanceof ExecutionException && t.getCause() != null && depth < 16; depth++) {
            t = t.getCause();
        }
        return t;
    }

    private void cancel() {
        lock.lock();
        try {
            cancelled = true;
            changed.signalAll(); // a joining owner stops waiting
        } finally {
            lock.unlock();
        }
        executor.shutdownNow(); // interrupts: a virtual thread blocked on a socket has it closed
    }

    /** A subtask ended: keep its outcome unless the scope is cancelled, and let the policy decide. */
    private <T> void completed(Forked<T> subtask, T value, Throwable thrown) {
        boolean cancelNow = false;
        lock.lock();
        try {
            running--;
            if (!cancelled) {
                subtask.settle(value, thrown);
                cancelNow = switch (policy) {
                    case ALL_SUCCESSFUL -> thrown != null;
                    case ANY_SUCCESSFUL -> thrown == null;
                    case FIRST_TO_FINISH -> true;
                    case ALL -> false;
                };
                if (thrown != null && failure == null && policy != TaskScope.Policy.ALL) {
                    failure = thrown;
                }
                if (thrown == null && policy == TaskScope.Policy.ANY_SUCCESSFUL) {
                    succeeded = true;
                }
                if (cancelNow) {
                    cancelled = true; // decided under the lock: no sibling's outcome lands after it
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (cancelNow) {
            cancel();
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
            T value = null;
            Throwable thrown = null;
            try {
                value = task.call();
            } catch (Throwable t) {
                thrown = t;
            } finally {
                // A scope this subtask opened and left open ends with it, before the subtask counts as done.
                connection.closeScopesOwnedBy(Thread.currentThread());
            }
            completed(this, value, thrown);
        }

        /** Called once, under the scope's lock, unless the scope was cancelled first. */
        void settle(T value, Throwable thrown) {
            if (thrown == null) {
                result = value;
                state = State.SUCCESS;
            } else {
                exception = thrown;
                state = State.FAILED;
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

        /** StructuredTaskScope's rule (JDK 26+): outcomes are read, from any thread, after the owner joined. */
        private void checkJoined() {
            if (!joined) {
                throw new IllegalStateException("the scope's owner must join before a subtask's outcome is read");
            }
        }
    }
}
