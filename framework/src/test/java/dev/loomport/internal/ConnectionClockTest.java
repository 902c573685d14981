package dev.loomport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.loomport.ListenerConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The write clock under writes that overlap: the handler's, and a drain action's shutdownOutput. */
class ConnectionClockTest {
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private final ConnectionClock clock = new ConnectionClock(
            ListenerConfig.builder("any").writeTimeout(WRITE_TIMEOUT).idleTimeout(Duration.ofDays(1)).build());

    private static long afterTheWriteTimeout() {
        return System.nanoTime() + WRITE_TIMEOUT.toNanos() + 1_000_000;
    }

    @Test
    void aWriteThatStartsAndEndsWhileAnotherIsStuckLeavesTheStuckOneUnderTheWriteTimeout() {
        clock.writeStarted(); // the handler's write: the client has stopped reading
        clock.writeStarted(); // a drain action's shutdownOutput, on another thread
        clock.writeEnded();
        assertEquals(Outcome.WRITE_TIMEOUT, clock.expired(afterTheWriteTimeout()));
    }

    @Test
    void theClockStopsWhenTheLastWriteEnds() {
        clock.writeStarted();
        clock.writeStarted();
        clock.writeEnded();
        clock.writeEnded();
        assertNull(clock.expired(afterTheWriteTimeout()));
    }

    @Test
    void theSetupDeadlineCountsAsTheStepUnderWay() {
        clock.setupStep(Outcome.PROXY_HEADER, Duration.ofSeconds(1).toNanos());
        assertEquals(Outcome.PROXY_HEADER, clock.expired(System.nanoTime() + Duration.ofSeconds(2).toNanos()));
        clock.setupDone();
        clock.setupStep(Outcome.TLS_HANDSHAKE, Duration.ofSeconds(1).toNanos());
        assertEquals(Outcome.TLS_HANDSHAKE, clock.expired(System.nanoTime() + Duration.ofSeconds(2).toNanos()));
        clock.setupDone();
        assertNull(clock.expired(System.nanoTime() + Duration.ofSeconds(2).toNanos()));
    }
}
