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
        AcceptBackoff backoff = new AcceptBackoff();
        assertEquals(0, backoff.succeeded(), "no burst yet");
        for (int i = 0; i < 9; i++) {
            backoff.failed();
        }
        assertEquals(9, backoff.succeeded());
        assertEquals(0, backoff.succeeded());
        assertEquals(Duration.ofMillis(5), backoff.failed());
        assertTrue(backoff.firstOfBurst(), "the next failure starts a new burst, logged again");
    }
}
