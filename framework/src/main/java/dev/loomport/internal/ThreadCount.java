package dev.loomport.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's own count of the threads it started and that have not yet ended: accept loops,
 * connections, subtasks, the watchdog. After shutdown it must read 0; tests hold the server to that.
 *
 * <p>A thread leaves the count as the last act of its task, a moment before the JVM sees it terminate:
 * once the count is 0, no thread runs loomport code any more.
 */
final class ThreadCount {
    /** Marks a thread as started by one server, so that server can refuse to wait for itself. */
    private static final ThreadLocal<ThreadCount> STARTED_BY = new ThreadLocal<>();

    private final AtomicInteger live = new AtomicInteger();

    /** Runs {@code body} counted: counted before the thread starts, uncounted as its last act. */
    Runnable counted(Runnable body) {
        starting();
        return () -> {
            entered();
            try {
                body.run();
            } finally {
                exited();
            }
        };
    }

    /** Starts a counted thread from {@code builder}; if it cannot start, the count is as it was. */
    Thread start(Thread.Builder builder, Runnable body) {
        Runnable task = counted(body);
        try {
            return builder.start(task);
        } catch (RuntimeException | Error e) {
            notStarted();
            throw e;
        }
    }

    /**
     * The three steps of {@link #counted}, for a task that takes them itself (a connection, to keep one
     * frame and one object fewer per held connection): before the thread starts, first and last on it.
     */
    void starting() {
        live.incrementAndGet();
    }

    void entered() {
        STARTED_BY.set(this);
    }

    void exited() {
        live.decrementAndGet();
    }

    /** Undoes a {@link #counted} whose thread never started. */
    void notStarted() {
        live.decrementAndGet();
    }

    int live() {
        return live.get();
    }

    /** Whether the calling thread is one of those counted here. */
    boolean countsCurrentThread() {
        return STARTED_BY.get() == this;
    }
}
