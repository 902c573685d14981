package dev.loomport;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig.ProxyProtocol;
import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PROXY protocol on a real listener: a test plays the load balancer on loopback. What a handler sees, and
 * what happens to peers that are not trusted or send no proper header.
 */
class ProxyProtocolTest {
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicInteger handled = new AtomicInteger();
    private Server server;

    /** Writes one line about the connection as it sees it, then echoes. */
    private final HandlerPlugin who = TestHandlers.handler("who", c -> {
        handled.incrementAndGet();
        String line = c.remoteAddress() + " " + c.localAddress() + " " + c.proxiedFrom()
                .map(p -> "v" + p.version() + " " + p.remoteAddress() + " " + p.localAddress()).orElse("-") + "\n";
        c.output().write(line.getBytes(US_ASCII));
        TestHandlers.echo(c);
    });

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
            assertEquals(0, server.liveThreads());
        }
    }

    private Server start(ListenerConfig.Builder listener) throws IOException {
        server = TestServers.serve(listener, who, registry);
        return server;
    }

    private static ListenerConfig.Builder proxied(ProxyProtocol version) {
        return ListenerConfig.builder("who").proxyProtocol(version).proxyTrusted("127.0.0.0/8", "::1/128");
    }

    @Test
    void aV2HeaderNamesTheClientAndThePayloadSentWithItReachesTheHandler() throws IOException {
        start(proxied(ProxyProtocol.V2));
        try (Socket socket = TestClients.connect(server)) {
            byte[] header = v2(new byte[] {(byte) 192, 0, 2, 7}, new byte[] {(byte) 198, 51, 100, 1}, 51234, 7007);
            OutputStream out = socket.getOutputStream();
            out.write(concat(header, "hello".getBytes(US_ASCII))); // one segment: header and payload together
            socket.shutdownOutput();
            String reply = new String(socket.getInputStream().readAllBytes(), US_ASCII);
            int port = server.listeners().getFirst().address().getPort();
            assertEquals("/192.0.2.7:51234 /198.51.100.1:7007 v2 /127.0.0.1:" + socket.getLocalPort()
                    + " /127.0.0.1:" + port + "\nhello", reply);
        }
    }

    @Test
    void aV1LineArrivingInPiecesIsReadWhole() throws IOException {
        start(proxied(ProxyProtocol.ANY));
        try (Socket socket = TestClients.connect(server)) {
            OutputStream out = socket.getOutputStream();
            for (String piece : new String[] {"PRO", "XY TCP4 203.0.113.9 ", "198.51.100.1 40000 ", "443\r", "\nabc"}) {
                out.write(piece.getBytes(US_ASCII));
                out.flush();
            }
            socket.shutdownOutput();
            String reply = new String(socket.getInputStream().readAllBytes(), US_ASCII);
            assertTrue(reply.startsWith("/203.0.113.9:40000 /198.51.100.1:443 v1 /127.0.0.1:" + socket.getLocalPort()),
                    reply);
            assertTrue(reply.endsWith("\nabc"), reply);
        }
    }

    @Test
    void aV1Tcp6HeaderOverIpv6() throws IOException {
        start(proxied(ProxyProtocol.V1).host("::1"));
        try (Socket socket = TestClients.connect(server)) {
            byte[] reply = TestClients.roundTrip(socket, "PROXY TCP6 2001:db8::5 2001:db8::1 1234 80\r\n".getBytes(US_ASCII));
            assertTrue(new String(reply, US_ASCII).startsWith("/[2001:db8:0:0:0:0:0:5]:1234 /[2001:db8:0:0:0:0:0:1]:80 v1 /"
                    + "[0:0:0:0:0:0:0:1]:" + socket.getLocalPort()), new String(reply, US_ASCII));
        }
    }

    @Test
    void aLocalHeaderKeepsTheSocketsAddressesAndStillRunsTheHandler() throws IOException {
        start(proxied(ProxyProtocol.V2));
        try (Socket socket = TestClients.connect(server)) {
            byte[] local = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "20" + "00" + "0000");
            String reply = new String(TestClients.roundTrip(socket, concat(local, "x".getBytes(US_ASCII))), US_ASCII);
            assertEquals("/127.0.0.1:" + socket.getLocalPort() + " /127.0.0.1:"
                    + server.listeners().getFirst().address().getPort() + " -\nx", reply);
        }
    }

    @Test
    void anUntrustedPeerIsClosedBeforeAnythingIsReadAndCounted() throws IOException {
        start(ListenerConfig.builder("who").proxyProtocol(ProxyProtocol.ANY).proxyTrusted("10.0.0.0/8"));
        try (Socket socket = TestClients.connect(server)) {
            socket.getOutputStream().write("PROXY TCP4 10.9.9.9 10.0.0.1 1 2\r\n".getBytes(US_ASCII));
            assertClosedByServer(socket);
        }
        await().untilAsserted(() -> assertEquals(1, closed("proxy-untrusted")));
        assertEquals(0, handled.get());
    }

    @Test
    void badOrMissingHeadersAreClosedAndCountedAndTheListenerKeepsServing() throws IOException {
        start(proxied(ProxyProtocol.V2).proxyHeaderTimeout(Duration.ofSeconds(30)));
        String[] bad = {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"};
        for (String b : bad) {
            try (Socket socket = TestClients.connect(server)) {
                socket.getOutputStream().write(b.getBytes(US_ASCII));
                assertClosedByServer(socket);
            }
        }
        byte[] truncated = java.util.Arrays.copyOf(v2(new byte[4], new byte[4], 1, 2), 20);
        try (Socket socket = TestClients.connect(server)) {
            socket.getOutputStream().write(truncated);
            socket.shutdownOutput(); // the balancer gave up mid-header
            assertClosedByServer(socket);
        }
        await().untilAsserted(() -> assertEquals(3, closed("proxy-header")));
        assertEquals(0, handled.get());
        try (Socket socket = TestClients.connect(server)) { // still serving
            byte[] header = v2(new byte[] {1, 2, 3, 4}, new byte[] {5, 6, 7, 8}, 9, 10);
            String reply = new String(TestClients.roundTrip(socket, header), US_ASCII);
            assertTrue(reply.startsWith("/1.2.3.4:9 /5.6.7.8:10 v2"), reply);
        }
    }

    @Test
    void aPeerThatConnectsAndClosesWithoutAByteIsAProbeNotABadHeader() throws IOException {
        start(proxied(ProxyProtocol.V2));
        TestClients.connect(server).close();
        await().untilAsserted(() -> assertEquals(1, closed("client-closed")));
        assertEquals(0, closed("proxy-header"));
        assertEquals(0, handled.get());
    }

    @Test
    void aSilentPeerIsClosedAfterTheHeaderTimeout() throws IOException {
        start(proxied(ProxyProtocol.V1).proxyHeaderTimeout(Duration.ofMillis(200)));
        try (Socket socket = TestClients.connect(server)) {
            assertClosedByServer(socket);
        }
        await().untilAsserted(() -> assertEquals(1, closed("proxy-header")));
    }

    /** One deadline for the whole header: a byte now and then does not buy more time. */
    @Test
    void aTricklingPeerGetsNoMoreTimeThanTheHeaderTimeout() throws IOException {
        start(proxied(ProxyProtocol.V1).proxyHeaderTimeout(Duration.ofMillis(500)));
        try (Socket socket = TestClients.connect(server)) {
            socket.setSoTimeout(100); // the pace: one byte per 100 ms, well inside the timeout each time
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] line = ("PROXY TCP4 " + "1".repeat(95)).getBytes(US_ASCII); // 106 bytes, no CRLF yet
            int sent = 0;
            boolean closed = false;
            while (!closed && sent < line.length) {
                try {
                    out.write(line[sent++]);
                    closed = in.read() < 0;
                } catch (SocketTimeoutException e) {
                    // still open: next byte
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertTrue(closed, "the server let a trickle of " + sent + " bytes go on");
        }
        await().untilAsserted(() -> assertEquals(1, closed("proxy-header")));
    }

    @Test
    void theHeaderTimeoutEndsWithTheHeader() throws Exception {
        start(proxied(ProxyProtocol.V2).proxyHeaderTimeout(Duration.ofMillis(100)));
        try (Socket socket = TestClients.connect(server)) {
            OutputStream out = socket.getOutputStream();
            out.write(v2(new byte[] {1, 2, 3, 4}, new byte[] {5, 6, 7, 8}, 9, 10));
            InputStream in = socket.getInputStream();
            String line = readLine(in);
            assertTrue(line.startsWith("/1.2.3.4:9"), line);
            Thread.sleep(500); // the pause under test: five header timeouts with nothing to read
            out.write("late".getBytes(US_ASCII));
            socket.shutdownOutput();
            assertArrayEquals("late".getBytes(US_ASCII), in.readAllBytes());
        }
        assertEquals(0, closed("proxy-header"));
    }

    @Test
    void shutdownEndsAConnectionWaitingForItsHeader() throws IOException {
        start(proxied(ProxyProtocol.V2).proxyHeaderTimeout(Duration.ofMinutes(5)));
        try (Socket socket = TestClients.connect(server)) {
            await().until(() -> server.activeConnections() == 1);
            server.shutdown(Duration.ofMillis(100));
            assertClosedByServer(socket);
        }
        assertEquals(0, server.liveThreads());
        assertEquals(1, closed("shutdown"));
    }

    /** Limits per source count the balancer's address, the one the socket has, and release it again. */
    @Test
    void perSourceLimitsCountTheBalancerNotTheClientsItNames() throws IOException {
        start(proxied(ProxyProtocol.V2).maxConnectionsPerSource(1));
        for (int i = 0; i < 3; i++) {
            try (Socket first = TestClients.connect(server)) {
                first.getOutputStream().write(v2(new byte[] {10, 0, 0, (byte) i}, new byte[] {10, 0, 0, 99}, 1000, 7));
                assertTrue(readLine(first.getInputStream()).startsWith("/10.0.0." + i + ":1000"));
                try (Socket second = TestClients.connect(server)) {
                    assertClosedByServer(second); // another client, the same balancer
                }
            }
            await().until(() -> server.activeConnections() == 0);
        }
        assertEquals(3, registry.get("loomport.rejected.connections").tag("reason", "per-source").counter().count());
    }

    @Test
    void configurationIsCheckedAtOnce() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ListenerConfig.builder("echo").proxyProtocol(ProxyProtocol.V2).build());
        assertTrue(none.getMessage().contains("proxyTrusted"), none.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ListenerConfig.builder("echo").proxyTrusted("127.0.0.0/8", "10.0.0.0/33"));
        assertTrue(bad.getMessage().contains("'10.0.0.0/33'"), bad.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ListenerConfig.builder("echo").proxyHeaderTimeout(Duration.ZERO));
        ListenerConfig c = ListenerConfig.builder("echo").proxyProtocol(ProxyProtocol.ANY)
                .proxyTrusted(" 10.0.0.0/8", "::1").build();
        assertEquals(java.util.List.of("10.0.0.0/8", "0:0:0:0:0:0:0:1/128"), c.proxy().trusted());
        assertEquals(ListenerConfig.DEFAULT_PROXY_HEADER_TIMEOUT, c.proxy().headerTimeout());
        assertEquals(ProxyProtocol.NONE, ListenerConfig.builder("echo").build().proxy().protocol());
    }

    // ---- helpers ----

    private long closed(String outcome) {
        return Meters.closed(registry, outcome);
    }

    /** The server closed: EOF, or a reset if it closed with bytes of ours unread. */
    private static void assertClosedByServer(Socket socket) throws IOException {
        try {
            assertEquals(-1, socket.getInputStream().read());
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection", e);
        } catch (IOException reset) {
            // closed with our bytes unread: also closed
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("EOF in a line: " + line);
            }
            line.write(b);
        }
        return line.toString(US_ASCII);
    }

    static byte[] v2(byte[] src, byte[] dst, int srcPort, int dstPort) {
        byte[] prefix = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "21" + "11" + "000c");
        return concat(prefix, src, dst, new byte[] {(byte) (srcPort >> 8), (byte) srcPort,
                (byte) (dstPort >> 8), (byte) dstPort});
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
