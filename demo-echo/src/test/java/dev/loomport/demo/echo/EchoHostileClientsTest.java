package dev.loomport.demo.echo;

import static dev.loomport.demo.echo.Sockets.exchange;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig;
import dev.loomport.Server;
import dev.loomport.ServerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The echo handler (found as a plug-in, as the launcher finds it) against clients that send garbage,
 * every byte value, reset, half-close, or send 100 MiB. Whatever a client does, the server goes on
 * serving the next one, and a client that reads gets every byte back in order.
 */
class EchoHostileClientsTest {
    private static final int TIMEOUT_MS = 30_000;
    private static final long HUNDRED_MIB = 100L * 1024 * 1024;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    @Test
    void garbageComesBackByteForByte() throws Exception {
        Server server = start(ListenerConfig.builder("echo"));
        byte[] garbage = new byte[1024 * 1024];
        new Random(42).nextBytes(garbage);
        assertArrayEquals(garbage, exchange(client(server), garbage));
        assertStillServes(server);
    }

    @Test
    void everyByteValueComesBack() throws Exception {
        Server server = start(ListenerConfig.builder("echo"));
        byte[] all = new byte[256 * 3];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;                // ascending: NUL, CR, LF, 0x7F, 0x80, 0xFF...
            all[511 - i] = (byte) i;          // descending
            all[512 + i] = (byte) (i * 167); // every value again, shuffled (167 is odd: a permutation)
        }
        assertArrayEquals(all, exchange(client(server), all));
        await().untilAsserted(() -> assertEquals(Map.of("client-closed", 1L), closed()));
    }

    /**
     * The client sends far more than TCP's buffers hold, reads only the first 64 KiB of the echo, and
     * resets (RST) while both its writer and the server's echo are blocked mid-stream.
     */
    @Test
    void aClientThatResetsMidStreamEndsOnlyItself() throws Exception {
        Server server = start(ListenerConfig.builder("echo"));
        Socket resetter = client(server);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> writing = threads.submit(() -> {
                writeStream(resetter.getOutputStream(), 64L * 1024 * 1024);
                return null;
            });
            byte[] echoed = resetter.getInputStream().readNBytes(64 * 1024);
            assertStreamAt(0, echoed, echoed.length);
            // well into the stream: past what the client read, into what the default buffers hold
            await().until(() -> count("loomport.received.bytes") > 256 * 1024);
            resetter.setSoLinger(true, 0);
            resetter.close();
            ExecutionException stopped = assertThrows(ExecutionException.class,
                    () -> writing.get(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the writer was blocked, mid-stream");
            assertInstanceOf(IOException.class, stopped.getCause());
        }
        await().untilAsserted(() -> assertEquals(Map.of("client-reset", 1L), closed()));
        assertEquals(0, count("loomport.handler.errors"), "a client going away is not the handler failing");
        assertStillServes(server);
    }

    @Test
    void aHalfClosingClientGetsEverythingThenEndOfStream() throws Exception {
        Server server = start(ListenerConfig.builder("echo"));
        Socket halfCloser = client(server);
        byte[] data = "all of this, then FIN\n".repeat(1000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        halfCloser.getOutputStream().write(data);
        halfCloser.shutdownOutput(); // FIN: the server sees end of stream, but can still write
        assertArrayEquals(data, halfCloser.getInputStream().readAllBytes());
        await().untilAsserted(() -> assertEquals(Map.of("client-closed", 1L), closed()));
    }

    /**
     * 100 MiB from a client that writes on one thread and reads on another: every byte comes back in
     * order, and at no point has the server read much more than it has written back (it holds one
     * 8 KiB buffer per connection, whatever the client sends).
     */
    @Test
    void oneHundredMebibytesComeBackInOrderWithBoundedMemory() throws Exception {
        Server server = start(ListenerConfig.builder("echo"));
        Socket client = client(server);
        long largestBacklog = 0;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> writing = threads.submit(() -> {
                writeStream(client.getOutputStream(), HUNDRED_MIB);
                client.shutdownOutput();
                return null;
            });
            InputStream in = client.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long position = 0;
            for (int n, reads = 0; (n = in.read(buffer)) != -1; reads++) {
                assertStreamAt(position, buffer, n);
                position += n;
                if (reads % 64 == 0) {
                    double received = count("loomport.received.bytes"); // first: so the difference can only shrink
                    double sent = count("loomport.sent.bytes");
                    largestBacklog = Math.max(largestBacklog, (long) (received - sent));
                }
            }
            writing.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertEquals(HUNDRED_MIB, position, "every byte, then end of stream");
        }
        assertTrue(largestBacklog <= EchoHandler.LARGE, "the server held at most its buffer: " + largestBacklog);
        await().untilAsserted(() -> assertEquals(Map.of("client-closed", 1L), closed()));
    }

    /**
     * A client that sends 100 MiB and means to read only at the end cannot: once the server's send
     * buffer and its own receive buffer are full, the echo's write waits, the server stops reading
     * (it never holds more than one 16 KiB buffer), and then the client's write waits too. TCP holds a few
     * hundred KiB, not 100 MiB; the only way to take it all would be to buffer it in the server, which
     * the echo refuses to do. What keeps this from lasting forever is the write timeout: the server
     * closes the connection, the client's write fails, and what the client can still read is an exact
     * prefix of what it sent.
     */
    @Test
    void aClientThatNeverReadsIsClosedByTheWriteTimeout() throws Exception {
        Server server = start(ListenerConfig.builder("echo").writeTimeout(Duration.ofSeconds(1)));
        Socket client = client(server);
        long[] written = {0};
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> writing = threads.submit(() -> {
                byte[] chunk = new byte[64 * 1024];
                OutputStream out = client.getOutputStream();
                while (written[0] < HUNDRED_MIB) {
                    fillStream(written[0], chunk);
                    out.write(chunk);
                    written[0] += chunk.length;
                }
                return null;
            });
            ExecutionException failed;
            try {
                failed = assertThrows(ExecutionException.class, () -> writing.get(60, TimeUnit.SECONDS),
                        "the client's write fails once the server gives up on it");
            } finally {
                client.shutdownOutput(); // should the assertion fail: unblock the writer
            }
            assertInstanceOf(IOException.class, failed.getCause());
        }
        assertTrue(written[0] < 32L * 1024 * 1024, "TCP took far less than 100 MiB: " + written[0]);
        await().untilAsserted(() -> assertEquals(Map.of("write-timeout", 1L), closed()));
        assertTrue(count("loomport.received.bytes") < 32L * 1024 * 1024, "nor did the server read it");

        // What did come back before the close is in order.
        InputStream in = client.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long position = 0;
        try {
            for (int n; (n = in.read(buffer)) != -1; position += n) {
                assertStreamAt(position, buffer, n);
            }
        } catch (IOException reset) {
            // the server's close may arrive as a reset: the bytes before it were checked
        }
        assertStillServes(server);
    }

    // ---- the stream: deterministic bytes by position, so a reader can check any slice of it ----

    private static final byte[] PATTERN = new byte[1024 * 1024 + 7]; // not a multiple of any chunk size

    static {
        new Random(2024).nextBytes(PATTERN);
    }

    /** The byte at {@code position}: the pattern, changed on each pass so that a repeated pass shows. */
    private static byte streamAt(long position) {
        return (byte) (PATTERN[(int) (position % PATTERN.length)] ^ (position / PATTERN.length));
    }

    private static void fillStream(long position, byte[] chunk) {
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = streamAt(position + i);
        }
    }

    private static void writeStream(OutputStream out, long size) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        for (long position = 0; position < size; position += chunk.length) {
            fillStream(position, chunk);
            out.write(chunk, 0, (int) Math.min(chunk.length, size - position));
        }
    }

    private static void assertStreamAt(long position, byte[] buffer, int n) {
        for (int i = 0; i < n; i++) {
            if (buffer[i] != streamAt(position + i)) {
                throw new AssertionError("byte " + (position + i) + " is " + buffer[i] + ", expected "
                        + streamAt(position + i));
            }
        }
    }

    // ---- helpers ----

    private Server start(ListenerConfig.Builder listener) throws IOException {
        Server server = Server.start(ServerConfig.builder().listener(listener.build()).meterRegistry(registry).build());
        toClose.add(server);
        return server;
    }

    private Socket client(Server server) throws IOException {
        Socket s = Sockets.connect(server.listeners().getFirst().address());
        toClose.add(s);
        return s;
    }

    private void assertStillServes(Server server) throws Exception {
        byte[] hello = "still serving\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertArrayEquals(hello, exchange(client(server), hello));
    }

    private Map<String, Long> closed() {
        return Meters.byTag(registry, "loomport.closed.connections", "outcome");
    }

    private double count(String name) {
        return Meters.count(registry, name);
    }
}
