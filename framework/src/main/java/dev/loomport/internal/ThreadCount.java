package dev.loomport.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's own count of the threads it started and that have not yet ended: accept loops,
 * connections, subtasks, the watchdog. After shutdown it must read 0; tests hold the server to that.
 */
final class ThreadCount {
    private final AtomicInteger live = new AtomicInteger();

    /** Runs {@code body} counted: counted before the thread starts, uncounted as its last act. */
    Runnable counted(Runnable body) {
        live.incrementAndGet();
        return () -> {
            try {
                body.run();
            } finally {
                live.decrementAndGet();
            }
        };
    }

    /** Undoes a {@link #counted} whose thread never started. */
    void notStarted() {
        live.decrementAndGet();
    }

    int live() {
        return live.get();
    }
}
