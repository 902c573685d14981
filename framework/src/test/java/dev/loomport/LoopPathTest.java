package dev.loomport;

import static dev.loomport.TestClients.connect;
import static dev.loomport.TestClients.readExactly;
import static dev.loomport.TestHandlers.handler;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.SocketOptions.IoPath;
import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What the framework-owned I/O path adds (issue 18), on a listener that asks for it whatever the JDK's
 * default: a thread waiting in a read or a write wakes at once on an interrupt or a close from another
 * thread, half-close works both ways, bytes arrive exactly, connections spread over the loops, and the
 * loops end with the server. Every other behaviour is the whole suite's, which runs on both paths.
 */
class LoopPathTest {

    /** What a handler blocked in one call ended with, and a way for the test to reach its thread. */
    private static final class Blocked {
        final CompletableFuture<Thread> thread = new CompletableFuture<>();
        final CompletableFuture<Connection> connection = new CompletableFuture<>();
        final CompletableFuture<String> ended = new CompletableFuture<>();

        ConnectionHandler around(BlockingCall call) {
            return c -> {
                connection.complete(c);
                thread.complete(Thread.currentThread());
                try {
                    call.run(c);
                    ended.complete("returned");
                } catch (Exception e) {
                    ended.complete(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            };
        }

        String await() throws Exception {
            return ended.get(30, TimeUnit.SECONDS);
        }
    }

    private interface BlockingCall {
        void run(Connection c) throws Exception;
    }

    private static void read(Connection c) throws Exception {
        c.input().read(new byte[16]);
    }

    /** Writes until the socket is full: the client never reads. */
    private static void writeForever(Connection c) throws Exception {
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 100_000; i++) {
            c.output().write(chunk);
        }
    }

    private static Server serve(String name, ConnectionHandler body) throws Exception {
        return TestServers.serve(ListenerConfig.builder(name).ioPath(IoPath.LOOP), handler(name, body),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    private static String blockThen(BlockingCall call, Consumer<Blocked> wake) throws Exception {
        Blocked blocked = new Blocked();
        try (Server server = serve("loop-blocked", blocked.around(call)); Socket client = connect(server)) {
            Thread t = blocked.thread.get(30, TimeUnit.SECONDS);
            org.awaitility.Awaitility.await().until(() -> t.getState() == Thread.State.WAITING);
            wake.accept(blocked);
            return blocked.await();
        }
    }

    @Test
    void anInterruptWakesABlockedReadAndClosesTheSocketAsTheJdksPathDoes() throws Exception {
        assertEquals("SocketException: Closed by interrupt",
                blockThen(LoopPathTest::read, b -> b.thread.join().interrupt()));
    }

    @Test
    void anInterruptWakesABlockedWrite() throws Exception {
        assertEquals("SocketException: Closed by interrupt",
                blockThen(LoopPathTest::writeForever, b -> b.thread.join().interrupt()));
    }

    @Test
    void aCloseFromAnotherThreadWakesABlockedRead() throws Exception {
        assertEquals("SocketException: Socket closed",
                blockThen(LoopPathTest::read, b -> closeQuietly(b.connection.join().output())));
    }

    @Test
    void aCloseFromAnotherThreadWakesABlockedWrite() throws Exception {
        assertEquals("SocketException: Socket closed",
                blockThen(LoopPathTest::writeForever, b -> closeQuietly(b.connection.join().input())));
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void halfCloseWorksBothWays() throws Exception {
        // The server reads to EOF (the client's half-close), answers, half-closes itself, and then still
        // reads what the client sends after seeing that EOF: both directions end independently.
        ConnectionHandler body = c -> {
            byte[] first = c.input().readAllBytes();
            c.output().write(("got " + first.length).getBytes(StandardCharsets.US_ASCII));
            c.shutdownOutput();
        };
        try (Server server = serve("loop-half", body); Socket client = connect(server)) {
            client.getOutputStream().write(new byte[1000]);
            client.shutdownOutput();
            assertEquals("got 1000", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
        ConnectionHandler echoAfterShut = c -> {
            c.shutdownOutput();
            byte[] all = c.input().readAllBytes();
            assertEquals(3, all.length);
        };
        try (Server server = serve("loop-half2", echoAfterShut); Socket client = connect(server)) {
            assertEquals(-1, client.getInputStream().read(), "the server's half-close");
            client.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII)); // still accepted
            client.shutdownOutput();
            org.awaitility.Awaitility.await().until(() -> server.activeConnections() == 0);
        }
    }

    @Test
    void aMebibyteEachWayArrivesExactly() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(18).nextBytes(data);
        try (Server server = serve("loop-bulk", TestHandlers::echo); Socket client = connect(server)) {
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    for (int off = 0; off < data.length; off += 7919) { // uneven writes: chunk edges move
                        out.write(data, off, Math.min(7919, data.length - off));
                    }
                    client.shutdownOutput();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            InputStream in = client.getInputStream();
            assertArrayEquals(data, readExactly(in, data.length));
            assertEquals(-1, in.read());
            writing.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aHandlerThatReadsLateGetsEveryByteThoughTheLoopStoppedReadingMeanwhile() throws Exception {
        // The handler waits for a first byte (so it registers with its loop: nothing has been sent yet),
        // then reads nothing until the client has sent far more than the loop buffers (64 KiB): the loop
        // pauses reading that socket, and the handler's reads resume it, byte-exact.
        byte[] data = new byte[1 << 20];
        new Random(21).nextBytes(data);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger aheadAtFirstRead = new java.util.concurrent.atomic.AtomicInteger(-1);
        CompletableFuture<Thread> handler = new CompletableFuture<>();
        ConnectionHandler late = c -> {
            handler.complete(Thread.currentThread());
            int first = c.input().read();
            go.await();
            aheadAtFirstRead.set(c.input().available()); // what the loop read ahead while the handler waited
            byte[] rest = c.input().readAllBytes();
            c.output().write(((1 + rest.length) + " " + first + " " + java.util.Arrays.hashCode(rest))
                    .getBytes(StandardCharsets.US_ASCII));
        };
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        try (Server server = serve("loop-late", late); Socket client = connect(server)) {
            Thread t = handler.get(30, TimeUnit.SECONDS);
            org.awaitility.Awaitility.await().until(() -> t.getState() == Thread.State.WAITING); // in its first read
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    for (int off = 0; off < data.length; off += 7919) { // uneven: reads straddle the bound
                        int n = Math.min(7919, data.length - off);
                        out.write(data, off, n);
                        sent.addAndGet(n);
                    }
                    client.shutdownOutput();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            org.awaitility.Awaitility.await().until(() -> sent.get() >= 256 * 1024);
            go.countDown();
            writing.get(30, TimeUnit.SECONDS);
            assertEquals(data.length + " " + (data[0] & 0xff) + " "
                    + java.util.Arrays.hashCode(java.util.Arrays.copyOfRange(data, 1, data.length)),
                    new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            assertTrue(aheadAtFirstRead.get() > 0 && aheadAtFirstRead.get() <= 64 * 1024,
                    () -> "read ahead: " + aheadAtFirstRead.get() + " bytes; the bound is 64 KiB");
        }
    }

    /** Reads to the end, then answers how many bytes that was. */
    private static final ConnectionHandler COUNT = c -> {
        byte[] all = c.input().readAllBytes();
        c.output().write(Integer.toString(all.length).getBytes(StandardCharsets.US_ASCII));
    };

    @Test
    void clientsThatSendAndCloseAtOnceAreAllServed() throws Exception {
        // Such a client's socket is readable (and at EOF) the moment the loop first looks at it: the loop
        // must know the connection's key by then (it once registered interest before it did).
        try (Server server = serve("loop-send-close", COUNT)) {
            for (int round = 0; round < 200; round++) {
                try (Socket client = connect(server)) {
                    client.getOutputStream().write(new byte[100 + round]);
                    client.shutdownOutput();
                    assertEquals(Integer.toString(100 + round),
                            new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                }
            }
        }
    }

    @Test
    void clientsThatSendAndCloseAtOnceAreAllServedWhenManyComeTogether() throws Exception {
        // As above, 8 at a time: their connections race to register (or not) with the same two loops.
        try (Server server = serve("loop-send-close-many", COUNT)) {
            List<CompletableFuture<Void>> lanes = new ArrayList<>();
            for (int lane = 0; lane < 8; lane++) {
                int l = lane;
                lanes.add(CompletableFuture.runAsync(() -> {
                    for (int round = 0; round < 40; round++) {
                        int n = 1 + l * 1000 + round;
                        try (Socket client = connect(server)) {
                            client.getOutputStream().write(new byte[n]);
                            client.shutdownOutput();
                            assertEquals(Integer.toString(n),
                                    new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }, r -> Thread.ofVirtual().start(r)));
            }
            CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aHandlerThatReturnsWithoutReadingWhatWasSentEndsWithAFin() throws Exception {
        // Closing a socket over unread input sends a RST; shut down first, the client reads the answer and
        // then the end (a FIN), not "Connection reset". The client's bytes are there before the handler
        // runs, so the connection never registers with its loop: the close is the connection's own.
        ConnectionHandler rude = c -> c.output().write("bye".getBytes(StandardCharsets.US_ASCII));
        try (Server server = serve("loop-unread", rude)) {
            for (int round = 0; round < 20; round++) {
                try (Socket client = connect(server)) {
                    client.setTcpNoDelay(true);
                    client.getOutputStream().write(new byte[1000]);
                    assertEquals("bye", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                }
            }
        }
    }

    @Test
    void manyConnectionsAreServedAcrossTheLoopsAndTheLoopsEndWithTheServer() throws Exception {
        Server server = serve("loop-many", TestHandlers::echo);
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                clients.add(connect(server));
            }
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < clients.size(); i++) {
                    TestClients.assertEchoes(clients.get(i), "round " + round + " client " + i);
                }
            }
            // The accept loop, 64 connections, and 2 loops with a waker each (no watchdog: no timeouts set).
            assertTrue(server.liveThreads() >= 1 + 64 + 4, () -> "live: " + server.liveThreads());
        } finally {
            server.shutdown(Duration.ZERO);
            for (Socket c : clients) {
                c.close();
            }
        }
        assertEquals(0, server.liveThreads(), "the loops and wakers ended with the server");
        server.close();
    }
}
