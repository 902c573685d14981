package dev.loomport;

import static dev.loomport.TestClients.assertEchoes;
import static dev.loomport.TestClients.connect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Idle, write, lifetime and minimum-rate timeouts against real clients on loopback. Each test drives a
 * client until the server ends it, with the client's own loop bounded in count and in time, and checks
 * the outcome the server counted. Timeouts are short and the bounds generous: no test asserts how soon a
 * timeout fires, only that it does, and that it is the one that fires.
 *
 * <p>A test that shows a timeout does <em>not</em> fire depends on the client keeping its pace, which a
 * loaded machine can stall. Such a test measures the longest quiet spell the server can have seen, from
 * the client's side ({@link Pace}), and gives up (skips) rather than fails when the machine made it too
 * long to judge.
 */
class TimeoutsTest {
    /** The most a client loop waits for the server to end it. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Opened opened = new Opened();

    @AfterEach
    void closeAll() throws Exception {
        opened.close();
    }

    @Test
    void idleTimeoutClosesAClientThatSaysNothing() throws Exception {
        Server server = start(ListenerConfig.builder("echo").idleTimeout(Duration.ofMillis(300)), TestHandlers.echo());
        Socket silent = client(server);
        TestClients.assertReset(silent); // a timeout is an abort: RST, not a clean end (within the 30 s read timeout)
        await().untilAsserted(() -> assertEquals(Map.of("idle-timeout", 1L), Meters.closed(registry)));
    }

    @Test
    void idleTimeoutSparesAClientThatKeepsTalking() throws Exception {
        Server server = start(ListenerConfig.builder("echo").idleTimeout(Duration.ofSeconds(2)), TestHandlers.echo());
        Pace pace = new Pace();
        pace.sending(); // the idle clock starts at accept
        Socket talker = client(server);
        // 3 s of a byte every 50 ms: every gap is 40 times shorter than the idle timeout.
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        for (int i = 0; i < 200 && System.nanoTime() - end < 0; i++) {
            pace.sending();
            assertEchoes(talker, "x");
            pace.answered();
            Thread.sleep(50); // the client's pace, not a synchronisation
        }
        pace.sending();
        talker.shutdownOutput();
        assertEquals(-1, talker.getInputStream().read());
        pace.answered();
        pace.assumeQuietSpellsUnder(Duration.ofSeconds(1));
        await().untilAsserted(() -> assertEquals(Map.of("client-closed", 1L), Meters.closed(registry)));
    }

    /**
     * A client that stops reading: the handler writes until the client's receive buffer and the server's
     * send buffer are full, its write then makes no progress, and the write timeout closes the connection.
     */
    @Test
    void writeTimeoutClosesAClientThatStopsReading() throws Exception {
        HandlerPlugin firehose = TestHandlers.handler("firehose", c -> {
            byte[] chunk = new byte[64 * 1024];
            OutputStream out = c.output();
            for (int i = 0; i < 100_000; i++) { // at most 6.4 GB: far more than any buffer holds
                out.write(chunk);
            }
        });
        Server server = start(ListenerConfig.builder("firehose").writeTimeout(Duration.ofMillis(500))
                .sendBufferSize(16 * 1024), firehose);
        Socket reader = opened.add(new Socket());
        reader.setReceiveBufferSize(4 * 1024); // before connect, so the window is small from the start
        reader.connect(server.listeners().getFirst().address());
        // The client reads nothing: wait for the server to give up on it.
        await().atMost(BOUND).until(() -> Meters.closed(registry).equals(Map.of("write-timeout", 1L)));
        long sent = Meters.count(registry, "loomport.sent.bytes");
        assertTrue(sent < 16L * 1024 * 1024, "the server stopped at what the buffers hold, not gigabytes: " + sent);
        assertEquals(0, server.activeConnections());
    }

    /**
     * With no write timeout the idle timeout also watches writes: one long write to a client that keeps
     * reading, slowly, is activity for as long as it makes progress, even when the whole write lasts
     * longer than the idle timeout.
     */
    @Test
    void idleTimeoutSparesALongWriteThatMakesProgress() throws Exception {
        int size = 2 * 1024 * 1024;
        HandlerPlugin oneBigWrite = TestHandlers.handler("big", c -> c.output().write(new byte[size]));
        Server server = start(ListenerConfig.builder("big").idleTimeout(Duration.ofSeconds(1))
                .writeTimeout(Duration.ZERO).sendBufferSize(8 * 1024), oneBigWrite);
        Socket slowReader = opened.add(new Socket());
        slowReader.setReceiveBufferSize(8 * 1024);
        long started = System.nanoTime();
        List<long[]> reads = new ArrayList<>(); // {when, bytes so far}
        reads.add(new long[] {started, 0});
        slowReader.connect(server.listeners().getFirst().address());
        slowReader.setSoTimeout((int) BOUND.toMillis());
        InputStream in = slowReader.getInputStream();
        byte[] piece = new byte[8 * 1024];
        long total = 0;
        for (int n; total <= size && (n = in.read(piece)) != -1; ) {
            total += n;
            reads.add(new long[] {System.nanoTime(), total});
            Thread.sleep(10); // a slow reader: about 2.5 s for all of it
        }
        // Between two 64 KiB slices handed to the kernel the client read at most a slice plus what the
        // buffers hold (well under 256 KiB): if it never took a second for that, no slice did either.
        // Judged before the outcome: a stalled machine may truly have let the server sit idle.
        Assumptions.assumeTrue(longestToRead(reads, 256 * 1024) < Duration.ofMillis(800).toNanos(),
                "the machine held the reader up too long to judge a 1 s idle timeout");
        assertEquals(size, total, "all of it, then end of stream");
        assertTrue(System.nanoTime() - started > Duration.ofSeconds(1).toNanos(), "the write outlasted the idle timeout");
        await().untilAsserted(() -> assertEquals(Map.of("server-closed", 1L), Meters.closed(registry)));
    }

    /** The longest the client took to read {@code bytes} more, over the whole run. */
    private static long longestToRead(List<long[]> reads, long bytes) {
        long longest = 0;
        int j = 0;
        for (long[] from : reads) {
            while (j < reads.size() && reads.get(j)[1] - from[1] < bytes) {
                j++;
            }
            long until = j < reads.size() ? reads.get(j)[0] : reads.getLast()[0];
            longest = Math.max(longest, until - from[0]);
        }
        return longest;
    }

    /**
     * The premise of the next test: a client that sends a byte every 100 ms is never idle for long, so an
     * idle timeout alone (here 1 s, ten times the gap) never closes it.
     */
    @Test
    void idleTimeoutAloneDoesNotStopASlowDrip() throws Exception {
        Server server = start(ListenerConfig.builder("echo").idleTimeout(Duration.ofSeconds(1)), TestHandlers.echo());
        Pace pace = new Pace();
        pace.sending();
        Socket dripper = client(server);
        try {
            for (int i = 0; i < 25; i++) { // 2.5 s: well past the idle timeout
                pace.sending();
                assertEchoes(dripper, "d");
                pace.answered();
                Thread.sleep(100); // the client's pace
            }
            pace.sending();
            dripper.shutdownOutput();
            assertEquals(-1, dripper.getInputStream().read());
            pace.answered();
        } catch (IOException closed) {
            // Closed as idle: a fault, unless the machine held the client up for a second between bytes.
            pace.answered();
            pace.assumeQuietSpellsUnder(Duration.ofMillis(800));
            throw closed;
        }
        pace.assumeQuietSpellsUnder(Duration.ofMillis(800));
        await().untilAsserted(() -> assertEquals(Map.of("client-closed", 1L), Meters.closed(registry)));
    }

    /** A slowloris-style client: one byte every 100 ms, 10 bytes/s against a minimum of 1,000. */
    @Test
    void minimumReceiveRateClosesASlowDrip() throws Exception {
        Server server = start(ListenerConfig.builder("echo").idleTimeout(Duration.ofSeconds(10))
                .minReceiveRate(1_000, Duration.ofSeconds(1)), TestHandlers.echo());
        Socket dripper = client(server);
        long end = System.nanoTime() + BOUND.toNanos();
        int dripped = 0;
        try {
            while (dripped < 300 && System.nanoTime() - end < 0) {
                dripper.getOutputStream().write('d');
                if (dripper.getInputStream().read() != 'd') {
                    break; // closed: end of stream
                }
                dripped++;
                Thread.sleep(100); // the client's pace
            }
        } catch (IOException closed) {
            // the server closed it while the client was writing
        }
        assertTrue(dripped < 300, "the drip was cut off");
        await().untilAsserted(() -> assertEquals(Map.of("too-slow", 1L), Meters.closed(registry)));
    }

    /** The minimum rate costs a fast client nothing, however much it sends. */
    @Test
    void minimumReceiveRateSparesAFastClient() throws Exception {
        Server server = start(ListenerConfig.builder("echo").minReceiveRate(1_000, Duration.ofSeconds(1)),
                TestHandlers.echo());
        Socket fast = client(server);
        byte[] data = new byte[4 * 1024 * 1024];
        new java.util.Random(5).nextBytes(data);
        try (var scope = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var writer = scope.submit(() -> {
                fast.getOutputStream().write(data);
                fast.shutdownOutput();
                return null;
            });
            assertArrayEquals(data, fast.getInputStream().readAllBytes());
            writer.get();
        }
        await().untilAsserted(() -> assertEquals(Map.of("client-closed", 1L), Meters.closed(registry)));
    }

    /**
     * Only time the handler spends waiting to read is charged: a client that asks for a download, reads
     * it slowly (longer than the 1 s window) while sending nothing, thinks a moment and says thanks, is
     * not cut. Charging the time the handler spent writing would find it 0.6 s overdue by then.
     */
    @Test
    void minimumReceiveRateSparesADownload() throws Exception {
        int size = 512 * 1024;
        HandlerPlugin download = TestHandlers.handler("download", c -> {
            if (c.input().read() == 'g') {
                byte[] chunk = new byte[8 * 1024];
                for (int i = 0; i < size / chunk.length; i++) {
                    c.output().write(chunk);
                }
                c.output().write(c.input().read()); // waits for the thanks, and echoes it
            }
        });
        Server server = start(ListenerConfig.builder("download").minReceiveRate(1_000, Duration.ofSeconds(1))
                .sendBufferSize(8 * 1024), download);
        Socket slowReader = opened.add(new Socket());
        slowReader.setReceiveBufferSize(8 * 1024); // small buffers: the handler's writes wait for the reader
        List<long[]> reads = new ArrayList<>(); // {when, bytes so far}
        long started = System.nanoTime();
        reads.add(new long[] {started, 0});
        slowReader.connect(server.listeners().getFirst().address());
        slowReader.setSoTimeout((int) BOUND.toMillis());
        slowReader.getOutputStream().write('g');
        long askedWithin = System.nanoTime() - started; // the handler's first read waited no longer
        InputStream in = slowReader.getInputStream();
        byte[] piece = new byte[8 * 1024];
        long total = 0;
        while (total < size) {
            int n = in.read(piece, 0, (int) Math.min(piece.length, size - total));
            assertTrue(n > 0, "the download was cut off after " + total + " bytes");
            total += n;
            reads.add(new long[] {System.nanoTime(), total});
            Thread.sleep(20); // a slow reader: 64 pauses, 1.3 s in all
        }
        assertTrue(System.nanoTime() - started > Duration.ofSeconds(1).toNanos(), "the download outlasted the window");
        Thread.sleep(300); // the client thinks before it says thanks
        slowReader.getOutputStream().write('t');
        assertEquals('t', in.read());
        assertEquals(-1, in.read());
        // The handler's last read began once its last write was in the buffers (under 96 KiB before the
        // end), and ended with the thanks: judge only if that, and the first read, took well under 1 s.
        long lastReadWaited = System.nanoTime() - timeToReach(reads, size - 96 * 1024);
        Assumptions.assumeTrue(askedWithin < Duration.ofMillis(300).toNanos()
                        && lastReadWaited < Duration.ofMillis(800).toNanos(),
                "the machine held the client up too long to judge a 1 s window");
        await().untilAsserted(() -> assertEquals(Map.of("server-closed", 1L), Meters.closed(registry)));
    }

    /** When the client had read {@code bytes} in all. */
    private static long timeToReach(List<long[]> reads, long bytes) {
        return reads.stream().filter(r -> r[1] >= bytes).findFirst().orElseThrow()[0];
    }

    @Test
    void maxLifetimeClosesEvenABusyClient() throws Exception {
        Server server = start(ListenerConfig.builder("echo").maxLifetime(Duration.ofSeconds(1)), TestHandlers.echo());
        Socket busy = client(server);
        long end = System.nanoTime() + BOUND.toNanos();
        int exchanges = 0;
        try {
            while (exchanges < 3_000 && System.nanoTime() - end < 0) {
                busy.getOutputStream().write('b');
                if (busy.getInputStream().read() != 'b') {
                    break;
                }
                exchanges++;
                Thread.sleep(10); // the client's pace
            }
        } catch (IOException closed) {
            // closed while writing
        }
        assertTrue(exchanges < 3_000, "the busy client was cut off");
        await().untilAsserted(() -> assertEquals(Map.of("lifetime", 1L), Meters.closed(registry)));
    }

    /**
     * The longest time the server can have gone without hearing from a client, as the client sees it:
     * whatever the server does for one exchange happens between the client's sending and its reading
     * the answer, so two of its moments are never further apart than from one sending to the next
     * answer.
     */
    private static final class Pace {
        private long previousSending;
        private long currentSending;
        private boolean started;
        private long longest;

        void sending() {
            long now = System.nanoTime();
            previousSending = started ? currentSending : now;
            currentSending = now;
            started = true;
        }

        void answered() {
            longest = Math.max(longest, System.nanoTime() - previousSending);
        }

        /** Skips the test when the client itself was held up too long to tell anything. */
        void assumeQuietSpellsUnder(Duration limit) {
            Assumptions.assumeTrue(longest < limit.toNanos(), () -> "the machine held the client up for "
                    + Duration.ofNanos(longest).toMillis() + " ms: too long to judge a " + limit + " limit");
        }
    }

    private Server start(ListenerConfig.Builder listener, HandlerPlugin handler) throws IOException {
        return opened.add(TestServers.serve(listener, handler, registry));
    }

    private Socket client(Server server) throws IOException {
        return opened.add(connect(server));
    }
}
