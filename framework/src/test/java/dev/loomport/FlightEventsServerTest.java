package dev.loomport;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static dev.loomport.RecordedEvents.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.TestCerts.Cert;
import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server commits loomport's JFR events with the right fields: a plain connection, one whose
 * handler threw, a TLS connection after a real TLSv1.3 handshake and one whose handshake failed, a
 * PROXY-protocol connection, a rejected one, and the listener's start and stop. Each test records, stops
 * the server (every connection has then ended and committed its event), dumps and reads the file back.
 */
@Timeout(120)
class FlightEventsServerTest {
    @TempDir
    static Path dir;
    static Cert cert;

    @BeforeAll
    static void certificate() throws Exception {
        cert = TestCerts.generate(dir, "loomport-jfr", "EC");
    }

    private interface Scenario {
        void run(Server server) throws Exception;
    }

    /** Starts a server, records while {@code scenario} runs against it, closes the server; the events read back. */
    private static List<RecordedEvent> record(ListenerConfig.Builder listener, HandlerPlugin handler,
            Scenario scenario) throws Exception {
        Path file = Files.createTempFile(dir, "server", ".jfr");
        try (Recording recording = new Recording()) {
            RecordedEvents.enableAll(recording);
            recording.start();
            Server server = TestServers.serve(listener, handler, new SimpleMeterRegistry());
            try {
                scenario.run(server);
                await().until(() -> server.activeConnections() == 0); // each has committed its event
            } finally {
                server.close();
            }
            return RecordedEvents.stopAndRead(recording, file);
        }
    }

    @Test
    void aPlainConnectionAndTheListenersStartAndStop() throws Exception {
        int[] clientPort = new int[1];
        int[] serverPort = new int[1];
        List<RecordedEvent> events = record(ListenerConfig.builder("echo").name("plain"), TestHandlers.echo(), server -> {
            serverPort[0] = server.listeners().getFirst().address().getPort();
            try (Socket socket = TestClients.connect(server)) {
                clientPort[0] = socket.getLocalPort();
                TestClients.assertEchoes(socket, "hello");
            }
        });

        RecordedEvent e = single(events, "dev.loomport.ConnectionEnd");
        assertEquals("plain", e.getString("listener"));
        assertEquals("echo", e.getString("handler"));
        assertEquals("127.0.0.1", e.getString("localAddress"));
        assertEquals(serverPort[0], e.getInt("localPort"));
        assertEquals("127.0.0.1", e.getString("remoteAddress"));
        assertEquals(clientPort[0], e.getInt("remotePort"));
        assertNull(e.getString("proxyAddress"));
        assertEquals(0, e.getInt("proxyPort"));
        assertNull(e.getString("tlsProtocol"));
        assertEquals(5, e.getLong("bytesIn"));
        assertEquals(5, e.getLong("bytesOut"));
        assertTrue(e.getDuration("connectionDuration").compareTo(Duration.ZERO) > 0, e::toString);
        assertEquals("client-closed", e.getString("outcome"));
        assertNull(e.getString("exceptionType"));
        assertTrue(e.getLong("id") > 0);

        for (String name : List.of("dev.loomport.ListenerStart", "dev.loomport.ListenerStop")) {
            RecordedEvent l = single(events, name);
            assertEquals("plain", l.getString("listener"));
            assertEquals("echo", l.getString("handler"));
            assertEquals("127.0.0.1", l.getString("address"));
            assertEquals(serverPort[0], l.getInt("port"));
        }
    }

    @Test
    void aHandlerThatThrowsIsNamed() throws Exception {
        HandlerPlugin failing = TestHandlers.handler("failing", c -> {
            c.input().read();
            throw new IllegalStateException("on purpose");
        });
        List<RecordedEvent> events = record(ListenerConfig.builder("failing"), failing, server -> {
            try (Socket socket = TestClients.connect(server)) {
                socket.getOutputStream().write('x');
                TestClients.assertReset(socket); // a handler that throws ends with a RST
            }
        });

        RecordedEvent e = single(events, "dev.loomport.ConnectionEnd");
        assertEquals("error", e.getString("outcome"));
        assertEquals("java.lang.IllegalStateException", e.getString("exceptionType"));
        assertEquals(1, e.getLong("bytesIn"));
        assertEquals(0, e.getLong("bytesOut"));
    }

    @Test
    void aTlsConnectionCarriesItsProtocol() throws Exception {
        List<RecordedEvent> events = record(ListenerConfig.builder("echo").name("secure")
                .tls(TlsServerTest.tls(cert).build()), TestHandlers.echo(), server -> {
                    try (SSLSocket socket = TestCerts.connect(TestCerts.clientContext(cert), server, "TLSv1.3")) {
                        TestClients.assertEchoes(socket, "secret");
                    }
                });

        RecordedEvent e = single(events, "dev.loomport.ConnectionEnd");
        assertEquals("secure", e.getString("listener"));
        assertEquals("TLSv1.3", e.getString("tlsProtocol"));
        assertEquals(6, e.getLong("bytesIn"), "the decrypted bytes the handler read");
        assertEquals(6, e.getLong("bytesOut"));
        assertEquals("client-closed", e.getString("outcome"));
    }

    @Test
    void aFailedHandshakeIsRecordedWithTheTlsFailure() throws Exception {
        List<RecordedEvent> events = record(ListenerConfig.builder("echo").name("secure")
                .tls(TlsServerTest.tls(cert).build()), TestHandlers.echo(), server -> {
                    try (Socket socket = TestClients.connect(server)) {
                        socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII)); // not TLS
                        socket.getInputStream().readAllBytes();
                    } catch (IOException closedOnUs) {
                        // the server may reset: the event is what this test reads
                    }
                });

        RecordedEvent e = single(events, "dev.loomport.ConnectionEnd");
        assertEquals("tls-handshake", e.getString("outcome"));
        assertNull(e.getString("tlsProtocol"));
        assertEquals(0, e.getLong("bytesIn"), "no byte reached a handler");
        String type = e.getString("exceptionType");
        assertTrue(type != null && type.startsWith("javax.net.ssl."), "the handshake's own failure: " + type);
    }

    @Test
    void aProxiedConnectionCarriesTheClientAndTheBalancer() throws Exception {
        int[] balancerPort = new int[1];
        List<RecordedEvent> events = record(ListenerConfig.builder("echo").name("edge")
                .proxyProtocol(ListenerConfig.ProxyProtocol.V1).proxyTrusted("127.0.0.0/8"), TestHandlers.echo(), server -> {
                    try (Socket socket = TestClients.connect(server)) {
                        balancerPort[0] = socket.getLocalPort();
                        OutputStream out = socket.getOutputStream();
                        out.write("PROXY TCP4 203.0.113.9 198.51.100.1 40000 443\r\nabc".getBytes(US_ASCII));
                        socket.shutdownOutput();
                        assertEquals("abc", new String(socket.getInputStream().readAllBytes(), US_ASCII));
                    }
                });

        RecordedEvent e = single(events, "dev.loomport.ConnectionEnd");
        assertEquals("203.0.113.9", e.getString("remoteAddress"));
        assertEquals(40000, e.getInt("remotePort"));
        assertEquals("198.51.100.1", e.getString("localAddress"));
        assertEquals(443, e.getInt("localPort"));
        assertEquals("127.0.0.1", e.getString("proxyAddress"));
        assertEquals(balancerPort[0], e.getInt("proxyPort"));
        assertEquals(3, e.getLong("bytesIn"), "the payload after the header");
        assertEquals("client-closed", e.getString("outcome"));
    }

    @Test
    void aRejectedConnectionNamesTheLimit() throws Exception {
        int[] rejectedPort = new int[1];
        List<RecordedEvent> events = record(ListenerConfig.builder("echo").name("limited").maxConnectionsPerSource(1),
                TestHandlers.echo(), server -> {
                    try (Socket held = TestClients.connect(server)) {
                        TestClients.assertEchoes(held, "first");
                        try (Socket refused = TestClients.connect(server)) {
                            rejectedPort[0] = refused.getLocalPort();
                            refused.getInputStream().readAllBytes(); // the reject message, then end of stream
                        }
                    }
                });

        RecordedEvent e = single(events, "dev.loomport.ConnectionReject");
        assertEquals("limited", e.getString("listener"));
        assertEquals("echo", e.getString("handler"));
        assertEquals("127.0.0.1", e.getString("remoteAddress"));
        assertEquals(rejectedPort[0], e.getInt("remotePort"));
        assertEquals("per-source", e.getString("reason"));
        assertEquals(1, events.stream().filter(x -> x.getEventType().getName().equals("dev.loomport.ConnectionEnd"))
                .count(), "the held connection only");
    }
}
