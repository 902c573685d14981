package dev.loomport.demo.relay;

import static dev.loomport.demo.echo.Sockets.accept;
import static dev.loomport.demo.echo.Sockets.connect;
import static dev.loomport.demo.echo.Sockets.listen;
import static dev.loomport.demo.echo.Sockets.payload;
import static dev.loomport.demo.echo.Sockets.readToEnd;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig;
import dev.loomport.Server;
import dev.loomport.ServerConfig;
import dev.loomport.demo.echo.Meters;
import dev.loomport.demo.echo.Sockets;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The relay against real upstreams on loopback: loomport's own echo and a plain ServerSocket. */
class RelayTest {
    private static final long WAIT = Sockets.TIMEOUT.toSeconds();

    private final MeterRegistry registry = new SimpleMeterRegistry();

    private Server relayTo(String upstream) throws IOException {
        return Server.start(ServerConfig.builder()
                .listener(ListenerConfig.builder("relay").handlerOption("upstream", upstream).build())
                .meterRegistry(registry)
                .build());
    }

    private long closed(String outcome) {
        return (long) Meters.count(registry, "loomport.closed.connections", "outcome", outcome);
    }

    private long handlerErrors(String exception) {
        return (long) Meters.count(registry, "loomport.handler.errors", "exception", exception);
    }

    private long handlerErrors() {
        return (long) Meters.count(registry, "loomport.handler.errors");
    }

    @Test
    void relaysBothWaysByteExactThroughLoomportsOwnEchoAndPassesTheHalfCloseAlong() throws Exception {
        try (Server echo = Server.start(ServerConfig.builder()
                     .listener(ListenerConfig.builder("echo").build())
                     .meterRegistry(new SimpleMeterRegistry())
                     .build());
             Server relay = relayTo(echo.listeners().getFirst().hostAndPort());
             Socket client = connect(relay.listeners().getFirst().address())) {
            byte[] sent = payload(1 << 20, 1);
            // Write while reading: a megabyte does not fit in the buffers on the way.
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    client.getOutputStream().write(sent);
                    client.shutdownOutput(); // the echo sees EOF only if the relay passes this on
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] received = client.getInputStream().readAllBytes(); // ends at the relayed EOF
            writing.get(WAIT, TimeUnit.SECONDS);
            assertArrayEquals(sent, received);
            await().until(() -> closed("client-closed") == 1);
            assertEquals(0, handlerErrors());
        }
    }

    @Test
    void anEndOfStreamHalfClosesTheOtherSideWhileTheOtherDirectionDrains() throws Exception {
        byte[] greeting = "hello, then EOF from the upstream\n".getBytes(US_ASCII);
        byte[] request = payload(300_000, 2);
        try (ServerSocket upstream = listen();
             Server relay = relayTo("127.0.0.1:" + upstream.getLocalPort());
             Socket client = connect(relay.listeners().getFirst().address())) {
            CompletableFuture<byte[]> upstreamGot = CompletableFuture.supplyAsync(() -> {
                try (Socket s = accept(upstream)) {
                    s.getOutputStream().write(greeting);
                    s.shutdownOutput(); // upstream is done talking, still listening
                    return s.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            InputStream in = client.getInputStream();
            assertArrayEquals(greeting, in.readAllBytes(), "greeting, then the upstream's EOF passed on");
            client.getOutputStream().write(request); // the other direction still flows
            client.shutdownOutput();
            assertArrayEquals(request, upstreamGot.get(WAIT, TimeUnit.SECONDS));
            await().until(() -> closed("client-closed") == 1);
            assertEquals(0, handlerErrors());
        }
    }

    @Test
    void anUpstreamThatRefusesResetsTheClientAndIsCountedAndLoggedOnce() throws Exception {
        int port;
        try (ServerSocket free = listen()) {
            port = free.getLocalPort(); // closed again: connects to it are refused
        }
        try (LogRecords logs = new LogRecords();
             Server relay = relayTo("127.0.0.1:" + port)) {
            // A handler failure ends with a RST: an end of stream would look like an empty answer.
            assertEquals("reset", connectAndReadToEnd(relay.listeners().getFirst().address()),
                    "a reset, not a clean close (FIN)");
            await().until(() -> closed("error") == 1);
            assertEquals(1, handlerErrors("ConnectException"));
            assertEquals(1, handlerErrors());
            List<LogRecord> warnings = logs.warnings();
            assertEquals(1, warnings.size(), () -> warnings.stream().map(LogRecord::getMessage).toList().toString());
            String message = warnings.getFirst().getThrown().getMessage();
            assertTrue(message.startsWith("upstream 127.0.0.1:" + port + ": "), message);
        }
    }

    /**
     * The relay fails as soon as it has accepted, so its RST can reach the client before the client's own
     * {@code connect} has returned, which then fails with the reset: that is the same end.
     */
    private static String connectAndReadToEnd(InetSocketAddress address) throws IOException {
        Socket client;
        try {
            client = connect(address);
        } catch (SocketException e) {
            if (String.valueOf(e.getMessage()).contains("reset")) {
                return "reset";
            }
            throw e;
        }
        try (client) {
            return readToEnd(client.getInputStream());
        }
    }

    @Test
    void anUpstreamThatDiesMidStreamTearsDownBothSides() throws Exception {
        try (LogRecords logs = new LogRecords();
             ServerSocket upstream = listen();
             Server relay = relayTo("127.0.0.1:" + upstream.getLocalPort());
             Socket client = connect(relay.listeners().getFirst().address())) {
            client.getOutputStream().write(payload(2000, 3));
            try (Socket s = accept(upstream)) {
                assertEquals(1000, s.getInputStream().readNBytes(1000).length);
                s.setSoLinger(true, 0); // dies: closes with unread bytes, by a reset
            }
            String end = readToEnd(client.getInputStream()); // closed by the relay, with or without a reset
            assertTrue(end.equals("eof after 0 bytes") || end.equals("reset"), end);
            await().until(() -> closed("error") == 1);
            assertEquals(1, handlerErrors());
            List<LogRecord> warnings = logs.warnings();
            assertEquals(1, warnings.size(), () -> warnings.stream().map(LogRecord::getMessage).toList().toString());
            String message = warnings.getFirst().getThrown().getMessage();
            assertTrue(message.startsWith("upstream 127.0.0.1:" + upstream.getLocalPort() + ": "), message);
        }
    }

    @Test
    void aClientThatResetsMidStreamTearsDownTheUpstreamQuietly() throws Exception {
        try (LogRecords logs = new LogRecords();
             ServerSocket upstream = listen();
             Server relay = relayTo("127.0.0.1:" + upstream.getLocalPort())) {
            Socket client = connect(relay.listeners().getFirst().address());
            client.getOutputStream().write(payload(1000, 4));
            try (Socket s = accept(upstream)) {
                assertEquals(1000, s.getInputStream().readNBytes(1000).length, "mid-stream: bytes got through");
                client.setSoLinger(true, 0);
                client.close(); // a reset
                assertEquals("eof after 0 bytes", readToEnd(s.getInputStream()), "the relay closed the upstream");
            }
            await().until(() -> closed("client-reset") == 1);
            assertEquals(0, handlerErrors());
            assertEquals(List.of(), logs.warnings());
        }
    }

    @Test
    void closingTheServerTearsDownRelayedConnectionsQuietly() throws Exception {
        try (LogRecords logs = new LogRecords();
             ServerSocket upstream = listen()) {
            Server relay = relayTo("127.0.0.1:" + upstream.getLocalPort());
            try (Socket client = connect(relay.listeners().getFirst().address());
                 Socket s = accept(upstream)) {
                client.getOutputStream().write(1);
                assertEquals(1, s.getInputStream().read(), "relaying");
                relay.close();
                assertEquals(0, relay.liveThreads());
                assertEquals("eof after 0 bytes", readToEnd(s.getInputStream()));
                assertEquals("reset", readToEnd(client.getInputStream()), "the server's close is an abort");
                assertEquals(1, closed("shutdown"));
                assertEquals(List.of(), logs.warnings());
            } finally {
                relay.close();
            }
        }
    }
}
