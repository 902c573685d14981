package dev.loomport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The write timeout's promise, with the default socket options: a client that reads at a steady rate
 * well above the documented minimum (docs/limits.md: what drains a third of the send buffer within the
 * write timeout) is never cut, however long the download lasts. Before the default send buffer, the
 * kernel grew it to 4 MiB and a blocked write woke only when over a MiB of it was free: a client reading
 * 512 KiB/s was cut by a 1 s write timeout. (The client that stops reading and is cut is
 * {@code TimeoutsTest.writeTimeoutClosesAClientThatStopsReading}.)
 */
class SlowReaderTest {
    private static final int SIZE = 4 * 1024 * 1024;
    private static final int PIECE = 16 * 1024;
    /** 512 KiB/s: three times the minimum a 1 s write timeout allows with the default send buffer. */
    private static final long PIECE_EVERY_NANOS = Duration.ofSeconds(1).toNanos() / 32;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Opened opened = new Opened();

    @AfterEach
    void closeAll() throws Exception {
        opened.close();
    }

    @Test
    void aClientReadingAtAFixedSlowRateIsNeverCut() throws Exception {
        HandlerPlugin oneBigWrite = TestHandlers.handler("big", c -> c.output().write(new byte[SIZE]));
        Server server = opened.add(TestServers.serve(ListenerConfig.builder("big")
                .writeTimeout(Duration.ofSeconds(1)), oneBigWrite, registry));
        Socket reader = opened.add(TestClients.connect(server));
        InputStream in = reader.getInputStream();
        byte[] piece = new byte[PIECE];
        long total = 0;
        long longestGap = 0;
        long last = System.nanoTime();
        long next = last;
        for (int n; total <= SIZE && (n = in.read(piece)) != -1; ) { // at most SIZE / PIECE rounds, and EOF
            long now = System.nanoTime();
            longestGap = Math.max(longestGap, now - last);
            last = now;
            total += n;
            next += PIECE_EVERY_NANOS * n / PIECE; // a fixed rate, whatever each read returned
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait)); // the client's pace, not a synchronisation
            }
        }
        // A loaded machine can stall the client itself for longer than the timeout allows: then nothing
        // can be judged. 300 ms leaves the rate well above the minimum in every 1 s window.
        long gap = longestGap;
        Assumptions.assumeTrue(total == SIZE || gap < Duration.ofMillis(300).toNanos(),
                () -> "the machine held the client up for " + gap / 1_000_000 + " ms: too long to judge");
        assertEquals(SIZE, total, "the download was cut off");
        await().untilAsserted(() -> assertEquals(Map.of("server-closed", 1L), Meters.closed(registry)));
        assertTrue(Meters.count(registry, "loomport.sent.bytes") >= SIZE);
    }
}
