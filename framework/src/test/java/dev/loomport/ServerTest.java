package dev.loomport;

import static dev.loomport.TestClients.connect;
import static dev.loomport.TestClients.readExactly;
import static dev.loomport.TestClients.roundTrip;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.spi.Connection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The foundation: serving, the socket pair, failures that end one connection only, and close. */
class ServerTest {
    private Server server;

    private Server start(ListenerConfig... listeners) throws IOException {
        ServerConfig.Builder config = ServerConfig.builder()
                .plugin(TestHandlers.echo())
                .meterRegistry(new SimpleMeterRegistry());
        for (ListenerConfig l : listeners) {
            config.listener(l);
        }
        server = Server.start(config.build());
        return server;
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void defaultsToLoopbackAndReportsTheEphemeralPort() throws Exception {
        start(ListenerConfig.builder("echo").build());
        BoundListener bound = server.listeners().getFirst();
        assertEquals("127.0.0.1", bound.address().getAddress().getHostAddress());
        assertNotEquals(0, bound.address().getPort());
        assertEquals("echo", bound.name());
        assertEquals("127.0.0.1:" + bound.address().getPort(), bound.hostAndPort());
    }

    @Test
    void handlerSeesItsSocketPairIdNamesAndOwnVirtualThread() throws Exception {
        BlockingQueue<String> seen = new ArrayBlockingQueue<>(1);
        ServerConfig config = ServerConfig.builder()
                .listener(ListenerConfig.builder("pair").name("svc").build())
                .plugin(TestHandlers.handler("pair", c -> seen.add(String.join("|",
                        c.localAddress().toString(), c.remoteAddress().toString(), c.listenerName(),
                        c.handlerName(), Long.toString(c.id()), Thread.currentThread().getName(),
                        Boolean.toString(Thread.currentThread().isVirtual())))))
                .meterRegistry(new SimpleMeterRegistry())
                .build();
        server = Server.start(config);
        try (Socket client = connect(server)) {
            String[] got = seen.poll(30, TimeUnit.SECONDS).split("\\|");
            assertEquals(client.getRemoteSocketAddress().toString(), got[0]);
            assertEquals(client.getLocalSocketAddress().toString(), got[1]); // the client's ephemeral port
            assertEquals("svc", got[2]);
            assertEquals("pair", got[3]);
            assertEquals("loomport svc#" + got[4], got[5]);
            assertEquals("true", got[6]);
        }
    }

    @Test
    void servesSeveralPortsEachWithItsHandler() throws Exception {
        ServerConfig config = ServerConfig.builder()
                .listener(ListenerConfig.builder("echo").build())
                .listener(ListenerConfig.builder("hello").build())
                .listener(ListenerConfig.builder("echo").build())
                .plugin(TestHandlers.echo())
                .plugin(TestHandlers.handler("hello", c -> c.output().write("hello\n".getBytes())))
                .meterRegistry(new SimpleMeterRegistry())
                .build();
        server = Server.start(config);
        List<BoundListener> bound = server.listeners();
        assertEquals(List.of("echo", "hello", "echo-2"), bound.stream().map(BoundListener::name).toList());
        try (Socket a = connect(bound.get(0).address());
             Socket b = connect(bound.get(1).address());
             Socket c = connect(bound.get(2).address())) {
            assertArrayEquals("x".getBytes(), roundTrip(a, "x".getBytes()));
            assertArrayEquals("hello\n".getBytes(), b.getInputStream().readAllBytes());
            assertArrayEquals("y".getBytes(), roundTrip(c, "y".getBytes()));
        }
    }

    @Test
    void servesIpv6Loopback() throws Exception {
        start(ListenerConfig.builder("echo").host("[::1]").build());
        assertTrue(server.listeners().getFirst().hostAndPort().startsWith("[::1]:"),
                server.listeners().getFirst().hostAndPort());
        try (Socket s = connect(server)) {
            assertArrayEquals("v6".getBytes(), roundTrip(s, "v6".getBytes()));
        }
    }

    @Test
    void aThrowingHandlerEndsOnlyItsConnectionAndIsLoggedOnceAsWarning() throws Exception {
        try (LogCapture logs = LogCapture.loomport()) {
            ServerConfig config = ServerConfig.builder()
                    .listener(ListenerConfig.builder("boom").build())
                    .plugin(TestHandlers.handler("boom", c -> {
                        int first = c.input().read();
                        if (first == 'x') {
                            throw new IllegalStateException("handler bug");
                        }
                        TestHandlers.echo(c);
                    }))
                    .meterRegistry(new SimpleMeterRegistry())
                    .build();
            server = Server.start(config);
            try (Socket survivor = connect(server); Socket victim = connect(server)) {
                OutputStream out = survivor.getOutputStream();
                out.write('a');
                victim.getOutputStream().write('x');
                TestClients.assertReset(victim); // the failing connection is closed, with a RST
                out.write("bc".getBytes());
                assertArrayEquals("bc".getBytes(), readExactly(survivor.getInputStream(), 2));
            }
            try (Socket later = connect(server)) { // the accept loop goes on
                assertArrayEquals("ok".getBytes(), roundTrip(later, "aok".getBytes()));
            }
            await().untilAsserted(() -> assertEquals(1, logs.messages(Level.WARNING, "failed").size()));
            String warning = logs.messages(Level.WARNING, "failed").getFirst();
            assertTrue(warning.matches("\\[boom#\\d+] handler 'boom' failed: java.lang.IllegalStateException: handler bug"),
                    warning);
        }
    }

    @Test
    void aClientResetEndsOnlyItsConnectionAndIsLoggedAtDebugOnly() throws Exception {
        try (LogCapture logs = LogCapture.loomport()) {
            start(ListenerConfig.builder("echo").build());
            try (Socket survivor = connect(server)) {
                Socket reset = connect(server);
                reset.getOutputStream().write(new byte[1000]);
                readExactly(reset.getInputStream(), 1000);
                reset.setSoLinger(true, 0); // close sends RST
                reset.close();
                await().until(() -> server.activeConnections() == 1);
                survivor.getOutputStream().write("still".getBytes());
                assertArrayEquals("still".getBytes(), readExactly(survivor.getInputStream(), 5));
            }
            await().until(() -> server.activeConnections() == 0);
            assertEquals(List.of(), logs.messages(Level.WARNING, ""));
        }
    }

    @Test
    void closeEndsEveryConnectionThreadAndFreesThePorts() throws Exception {
        start(ListenerConfig.builder("echo").build(), ListenerConfig.builder("echo").build());
        List<InetSocketAddress> addresses = server.listeners().stream().map(BoundListener::address).toList();
        Socket a = connect(addresses.get(0));
        Socket b = connect(addresses.get(1));
        a.getOutputStream().write(1);
        b.getOutputStream().write(2);
        readExactly(a.getInputStream(), 1);
        readExactly(b.getInputStream(), 1);
        assertEquals(2, server.activeConnections());
        assertTrue(server.liveThreads() >= 4, "2 accept loops + 2 connections, counted");

        server.close();

        assertTrue(server.isTerminated());
        assertEquals(0, server.liveThreads());
        assertEquals(0, server.activeConnections());
        TestClients.assertReset(a); // close() is a forced close: RST
        TestClients.assertReset(b);
        a.close();
        b.close();
        for (InetSocketAddress address : addresses) {
            try (ServerSocket again = new ServerSocket()) {
                again.bind(address); // the port is free again
            }
        }
        server.close(); // idempotent
    }

    @Test
    void aHandlerThatIgnoresInterruptsWhileReadingStillEndsOnClose() throws Exception {
        ServerConfig config = ServerConfig.builder()
                .listener(ListenerConfig.builder("stubborn").build())
                .plugin(TestHandlers.handler("stubborn", ServerTest::readIgnoringInterrupts))
                .meterRegistry(new SimpleMeterRegistry())
                .build();
        server = Server.start(config);
        try (Socket s = connect(server)) {
            s.getOutputStream().write(1);
            await().until(() -> server.activeConnections() == 1);
            server.close();
            assertEquals(0, server.liveThreads());
        }
    }

    private static void readIgnoringInterrupts(Connection c) {
        InputStream in = c.input();
        while (true) {
            try {
                if (in.read() < 0) {
                    return;
                }
            } catch (IOException e) {
                return; // the socket was closed: the only way out
            }
            Thread.interrupted();
        }
    }

    @Test
    void streamsInBothDirectionsWithoutWaitingForTheWholeMessage() throws Exception {
        start(ListenerConfig.builder("echo").build());
        try (Socket s = connect(server)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 128; i++) { // 8 MiB in lock-step: each chunk comes back before the next goes
                java.util.Arrays.fill(chunk, (byte) i);
                out.write(chunk);
                assertArrayEquals(chunk, readExactly(in, chunk.length));
            }
        }
    }

    @Test
    void stopsWithinReasonableTimeWhenClosedFromManyThreadsAtOnce() throws Exception {
        start(ListenerConfig.builder("echo").build());
        try (Socket s = connect(server)) {
            s.getOutputStream().write(1);
            readExactly(s.getInputStream(), 1);
            List<Thread> closers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                closers.add(Thread.ofVirtual().start(server::close));
            }
            for (Thread t : closers) {
                assertTrue(t.join(Duration.ofSeconds(30)), "close returned");
            }
            assertTrue(server.isTerminated());
            assertEquals(0, server.liveThreads());
        }
    }

    @Test
    void greetsInUtf8() throws Exception {
        ServerConfig config = ServerConfig.builder()
                .listener(ListenerConfig.builder("hi").build())
                .plugin(TestHandlers.handler("hi", c -> c.output().write("héllo".getBytes(StandardCharsets.UTF_8))))
                .meterRegistry(new SimpleMeterRegistry())
                .build();
        server = Server.start(config);
        try (Socket s = connect(server)) {
            assertEquals("héllo", new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
