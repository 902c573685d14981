package dev.loomport.internal;

import java.time.Duration;

/**
 * How long the accept loop pauses after a failed accept: 5 ms, doubling up to 1 s, and back to 5 ms
 * after an accept succeeds (as Go's {@code net/http} does). A failed accept usually means the process is
 * out of file descriptors; retrying at once would spin, since the pending connection stays in the
 * kernel's queue and the listening socket stays ready.
 *
 * <p>A burst is the run of failures between two successful accepts: the loop logs its first failure and
 * its end, not every retry. Used by the accept loop's thread only.
 */
final class AcceptBackoff {
    static final Duration FIRST = Duration.ofMillis(5);
    static final Duration MAX = Duration.ofSeconds(1);

    private Duration next = FIRST;
    private int failures;

    /** Notes a failed accept; returns how long to wait before the next one. */
    Duration failed() {
        failures++;
        Duration wait = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(MAX) < 0 ? doubled : MAX;
        return wait;
    }

    /** Whether the failure just noted is the first of its burst. */
    boolean firstOfBurst() {
        return failures == 1;
    }

    /** Notes a successful accept; returns how many failures the burst it ends had (0: none). */
    int succeeded() {
        int burst = failures;
        failures = 0;
        next = FIRST;
        return burst;
    }
}
