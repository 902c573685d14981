package dev.loomport.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The poll right of one {@code POLL} or {@code LAST} loop of the I/O-path prototype: who may select on its selector, and
 * whether the loop's platform thread must, because no handler will.
 *
 * <p>Handlers poll: a handler whose read finds nothing takes the right if it is free (a CAS, never a wait),
 * runs {@code selectNow} and wakes the connections it found ready, from its carrier. The platform thread
 * selects (blocking) only when no handler is running, so while handlers are busy nobody wakes it per message.
 * Two counts make that safe:
 * <ul>
 * <li>{@code running}: handlers that are neither parked nor ended (a handler counts itself out just before it
 *     parks, and whoever unparks it counts it back in). A running handler will read again, and so poll or
 *     count itself out; the one that brings the count to 0 unparks the platform thread, which then selects.
 *     So an event is never lost: either a handler will poll, or the platform thread is in (or on its way to)
 *     a blocking select, and the selector is level-triggered, so readiness that came in between is seen.</li>
 * <li>{@code polls}: how many polls handlers made; if handlers run but none polled for {@link #STALL} (a
 *     handler busy with something other than its socket), the platform thread selects for them, so a
 *     connection waits at most about that long, not forever. This is the platform thread's only wake-up while
 *     handlers are busy: at most one per {@code STALL}, never one per message.</li>
 * </ul>
 * An idle server has every handler parked: {@code running} is 0 and the platform thread blocks in
 * {@code select()}, burning nothing. Only the holder of the right touches the selector's select and its
 * selected keys, so a virtual thread never blocks on the selector's lock behind a platform thread's blocking
 * select (which would pin its carrier on JDK 21).
 */
final class ProtoPoll {
    /** How long handlers may run without polling before the platform thread polls for them. */
    static final long STALL = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicBoolean right = new AtomicBoolean();
    private final AtomicInteger running = new AtomicInteger();
    private volatile long polls; // written only by the holder of the right
    private volatile Thread platform;

    /** Takes the right if nobody holds it; never waits. */
    boolean tryAcquire() {
        return !right.get() && right.compareAndSet(false, true);
    }

    /** Gives the right back; {@code byHandler}: a handler polled, which the platform thread's stall check counts. */
    void release(boolean byHandler) {
        if (byHandler) {
            polls = polls + 1; // only the holder writes, so no lost update
        }
        right.set(false);
    }

    /** A handler starts running: it was started, or someone unparked it. */
    void running() {
        running.incrementAndGet();
    }

    /** Handlers running now, the caller included if it runs. */
    int runningCount() {
        return running.get();
    }

    /** A handler is about to park or has ended; the last one out hands polling to the platform thread. */
    void stopped() {
        if (running.decrementAndGet() == 0) {
            Thread t = platform;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /**
     * Platform thread: returns when it should select, i.e. when no handler runs or none polled for
     * {@link #STALL}, and then holds the right. A spare unpark only makes it look again.
     */
    void awaitTurn() {
        platform = Thread.currentThread();
        long seen = polls;
        long since = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            if (polls != seen) {
                seen = polls;
                since = now;
            }
            if ((running.get() == 0 || now - since >= STALL) && tryAcquire()) {
                return;
            }
            // handlers are polling (or one holds the right this moment): look again after STALL or when unparked
            LockSupport.parkNanos(this, STALL);
        }
    }
}
