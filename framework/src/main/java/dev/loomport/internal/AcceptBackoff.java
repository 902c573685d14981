package dev.loomport.internal;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How long the accept loop pauses after a failed accept: 5 ms, doubling up to 1 s, and back to 5 ms
 * after an accept succeeds (as Go's {@code net/http} does). A failed accept usually means the process is
 * out of file descriptors; retrying at once would spin, since the pending connection stays in the
 * kernel's queue and the listening socket stays ready.
 *
 * <p>A burst is a run of failures: the loop logs its first failure and its end, not every retry. Near
 * the descriptor limit accepts often flap (one succeeds, the next fails again), so failures within
 * {@link #QUIET} of a burst's end belong to it: counted in the metrics, not logged again. Used by the
 * accept loop's thread only.
 */
final class AcceptBackoff {
    static final Duration FIRST = Duration.ofMillis(5);
    static final Duration MAX = Duration.ofSeconds(1);
    static final Duration QUIET = Duration.ofSeconds(1);

    private final LongSupplier nanoClock;
    private Duration next = FIRST;
    private int failures;
    private boolean first;
    private boolean logged; // this run of failures began with a logged first failure
    private boolean ended;
    private long endedAt;

    AcceptBackoff() {
        this(System::nanoTime);
    }

    AcceptBackoff(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Notes a failed accept; returns how long to wait before the next one. */
    Duration failed() {
        failures++;
        first = failures == 1 && !(ended && nanoClock.getAsLong() - endedAt < QUIET.toNanos());
        logged |= first;
        Duration wait = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(MAX) < 0 ? doubled : MAX;
        return wait;
    }

    /** Whether the failure just noted starts a burst, and so is logged. */
    boolean firstOfBurst() {
        return first;
    }

    /**
     * Notes a successful accept; returns how many failures the burst it ends had, or 0 when there was
     * none or its start was not logged (a flap just after an earlier burst).
     */
    int succeeded() {
        int burst = logged ? failures : 0;
        if (failures > 0) {
            ended = true;
            endedAt = nanoClock.getAsLong();
        }
        failures = 0;
        logged = false;
        next = FIRST;
        return burst;
    }
}
