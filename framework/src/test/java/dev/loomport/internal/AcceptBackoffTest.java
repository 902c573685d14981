package dev.loomport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The accept loop's retry policy on its own. The loop itself is proven against a real "Too many open
 * files" by AcceptUnderFileLimitIT in demo-echo, which runs a server in a child JVM under a lowered
 * {@code ulimit -n}: a test JVM cannot lower its own limit, and exhausting it would break the JVM
 * that runs the tests.
 */
class AcceptBackoffTest {

    @Test
    void waitsFiveMillisecondsThenDoublesUpToOneSecond() {
        AcceptBackoff backoff = new AcceptBackoff();
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            waits.add(backoff.failed().toMillis());
        }
        assertEquals(List.of(5L, 10L, 20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L, 1000L, 1000L), waits);
    }

    @Test
    void onlyTheFirstFailureOfABurstIsTheFirst() {
        AcceptBackoff backoff = new AcceptBackoff();
        backoff.failed();
        assertTrue(backoff.firstOfBurst());
        backoff.failed();
        assertFalse(backoff.firstOfBurst());
        backoff.failed();
        assertFalse(backoff.firstOfBurst());
    }

    @Test
    void aSuccessEndsTheBurstAndStartsOverFromFiveMilliseconds() {
        long[] now = {0};
        AcceptBackoff backoff = new AcceptBackoff(() -> now[0]);
        assertEquals(0, backoff.succeeded(), "no burst yet");
        for (int i = 0; i < 9; i++) {
            backoff.failed();
        }
        assertEquals(9, backoff.succeeded());
        assertEquals(0, backoff.succeeded());
        now[0] += AcceptBackoff.QUIET.toNanos() + 1;
        assertEquals(Duration.ofMillis(5), backoff.failed());
        assertTrue(backoff.firstOfBurst(), "a failure after a quiet second starts a new burst, logged again");
    }

    @Test
    void failuresJustAfterABurstEndsBelongToItAndAreNotLoggedAgain() {
        long[] now = {0};
        AcceptBackoff backoff = new AcceptBackoff(() -> now[0]);
        backoff.failed();
        assertTrue(backoff.firstOfBurst());
        assertEquals(1, backoff.succeeded(), "the end of the burst is logged");
        now[0] += AcceptBackoff.QUIET.toNanos() / 2; // flapping at the descriptor limit
        assertEquals(Duration.ofMillis(5), backoff.failed(), "the wait starts over all the same");
        assertFalse(backoff.firstOfBurst(), "not logged again");
        assertEquals(0, backoff.succeeded(), "nor is its end");
    }
}
