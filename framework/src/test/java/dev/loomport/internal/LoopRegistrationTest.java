package dev.loomport.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When a loop-path connection registers with its loop: only once it has to wait (issue 18, churn). The
 * key is the observable: {@link LoopSocket#registeredWithLoop()} is whether the connection has one, which
 * costs nothing on the hot path (a counter would be one more write per connection for a test's sake).
 * Also the races around that first registration: a close or an interrupt during or right after it still
 * wakes the reader at once, and no reader is left parked.
 */
class LoopRegistrationTest {
    private final ThreadCount threads = new ThreadCount();
    private IoLoops loops;
    private ServerSocketChannel server;

    @BeforeEach
    void start() throws Exception {
        loops = IoLoops.start(threads);
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        loops.stop();
        assertEquals(0, threads.live(), "the loops and their wakers ended");
    }

    private Socket client() throws IOException {
        Socket client = new Socket();
        client.connect(server.getLocalAddress(), 30_000);
        client.setSoTimeout(30_000);
        return client;
    }

    private LoopSocket adopt(SocketChannel accepted) throws IOException {
        return (LoopSocket) loops.adopt(accepted.socket());
    }

    /** A read of {@code served} on its own virtual thread: what it returned, or the exception it ended with. */
    private static CompletableFuture<String> readInThread(Socket served, CompletableFuture<Thread> started)
            throws IOException {
        InputStream in = served.getInputStream(); // here: a close racing with the read must meet the read
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            started.complete(Thread.currentThread());
            try {
                byte[] b = new byte[16];
                int n = in.read(b);
                result.complete(n < 0 ? "EOF" : new String(b, 0, n, StandardCharsets.US_ASCII));
            } catch (Throwable e) {
                result.complete(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        });
        return result;
    }

    @Test
    void aConnectionWhoseBytesAreAlreadyThereIsServedWithoutRegistering() throws Exception {
        try (Socket client = client(); SocketChannel accepted = server.accept()) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            awaitReadable(accepted); // the bytes are in the server's socket before the connection first reads
            LoopSocket served = adopt(accepted);
            byte[] b = new byte[16];
            int n = served.getInputStream().read(b);
            assertEquals("hello", new String(b, 0, n, StandardCharsets.US_ASCII));
            served.getOutputStream().write(b, 0, n);
            assertFalse(served.registeredWithLoop(), "read and written without waiting: nothing registered");
            served.close();
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), client.getInputStream().readAllBytes(),
                    "the echo, then the end");
        }
    }

    /** Waits, with a selector of the test's own, until {@code channel} is readable, then lets go of it. */
    private static void awaitReadable(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            assertEquals(1, selector.select(30_000), "readable within 30 s");
            key.cancel();
            selector.selectNow(); // deregisters it: the channel is free for its loop
        }
    }

    @Test
    void aReaderThatWaitsRegistersAndIsWokenByWhatArrives() throws Exception {
        try (Socket client = client(); SocketChannel accepted = server.accept()) {
            LoopSocket served = adopt(accepted);
            CompletableFuture<Thread> reader = new CompletableFuture<>();
            CompletableFuture<String> read = readInThread(served, reader);
            await().until(served::registeredWithLoop);
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", read.get(30, TimeUnit.SECONDS));
            client.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII)); // now through the loop
            byte[] b = new byte[4];
            assertEquals("pong", new String(b, 0, readFully(served.getInputStream(), b), StandardCharsets.US_ASCII));
            served.close();
        }
    }

    private static int readFully(InputStream in, byte[] b) throws IOException {
        int off = 0;
        while (off < b.length) {
            int n = in.read(b, off, b.length - off);
            if (n < 0) {
                break;
            }
            off += n;
        }
        return off;
    }

    @Test
    void aWriterThatWaitsRegistersFirstAndTheReaderThenSharesItsKey() throws Exception {
        byte[] data = new byte[4 << 20]; // far more than both sockets' buffers: the write waits
        Arrays.fill(data, (byte) 'x');
        try (Socket client = client(); SocketChannel accepted = server.accept()) {
            LoopSocket served = adopt(accepted);
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    served.getOutputStream().write(data);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            await().until(served::registeredWithLoop);
            byte[] got = new byte[data.length];
            assertEquals(data.length, readFully(client.getInputStream(), got));
            assertArrayEquals(data, got);
            written.get(30, TimeUnit.SECONDS);
            CompletableFuture<String> read = readInThread(served, new CompletableFuture<>());
            client.getOutputStream().write("after".getBytes(StandardCharsets.US_ASCII));
            assertEquals("after", read.get(30, TimeUnit.SECONDS));
            served.close();
        }
    }

    @Test
    void aCloseDuringOrRightAfterTheFirstRegistrationWakesTheReader() throws Exception {
        raceTheFirstRegistration((served, reader) -> served.close(), "SocketException: Socket closed");
    }

    @Test
    void anInterruptDuringOrRightAfterTheFirstRegistrationWakesTheReaderAndClosesTheSocket() throws Exception {
        raceTheFirstRegistration((served, reader) -> reader.interrupt(), "SocketException: Closed by interrupt");
    }

    private interface Wake {
        void wake(LoopSocket served, Thread reader) throws IOException;
    }

    /**
     * 100 connections whose reader is woken by {@code wake}: on even rounds at once, racing with the
     * reader's first registration, on odd ones right after it. Each reader ends with {@code expected},
     * the socket closed and the client seeing the end: no reader is left parked on a key the loop lost.
     */
    private void raceTheFirstRegistration(Wake wake, String expected) throws Exception {
        for (int round = 0; round < 100; round++) {
            try (Socket client = client(); SocketChannel accepted = server.accept()) {
                LoopSocket served = adopt(accepted);
                CompletableFuture<Thread> reader = new CompletableFuture<>();
                CompletableFuture<String> read = readInThread(served, reader);
                Thread t = reader.get(30, TimeUnit.SECONDS);
                if (round % 2 == 1) {
                    await().until(served::registeredWithLoop);
                }
                wake.wake(served, t);
                assertEquals(expected, read.get(30, TimeUnit.SECONDS), "round " + round);
                assertTrue(served.isClosed(), "round " + round);
                assertEquals(-1, client.getInputStream().read(), "round " + round + ": the client sees the end");
            }
        }
    }
}
