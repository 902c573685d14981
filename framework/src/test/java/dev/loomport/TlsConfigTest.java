package dev.loomport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TlsConfig checks each value as it is set, and how the values fit together when built. */
class TlsConfigTest {
    private static final TlsConfig.Password PASSWORD = TlsConfig.Password.of("secret".toCharArray());

    private static String rejects(Runnable build) {
        return assertThrows(IllegalArgumentException.class, build::run).getMessage();
    }

    @Test
    void defaults() {
        TlsConfig tls = TlsConfig.builder().keyStore(Path.of("server.p12"), PASSWORD).build();
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocols());
        assertEquals(TlsConfig.ClientAuth.NONE, tls.clientAuth());
        assertEquals(Duration.ofSeconds(10), tls.handshakeTimeout());
        assertEquals(List.of(), tls.applicationProtocols());
        assertTrue(tls.trustStore().isEmpty());
        assertFalse(ListenerConfig.builder("echo").build().tls().isPresent());
        assertEquals(tls, ListenerConfig.builder("echo").tls(tls).build().tls().orElseThrow());
    }

    @Test
    void needsExactlyOneKindOfKeyMaterial() {
        assertEquals("TLS needs key material: a PKCS#12 keyStore, or a PEM certificate and private key",
                rejects(() -> TlsConfig.builder().build()));
        assertEquals("TLS takes a keyStore or a PEM certificate, not both: a.p12 and b.pem", rejects(() ->
                TlsConfig.builder().keyStore(Path.of("a.p12"), PASSWORD)
                        .certificate(Path.of("b.pem"), Path.of("k.pem")).build()));
    }

    @Test
    void protocolsAreKnownNames() {
        assertEquals("unknown TLS protocol 'TLS1.3'; known: TLSv1.3, TLSv1.2, TLSv1.1, TLSv1",
                rejects(() -> TlsConfig.builder().protocols("TLS1.3")));
        assertEquals("protocols must name at least one of TLSv1.3, TLSv1.2, TLSv1.1, TLSv1",
                rejects(() -> TlsConfig.builder().protocols()));
    }

    @Test
    void clientAuthAndTrustStoreGoTogether() {
        assertEquals("clientAuth REQUIRED needs a trustStore or trustedCertificates to check client certificates"
                + " against", rejects(() -> TlsConfig.builder().keyStore(Path.of("a.p12"), PASSWORD)
                .clientAuth(TlsConfig.ClientAuth.REQUIRED).build()));
        assertEquals("a trust store (ca.pem) is given but clientAuth is NONE: set clientAuth REQUESTED or REQUIRED",
                rejects(() -> TlsConfig.builder().keyStore(Path.of("a.p12"), PASSWORD)
                        .trustedCertificates(Path.of("ca.pem")).build()));
    }

    @Test
    void alpnNamesAndHandshakeTimeout() {
        assertEquals("an ALPN protocol name is 1 to 255 bytes: '' (0)",
                rejects(() -> TlsConfig.builder().applicationProtocols("h2", "")));
        assertEquals("handshakeTimeout must be 1ms to 365 days: PT0S",
                rejects(() -> TlsConfig.builder().handshakeTimeout(Duration.ZERO)));
        assertEquals("handshakeTimeout must be 1ms to 365 days: PT-1S",
                rejects(() -> TlsConfig.builder().handshakeTimeout(Duration.ofSeconds(-1))));
        // Too long to count in nanoseconds: refused at once, not by every connection later.
        assertEquals("handshakeTimeout must be 1ms to 365 days: PT2562047788015215H30M7S",
                rejects(() -> TlsConfig.builder().handshakeTimeout(Duration.ofSeconds(Long.MAX_VALUE))));
    }

    @Test
    void passwordsNeverShowInToString() throws Exception {
        assertEquals("password (given)", PASSWORD.toString());
        assertEquals("password from environment variable TLS_PW", TlsConfig.Password.fromEnvironment("TLS_PW").toString());
        assertEquals("secret", new String(PASSWORD.read()));
        assertEquals("not an environment variable name: 'A=B'",
                rejects(() -> TlsConfig.Password.fromEnvironment("A=B")));
    }
}
