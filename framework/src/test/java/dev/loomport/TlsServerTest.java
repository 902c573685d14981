package dev.loomport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.TestCerts.Cert;
import dev.loomport.spi.Connection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS listeners against the JDK's own TLS client, and against clients that do not finish a handshake. */
class TlsServerTest {
    @TempDir
    static Path dir;
    static Cert server;
    static Cert other;
    static Cert client;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Server running;

    @BeforeAll
    static void certificates() throws Exception {
        server = TestCerts.generate(dir, "loomport-server", "EC");
        other = TestCerts.generate(dir, "loomport-other", "EC");
        client = TestCerts.generate(dir, "loomport-client", "EC");
    }

    @AfterEach
    void stop() {
        if (running != null) {
            running.close();
            assertEquals(0, running.liveThreads());
        }
    }

    static TlsConfig.Builder tls(Cert cert) {
        return TlsConfig.builder().keyStore(cert.p12(), TlsConfig.Password.of(TestCerts.PASSWORD.toCharArray()));
    }

    private Server start(TlsConfig tls) throws IOException {
        return start(tls, TestHandlers.echo());
    }

    private Server start(TlsConfig tls, dev.loomport.spi.HandlerPlugin handler) throws IOException {
        running = TestServers.serve(ListenerConfig.builder(handler.name()).tls(tls), handler, registry);
        return running;
    }

    private long closed(String outcome) {
        return Meters.closed(registry, outcome);
    }

    @Test
    void echoesByteExactOverTls13WithHalfClose() throws Exception {
        Server s = start(tls(server).build());
        byte[] data = randomBytes(300_000);
        try (SSLSocket socket = TestCerts.connect(TestCerts.clientContext(server), s, "TLSv1.3");
             ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor()) {
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
            Future<?> sent = writer.submit(() -> {
                socket.getOutputStream().write(data);
                socket.shutdownOutput(); // TLS 1.3 close_notify: a half-close, the echo still comes back
                return null;
            });
            assertArrayEquals(data, socket.getInputStream().readAllBytes());
            sent.get(30, TimeUnit.SECONDS);
        }
        await().until(() -> closed("client-closed") == 1);
    }

    @Test
    void echoesByteExactOverTls12() throws Exception {
        Server s = start(tls(server).build());
        byte[] data = randomBytes(300_000);
        try (SSLSocket socket = TestCerts.connect(TestCerts.clientContext(server), s, "TLSv1.2");
             ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor()) {
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
            Future<?> sent = writer.submit(() -> {
                socket.getOutputStream().write(data);
                return null;
            });
            assertArrayEquals(data, TestClients.readExactly(socket.getInputStream(), data.length));
            sent.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void handlerSeesProtocolCipherSuiteAndAlpn() throws Exception {
        Server s = start(tls(server).applicationProtocols("loomport-test", "h2").build(),
                TestHandlers.handler("info", TlsServerTest::describe));
        SSLContext context = TestCerts.clientContext(server);
        try (SSLSocket socket = TestCerts.connect(context, s.listeners().getFirst().address(), List.of("h2"))) {
            String seen = new String(socket.getInputStream().readAllBytes(), UTF_8);
            assertEquals("TLSv1.3 " + socket.getSession().getCipherSuite() + " alpn=h2 peer=none", seen);
        }
        try (SSLSocket socket = TestCerts.connect(context, s.listeners().getFirst().address(), List.of())) {
            assertTrue(new String(socket.getInputStream().readAllBytes(), UTF_8).contains(" alpn=none "));
        }
    }

    /** Writes what the handler can see of its TLS session. */
    static void describe(Connection c) throws IOException {
        SSLSession session = c.tlsSession().orElseThrow();
        String peer;
        try {
            peer = ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
        } catch (SSLPeerUnverifiedException e) {
            peer = "none";
        }
        c.output().write((session.getProtocol() + " " + session.getCipherSuite() + " alpn="
                + c.applicationProtocol().orElse("none") + " peer=" + peer).getBytes(UTF_8));
    }

    @Test
    void mutualTlsAcceptsATrustedClientCertificateAndRefusesNone() throws Exception {
        Server s = start(tls(server).clientAuth(TlsConfig.ClientAuth.REQUIRED)
                .trustedCertificates(client.certPem()).build(), TestHandlers.handler("info", TlsServerTest::describe));
        try (SSLSocket socket = TestCerts.connect(TestCerts.clientContext(List.of(server), client), s)) {
            String seen = new String(socket.getInputStream().readAllBytes(), UTF_8);
            assertTrue(seen.endsWith(" peer=" + client.subject()), seen);
        }
        assertRefused(() -> TestCerts.connect(TestCerts.clientContext(server), s));
        // A client whose certificate the trust store does not know has nothing to present: refused too.
        assertRefused(() -> TestCerts.connect(TestCerts.clientContext(List.of(server), other), s));
        await().until(() -> closed("tls-handshake") == 2);
    }

    @Test
    void requestedClientAuthServesAClientWithoutCertificate() throws Exception {
        Server s = start(tls(server).clientAuth(TlsConfig.ClientAuth.REQUESTED)
                .trustedCertificates(client.certPem()).build(), TestHandlers.handler("info", TlsServerTest::describe));
        try (SSLSocket socket = TestCerts.connect(TestCerts.clientContext(server), s)) {
            assertTrue(new String(socket.getInputStream().readAllBytes(), UTF_8).endsWith(" peer=none"));
        }
    }

    /** The connection never reaches the handler: the client sees a failed handshake, an exception or EOF. */
    static void assertRefused(ClientCall call) {
        try (SSLSocket socket = call.connect()) {
            // TLS 1.3: the client's side of the handshake can finish before the server checks its certificate.
            socket.getOutputStream().write("ping".getBytes(UTF_8));
            socket.getOutputStream().flush();
            assertEquals(-1, socket.getInputStream().read());
        } catch (Exception expected) {
            // refused during the handshake, or by the alert that follows it
        }
    }

    interface ClientCall {
        SSLSocket connect() throws Exception;
    }

    @Test
    void plainTextClientOnATlsPortIsClosedAndOthersAreServed() throws Exception {
        Server s = start(tls(server).build());
        try (Socket plain = TestClients.connect(s)) {
            byte[] back = TestClients.roundTrip(plain, "hello over plain TCP\n".getBytes(UTF_8));
            assertFalse(new String(back, UTF_8).contains("hello"), "plain text was echoed");
        } catch (IOException reset) {
            // also a clear refusal
        }
        await().until(() -> closed("tls-handshake") == 1);
        assertEchoes(s);
    }

    @Test
    void silentClientIsClosedAtTheHandshakeTimeoutWhileOthersAreServed() throws Exception {
        Server s = start(tls(server).handshakeTimeout(Duration.ofMillis(500)).build());
        try (Socket silent = TestClients.connect(s)) {
            assertEchoes(s); // served while the silent one waits: the handshake is not on the accept thread
            TestClients.assertReset(silent); // the server gives up with a RST (the read timeout is 30 s)
        }
        await().until(() -> closed("tls-handshake") == 1 && s.activeConnections() == 0);
    }

    @Test
    void clientThatDribblesItsHelloIsClosedAtTheHandshakeDeadline() throws Exception {
        // Each byte comes well within the read timeout; only the deadline on the whole handshake ends it.
        Server s = start(tls(server).handshakeTimeout(Duration.ofMillis(500)).build());
        byte[] prefix = {0x16, 3, 3, 1, 0, 1, 0, 0, (byte) 0xfc, 3, 3}; // a ClientHello record of 256 bytes
        try (Socket slow = TestClients.connect(s);
             ExecutorService dribbler = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Boolean> closedEarly = dribbler.submit(() -> {
                OutputStream out = slow.getOutputStream();
                try {
                    for (int i = 0; i < 100; i++) { // 10 s at most, twenty times the deadline
                        out.write(i < prefix.length ? prefix[i] : 0);
                        out.flush();
                        Thread.sleep(100); // the pace of the slow client under test, not a synchronisation
                    }
                    return false;
                } catch (IOException closed) {
                    return true;
                }
            });
            try {
                slow.getInputStream().readAllBytes();
            } catch (IOException reset) {
                // closed by the server either way
            }
            assertTrue(closedEarly.get(30, TimeUnit.SECONDS), "the server let the handshake run past its deadline");
        }
        await().until(() -> closed("tls-handshake") == 1);
    }

    @Test
    void connectionRejectedByALimitGetsNoPlainTextRejectMessage() throws Exception {
        running = Server.start(ServerConfig.builder()
                .listener(ListenerConfig.builder("echo").tls(tls(server).build()).maxConnections(1)
                        .overflow(ListenerConfig.Overflow.REJECT).rejectMessage("busy\n").build())
                .plugin(TestHandlers.echo())
                .meterRegistry(registry)
                .build());
        try (SSLSocket first = TestCerts.connect(TestCerts.clientContext(server), running);
             Socket second = TestClients.connect(running)) {
            assertEchoesOn(first, "holding the only slot\n");
            assertEquals(0, second.getInputStream().readAllBytes().length);
        }
    }

    @Test
    void clientOfferingOnlyTls10IsRefused() throws Exception {
        Server s = start(tls(server).build());
        try (Socket socket = TestClients.connect(s)) {
            OutputStream out = socket.getOutputStream();
            out.write(tls10ClientHello());
            out.flush();
            byte[] answer = socket.getInputStream().readAllBytes();
            // A fatal alert record (content type 21), then the server closes.
            assertTrue(answer.length >= 7 && answer[0] == 0x15 && answer[5] == 2,
                    "expected a fatal TLS alert, got " + answer.length + " bytes");
            assertTrue(answer[6] == 70 || answer[6] == 40, "alert " + answer[6]); // protocol_version, handshake_failure
        } catch (IOException reset) {
            // a reset is a refusal too
        }
        await().until(() -> closed("tls-handshake") == 1);
        assertEchoes(s);
    }

    /**
     * A TLS 1.0 ClientHello as an old client sends it: record version 3.1, client version 3.1, two
     * TLS 1.0 cipher suites, no extensions (so no supported_versions to offer anything newer).
     */
    static byte[] tls10ClientHello() {
        byte[] random = randomBytes(32);
        byte[] body = new byte[2 + 32 + 1 + 2 + 4 + 2];
        int i = 0;
        body[i++] = 3;
        body[i++] = 1;
        System.arraycopy(random, 0, body, i, 32);
        i += 32;
        body[i++] = 0; // no session id
        body[i++] = 0;
        body[i++] = 4; // cipher suites: 4 bytes
        body[i++] = 0x00;
        body[i++] = 0x2f; // TLS_RSA_WITH_AES_128_CBC_SHA
        body[i++] = (byte) 0xc0;
        body[i++] = 0x13; // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
        body[i++] = 1;
        body[i] = 0; // compression: null
        byte[] record = new byte[5 + 4 + body.length];
        record[0] = 0x16;
        record[1] = 3;
        record[2] = 1;
        record[3] = (byte) ((4 + body.length) >> 8);
        record[4] = (byte) (4 + body.length);
        record[5] = 1; // ClientHello
        record[6] = 0;
        record[7] = (byte) (body.length >> 8);
        record[8] = (byte) body.length;
        System.arraycopy(body, 0, record, 9, body.length);
        return record;
    }

    @Test
    void reloadGivesNewConnectionsTheNewCertificateAndKeepsOpenOnes() throws Exception {
        Path live = dir.resolve("live.p12");
        Files.copy(server.p12(), live, StandardCopyOption.REPLACE_EXISTING);
        Server s = start(TlsConfig.builder()
                .keyStore(live, TlsConfig.Password.of(TestCerts.PASSWORD.toCharArray())).build());
        SSLContext trustsBoth = TestCerts.clientContext(List.of(server, other), null);
        try (SSLSocket before = TestCerts.connect(trustsBoth, s)) {
            assertEquals(server.subject(), peer(before));
            assertEchoesOn(before, "before reload\n");

            Files.copy(other.p12(), live, StandardCopyOption.REPLACE_EXISTING);
            assertEquals(List.of("echo"), s.reloadTls());
            try (SSLSocket after = TestCerts.connect(trustsBoth, s)) {
                assertEquals(other.subject(), peer(after));
                assertEchoesOn(after, "after reload\n");
            }
            assertEchoesOn(before, "still open after reload\n");

            // A bad file is refused, named, and the material loaded last stays in use.
            Files.writeString(live, "not a key store");
            IOException e = assertThrows(IOException.class, s::reloadTls);
            assertTrue(e.getMessage().contains(live.toString()), e.getMessage());
            try (SSLSocket afterBadReload = TestCerts.connect(trustsBoth, s)) {
                assertEquals(other.subject(), peer(afterBadReload));
            }
            assertEchoesOn(before, "and after a bad reload\n");
        }
    }

    static String peer(SSLSocket socket) throws SSLPeerUnverifiedException {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    private static void assertEchoes(Server s) throws Exception {
        try (SSLSocket socket = TestCerts.connect(TestCerts.clientContext(server), s)) {
            assertEchoesOn(socket, "still serving\n");
        }
    }

    static void assertEchoesOn(SSLSocket socket, String line) throws IOException {
        byte[] bytes = line.getBytes(UTF_8);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        assertArrayEquals(bytes, TestClients.readExactly(socket.getInputStream(), bytes.length));
    }

    static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(n).nextBytes(bytes);
        return bytes;
    }
}
