package dev.loomport.internal;

import dev.loomport.ConnectionInfo.Activity;
import dev.loomport.ListenerConfig;
import dev.loomport.Timeouts;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A connection's deadlines: the timestamps its streams and set-up steps keep, and the one check the
 * {@link Watchdog} runs against them every tick. One mechanism for every time limit: the set-up deadline
 * (PROXY header, TLS handshake), lifetime, write, idle and minimum receive rate are rows here, never a
 * socket option set in one place and restored in another.
 */
final class ConnectionClock {
    private static final VarHandle WRITERS = Fields.of(MethodHandles.lookup(), "writers", int.class);
    private static final VarHandle ACTIVITY = Fields.of(MethodHandles.lookup(), "activity", Activity.class);

    private final long openedAt = System.nanoTime();
    private final long idleNanos;
    private final long writeNanos;
    private final long lifetimeNanos;
    private final long nanosPerByte;     // minimum receive rate: the waiting one byte buys; 0 = no minimum
    private final long rateWindowNanos;  // the most waiting a client can bank
    private long readCredit;             // waiting the client has paid for; the reading thread's own
    private volatile long readDeadline;  // when the read under way has waited too long; 0 while none is
    private volatile long lastActive = openedAt;
    private volatile int writers;        // writes under way (WRITERS): the handler's, a subtask's, a drain action's
    private volatile long writingSince;  // 0 while no write is under way; else the last progress of any
    private volatile long setupDeadline; // 0 while no set-up step is under way
    private volatile Outcome setupOutcome; // what passing setupDeadline counts as: the step under way
    private volatile Activity activity = Activity.RUNNING; // the handler thread's, for a live view (ACTIVITY)
    private Thread handlerThread;        // whose activity is shown; written on it before the handler runs

    ConnectionClock(ListenerConfig config) {
        Timeouts limits = config.timeouts();
        this.idleNanos = limits.idleTimeout().toNanos();
        this.writeNanos = limits.writeTimeout().toNanos();
        this.lifetimeNanos = limits.maxLifetime().toNanos();
        int rate = limits.minReceiveRate();
        this.nanosPerByte = rate > 0 ? Math.max(1, 1_000_000_000L / rate) : 0;
        this.rateWindowNanos = limits.receiveRateWindow().toNanos();
        this.readCredit = rateWindowNanos;
    }

    /** The outcome of the first limit passed at {@code now} ({@link System#nanoTime()}), or null while none is. */
    Outcome expired(long now) {
        long writing = writingSince;
        long setup = setupDeadline;
        if (setup != 0 && now - setup > 0) {
            return setupOutcome;
        } else if (lifetimeNanos > 0 && now - openedAt > lifetimeNanos) {
            return Outcome.LIFETIME;
        } else if (writeNanos > 0 && writing != 0 && now - writing > writeNanos) {
            return Outcome.WRITE_TIMEOUT;
        } else if (idleNanos > 0 && writing == 0 && now - lastActive > idleNanos) {
            return Outcome.IDLE_TIMEOUT;
        } else if (nanosPerByte > 0 && readDeadline != 0 && now - readDeadline > 0) {
            return Outcome.TOO_SLOW;
        }
        return null;
    }

    /**
     * A set-up step (PROXY header, TLS handshake) begins: it must be over within {@code nanos}, or the
     * connection ends counted as {@code outcome}. The step's own timeout, not a share of one budget, so
     * each option means what its documentation says.
     */
    void setupStep(Outcome outcome, long nanos) {
        setupOutcome = outcome;
        setupDeadline = System.nanoTime() + nanos;
    }

    /** The set-up step under way is over. */
    void setupDone() {
        setupDeadline = 0;
    }

    /** A read begins to wait: it may wait as long as the client has paid for. */
    void readStarted() {
        if (nanosPerByte > 0) {
            readDeadline = System.nanoTime() + readCredit;
        }
    }

    /** A read has returned {@code bytes}: charge the wait, credit the bytes, bank at most the window. */
    void readEnded(int bytes) {
        if (nanosPerByte > 0) {
            long left = readDeadline - System.nanoTime();
            readDeadline = 0;
            readCredit = Math.min(rateWindowNanos, left + bytes * nanosPerByte);
        }
    }

    void active() {
        lastActive = System.nanoTime(); // kept without an idle timeout too: Server.connections() shows it
    }

    /**
     * A write begins. Writes are counted, not flagged: a second write that starts and ends (a drain
     * action's {@code shutdownOutput}) while the first is stuck must neither restart nor stop the clock
     * of the stuck one.
     */
    void writeStarted() {
        if (writeNanos > 0 && (int) WRITERS.getAndAdd(this, 1) == 0) {
            writingSince = System.nanoTime();
        }
    }

    void writeProgressed() {
        if (writeNanos > 0) {
            writingSince = System.nanoTime();
        }
        active(); // a long write that makes progress is not idle, with or without a write timeout
    }

    void writeEnded() {
        if (writeNanos > 0 && (int) WRITERS.getAndAdd(this, -1) == 1) {
            writingSince = 0;
            if (writers > 0) { // a write began between the count and the reset: its clock runs from now
                writingSince = System.nanoTime();
            }
        }
        active();
    }

    // ---- what a live view of the connection reads (Server.connections) ----

    /** The calling thread runs the handler: its reads, writes and joins are what the view shows. */
    void handlerStarts() {
        handlerThread = Thread.currentThread();
    }

    /**
     * The handler's thread begins {@code now}; a subtask's reads and writes do not change what the handler
     * is doing. A release store, not a full volatile write: the reader only needs to see it soon, and
     * this runs twice per read and write.
     */
    void doing(Activity now) {
        if (Thread.currentThread() == handlerThread) {
            ACTIVITY.setRelease(this, now);
        }
    }

    Activity activity() {
        return activity;
    }

    long openedAt() {
        return openedAt;
    }

    /** When a byte last moved either way ({@link System#nanoTime()}); the open time if none has. */
    long lastActive() {
        return lastActive;
    }
}
