package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig;
import dev.loomport.TlsConfig;
import dev.loomport.demo.cli.Option;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The TLS keys of a --listen spec, and the one-line errors for the ways they go wrong. */
class TlsOptionsTest {

    private static String rejects(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> LaunchOptions.listener(spec)).getMessage();
    }

    @Test
    void keyStoreWithEveryOption() {
        ListenerConfig c = LaunchOptions.listener("echo@127.0.0.1:7443,tls-keystore=/etc/s.p12,tls-password-env=PW,"
                + "tls-protocols=TLSv1.3,tls-client-auth=required,tls-trust-certs=/etc/ca.pem,"
                + "tls-handshake-timeout=3s,alpn=h2:http/1.1,idle-timeout=5m");
        TlsConfig tls = c.tls().orElseThrow();
        assertEquals(Path.of("/etc/s.p12"), tls.keyStore().orElseThrow());
        assertEquals("password from environment variable PW", tls.keyStorePassword().orElseThrow().toString());
        assertEquals(List.of("TLSv1.3"), tls.protocols());
        assertEquals(TlsConfig.ClientAuth.REQUIRED, tls.clientAuth());
        assertEquals(Path.of("/etc/ca.pem"), tls.trustStore().orElseThrow());
        assertTrue(tls.trustStorePassword().isEmpty());
        assertEquals(Duration.ofSeconds(3), tls.handshakeTimeout());
        assertEquals(List.of("h2", "http/1.1"), tls.applicationProtocols());
        assertEquals(Duration.ofMinutes(5), c.timeouts().idleTimeout());
        assertEquals(Map.of(), c.handlerOptions());
    }

    @Test
    void pemCertificateAndPkcs12TrustStore() {
        TlsConfig tls = LaunchOptions.listener("echo@0,tls-cert=c.pem,tls-key=k.pem,tls-client-auth=requested,"
                + "tls-truststore=t.p12,tls-truststore-password-file=t.pw").tls().orElseThrow();
        assertEquals(Path.of("c.pem"), tls.certificateChain().orElseThrow());
        assertEquals(Path.of("k.pem"), tls.privateKey().orElseThrow());
        assertEquals("password from file t.pw", tls.trustStorePassword().orElseThrow().toString());
        assertFalse(LaunchOptions.listener("echo@0").tls().isPresent());
    }

    @Test
    void mistakesAreNamed() {
        assertEquals("--listen 'echo@0,tls-keystore=s.p12': the PKCS#12 store needs tls-password-env=VAR or"
                + " tls-password-file=FILE", rejects("echo@0,tls-keystore=s.p12"));
        assertEquals("--listen 'echo@0,tls-cert=c.pem': tls-cert and tls-key go together; got only tls-cert",
                rejects("echo@0,tls-cert=c.pem"));
        assertEquals("--listen 'echo@0,tls-cert=c.pem,tls-key=k.pem,tls-client-auth=maybe': tls-client-auth must"
                + " be none, requested or required: 'maybe'", rejects("echo@0,tls-cert=c.pem,tls-key=k.pem,"
                + "tls-client-auth=maybe"));
        assertEquals("--listen 'echo@0,tls-cert=c.pem,tls-key=k.pem,tls-protocols=SSLv3': unknown TLS protocol"
                + " 'SSLv3'; known: TLSv1.3, TLSv1.2, TLSv1.1, TLSv1",
                rejects("echo@0,tls-cert=c.pem,tls-key=k.pem,tls-protocols=SSLv3"));
        assertEquals("--listen 'echo@0,tls-keystore=s.p12,tls-password=(hidden)': a password never goes on the"
                + " command line: use tls-password-env=VAR or tls-password-file=FILE",
                rejects("echo@0,tls-keystore=s.p12,tls-password=hunter2"));
    }

    @Test
    void everyDefaultTheHelpShowsIsTheFrameworksOwn() {
        String base = "echo@0,tls-cert=c.pem,tls-key=k.pem";
        TlsConfig plain = LaunchOptions.listener(base).tls().orElseThrow();
        int checked = 0;
        for (Option<TlsOptions> row : TlsOptions.TABLE.rows()) {
            if (row.defaultValue() != null) {
                String spec = base + "," + row.name() + "=" + row.defaultValue();
                SameValues.assertSameValues(plain, LaunchOptions.listener(spec).tls().orElseThrow(), spec);
                checked++;
            }
            assertTrue(LaunchOptions.USAGE.contains("\n  " + row.name() + "=" + row.argument()), row.name());
        }
        assertEquals(3, checked);
    }

    @Test
    void aKeyGivenTwiceIsNamed() {
        assertEquals("--listen 'echo@0,alpn=h2,alpn=h3': alpn is given twice", rejects("echo@0,alpn=h2,alpn=h3"));
    }
}
