package dev.loomport.internal;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a stop interrupt a listener's accept thread only while that thread is outside {@code accept()}.
 * Closing the listening socket wakes a blocked {@code accept()} and keeps the connection it had just
 * taken; an interrupt that lands inside it does not: the JDK's channel then throws
 * {@code ClosedByInterruptException} and never closes the connection it had accepted, so that client
 * hears nothing until its own timeout (ShutdownTest's stop while connecting, on the loop path). The thread
 * still needs the interrupt when it waits for a slot or backs off after a failed accept.
 */
final class AcceptGate {
    /** How long a thread still in {@code accept()} after the close is left before it is interrupted anyway. */
    static final Duration STUCK = Duration.ofSeconds(5);

    @FunctionalInterface
    interface Accept {
        Socket accept() throws IOException;
    }

    private final ReentrantLock lock = new ReentrantLock();
    private boolean inAccept; // guarded by lock
    private boolean closed;   // guarded by lock

    /** Runs {@code accept} marked as inside; refuses once {@link #stop} has begun. */
    Socket accept(Accept accept) throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw new AsynchronousCloseException();
            }
            inAccept = true;
        } finally {
            lock.unlock();
        }
        try {
            return accept.accept();
        } finally {
            lock.lock();
            try {
                inAccept = false;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * After the listening socket is closed: interrupts {@code thread} whenever it is outside
     * {@code accept()} (or has been inside it for {@link #STUCK}, which no listening socket here allows)
     * until it ends, and waits for it. Not cut short by an interrupt, which is restored for the caller.
     */
    void stop(Thread thread) {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        long stuckAt = System.nanoTime() + STUCK.toNanos();
        boolean interrupted = false;
        while (thread.isAlive()) {
            lock.lock();
            try {
                if (!inAccept || System.nanoTime() - stuckAt >= 0) {
                    thread.interrupt();
                }
            } finally {
                lock.unlock();
            }
            try {
                thread.join(Duration.ofMillis(10));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
