package dev.loomport;

import static dev.loomport.TestClients.connect;
import static dev.loomport.TestHandlers.handler;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.spi.TaskScope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Server.close() and Server.shutdown(grace): what ends, in which order, and that nothing is left. */
class ShutdownTest {
    private static final long WAIT = TestClients.TIMEOUT.toSeconds();

    @Test
    void drainActionsRegisteredFromSeveralThreadsRunOnceEachInTheirOrder() throws Exception {
        int threads = 4;
        int each = 50;
        var ran = new ConcurrentLinkedQueue<String>();
        var registered = new CountDownLatch(1);
        Server server = TestServers.serve(handler("many", c -> {
            try (TaskScope scope = c.openScope()) {
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    scope.fork(() -> { // the registrations of four threads race one another
                        for (int i = 0; i < each; i++) {
                            String name = thread + ":" + i;
                            c.onDrain(() -> ran.add(name));
                        }
                        return null;
                    });
                }
                scope.join();
            }
            registered.countDown();
            c.input().read(); // until the client hangs up
        }), new SimpleMeterRegistry());
        try (Socket client = connect(server)) {
            assertTrue(registered.await(WAIT, TimeUnit.SECONDS));
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.shutdown(Duration.ofMinutes(5)));
            await().until(() -> ran.size() >= threads * each);
            client.close();
            stopping.get(WAIT * 2, TimeUnit.SECONDS);
        }
        List<String> all = List.copyOf(ran);
        assertEquals(threads * each, all.size(), "each action once: " + all);
        for (int t = 0; t < threads; t++) {
            String thread = t + ":";
            List<String> mine = all.stream().filter(s -> s.startsWith(thread)).toList();
            List<String> expected = java.util.stream.IntStream.range(0, each).mapToObj(i -> thread + i).toList();
            assertEquals(expected, mine, "thread " + t + "'s actions, in the order it registered them");
        }
    }

    @Test
    void handlersSeeTheDrainingFlagAndCallbacksAndCanSayGoodbye() throws Exception {
        var registry = new SimpleMeterRegistry();
        var drainCallback = new CompletableFuture<String>();
        var lateCallback = new CompletableFuture<String>();
        Server server = TestServers.serve(handler("chat", c -> {
            c.onDrain(() -> drainCallback.complete(Thread.currentThread().getName() + " draining=" + c.isDraining()));
            var in = new BufferedReader(new InputStreamReader(c.input(), US_ASCII));
            OutputStream out = c.output();
            for (String line; (line = in.readLine()) != null; ) {
                boolean last = c.isDraining(); // finish this exchange, say goodbye, end
                out.write(("echo " + line + "\n" + (last ? "bye\n" : "")).getBytes(US_ASCII));
                if (last) {
                    c.onDrain(() -> lateCallback.complete(Thread.currentThread().getName()));
                    return;
                }
            }
        }), registry);
        try (Socket client = connect(server)) {
            var in = new BufferedReader(new InputStreamReader(client.getInputStream(), US_ASCII));
            OutputStream out = client.getOutputStream();
            out.write("one\n".getBytes(US_ASCII));
            assertEquals("echo one", in.readLine());

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.shutdown(Duration.ofMinutes(5)));
            // The action runs on a thread of the server's for this connection, which already says draining.
            String seen = drainCallback.get(WAIT, TimeUnit.SECONDS);
            assertTrue(seen.matches("loomport chat#\\d+ drain draining=true"), seen);
            assertTrue(server.isDraining());
            assertThrows(ConnectException.class, () -> connect(server.listeners().getFirst().address()).close(),
                    "no new connection while draining");

            out.write("two\n".getBytes(US_ASCII));
            assertEquals("echo two", in.readLine());
            assertEquals("bye", in.readLine());
            assertEquals(null, in.readLine());
            // Registered once draining had begun: it ran at once, on the handler's own thread.
            assertTrue(lateCallback.get(WAIT, TimeUnit.SECONDS).startsWith("loomport chat#"));

            // The connection ended by itself, so the stop did not wait out its five minutes.
            stopping.get(WAIT * 2, TimeUnit.SECONDS);
            assertEquals(1, TestServers.closed(registry, "server-closed"));
            assertEquals(0, TestServers.closed(registry, "shutdown"));
            assertEquals(0, server.liveThreads());
        } finally {
            server.close();
        }
    }

    @Test
    void aHandlerThatIgnoresInterruptsWhileReadingEndsWhenItsSocketCloses() throws Exception {
        var registry = new SimpleMeterRegistry();
        var reading = new CountDownLatch(1);
        var ended = new CompletableFuture<String>();
        Server server = TestServers.serve(handler("stubborn", c -> {
            byte[] buffer = new byte[1024];
            reading.countDown();
            while (true) {
                try {
                    if (c.input().read(buffer) < 0) {
                        ended.complete("eof");
                        return;
                    }
                } catch (InterruptedIOException e) {
                    Thread.interrupted(); // shrug the interrupt off and read on
                } catch (IOException e) {
                    ended.complete("socket closed: " + e);
                    throw e;
                }
            }
        }), registry);
        try (Socket client = connect(server)) {
            assertTrue(reading.await(WAIT, TimeUnit.SECONDS));
            server.close();
            assertTrue(ended.getNow("still running").startsWith("socket closed"), ended.getNow("still running"));
            assertEquals(1, TestServers.closed(registry, "shutdown"));
            assertEquals(0, server.liveThreads());
            TestClients.assertReset(client); // a forced close: RST
        } finally {
            server.close();
        }
    }

    @Test
    void closeFromSeveralThreadsAtOnceReturnsInEachOnlyOnceEverythingHasEnded() throws Exception {
        var registry = new SimpleMeterRegistry();
        Server server = TestServers.serve(TestHandlers.echo(), registry);
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                clients.add(connect(server));
            }
            await().until(() -> server.activeConnections() == 20);
            int callers = 8;
            var barrier = new CyclicBarrier(callers);
            var seenAfterReturn = new ConcurrentLinkedQueue<String>();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> calls = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    boolean graceful = i % 2 == 0;
                    calls.add(pool.submit(() -> {
                        barrier.await(WAIT, TimeUnit.SECONDS);
                        if (graceful) {
                            server.shutdown(Duration.ofHours(1)); // close() from the others cuts it short
                        } else {
                            server.close();
                        }
                        seenAfterReturn.add(server.isTerminated() + " " + server.liveThreads());
                        return null;
                    }));
                }
                for (Future<?> call : calls) {
                    call.get(WAIT * 2, TimeUnit.SECONDS);
                }
            }
            assertEquals(List.of("true 0"), seenAfterReturn.stream().distinct().toList());
            assertEquals(20, TestServers.closed(registry, "shutdown"));
            for (Socket client : clients) {
                TestClients.assertReset(client);
            }
        } finally {
            clients.forEach(ShutdownTest::closeQuietly);
            server.close();
        }
    }

    @Test
    void closeWhileConnectionsAreBeingAcceptedLeavesNoConnectionBehind() throws Exception {
        var registry = new SimpleMeterRegistry();
        Server server = TestServers.serve(TestHandlers.echo(), registry);
        InetSocketAddress address = server.listeners().getFirst().address();
        var clients = new ConcurrentLinkedQueue<Socket>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> connectors = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                connectors.add(pool.submit(() -> {
                    // Connect until refused (or 500 times), each connection echoing one byte if it can.
                    for (int n = 0; n < 500; n++) {
                        Socket s;
                        try {
                            s = connect(address);
                        } catch (SocketException e) {
                            // Refused, or reset: closing the listening socket resets connections the
                            // kernel had completed but nobody had accepted, and one may be this connect.
                            return n;
                        }
                        clients.add(s);
                        try {
                            s.getOutputStream().write(n);
                            s.getInputStream().read();
                        } catch (IOException e) {
                            // closed by the stopping server: expected once it stops
                        }
                    }
                    return 500;
                }));
            }
            await().until(() -> TestServers.accepted(registry) >= 100);
            server.close();
            assertEquals(0, server.liveThreads());
            assertEquals(0, server.activeConnections());
            for (Future<Integer> connector : connectors) {
                connector.get(WAIT * 2, TimeUnit.SECONDS);
            }
        } finally {
            server.close();
        }
        assertThrows(ConnectException.class, () -> connect(address).close(), "a stopped server stays stopped");
        // Every connection that reached a handler was counted closed exactly once.
        assertEquals(TestServers.accepted(registry), TestServers.closed(registry));
        for (Socket client : clients) {
            try (client) {
                assertConnectionEnded(client);
            }
        }
    }

    @Test
    void aServerCannotBeStoppedFromItsOwnThreads() throws Exception {
        var serverRef = new AtomicReference<Server>();
        var thrown = new CompletableFuture<List<String>>();
        Server server = TestServers.serve(handler("selfstop", c -> {
            List<String> r = new ArrayList<>();
            r.add(threw(() -> serverRef.get().close()));
            try (TaskScope scope = c.openScope()) {
                var sub = scope.fork(() -> threw(() -> serverRef.get().shutdown(Duration.ofSeconds(1))));
                scope.join();
                r.add(sub.get());
            }
            thrown.complete(r);
        }));
        serverRef.set(server);
        try (Socket client = connect(server)) {
            assertEquals(List.of("WrongThreadException", "WrongThreadException"), thrown.get(WAIT, TimeUnit.SECONDS));
            assertFalse(server.isDraining());
        } finally {
            server.close();
        }
    }

    @Test
    void aLongGracePeriodIsCutShortByALaterClose() throws Exception {
        var registry = new SimpleMeterRegistry();
        Server server = TestServers.serve(TestHandlers.echo(), registry);
        try (Socket idle = connect(server)) {
            await().until(() -> server.activeConnections() == 1);
            CompletableFuture<Void> graceful = CompletableFuture.runAsync(() -> server.shutdown(Duration.ofDays(1)));
            await().until(server::isDraining);
            server.close();
            assertTrue(server.isTerminated());
            graceful.get(WAIT, TimeUnit.SECONDS);
            assertEquals(1, TestServers.closed(registry, "shutdown"));
            TestClients.assertReset(idle); // cut at the deadline: an abort
        }
    }

    /** Draining is the stop under way: false before it begins and again once the server has terminated. */
    @Test
    void aTerminatedServerIsNoLongerDraining() throws Exception {
        Server server = TestServers.serve(TestHandlers.echo());
        assertFalse(server.isDraining());
        server.shutdown(Duration.ofSeconds(1));
        assertTrue(server.isTerminated());
        assertFalse(server.isDraining());
    }

    static void assertConnectionEnded(Socket client) {
        try {
            int b;
            do {
                b = client.getInputStream().read();
            } while (b >= 0);
        } catch (IOException e) {
            // reset or closed: ended too
        }
    }

    private static String threw(Action action) {
        try {
            action.run();
            return "nothing";
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }

    interface Action {
        void run() throws Exception;
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // the test is over
        }
    }
}
