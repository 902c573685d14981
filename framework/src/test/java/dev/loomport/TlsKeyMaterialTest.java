package dev.loomport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.TestCerts.Cert;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Key material as operators hand it over, and the errors that name the file when it is wrong. */
class TlsKeyMaterialTest {
    @TempDir
    static Path dir;
    static Cert ec;
    static Cert rsa;
    static Cert ed25519;

    @BeforeAll
    static void certificates() throws Exception {
        ec = TestCerts.generate(dir, "pem-ec", "EC");
        rsa = TestCerts.generate(dir, "pem-rsa", "RSA");
        ed25519 = TestCerts.generate(dir, "pem-ed25519", "Ed25519");
    }

    private static Server start(TlsConfig tls) throws IOException {
        return Server.start(ServerConfig.builder()
                .listener(ListenerConfig.builder("echo").tls(tls).build())
                .plugin(TestHandlers.echo())
                .build());
    }

    private static String startFails(TlsConfig tls) {
        return assertThrows(IOException.class, () -> start(tls).close()).getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ec", "rsa", "ed25519"})
    void servesPemCertificateAndPkcs8Key(String which) throws Exception {
        Cert cert = switch (which) {
            case "ec" -> ec;
            case "rsa" -> rsa;
            default -> ed25519;
        };
        try (Server server = start(TlsConfig.builder().certificate(cert.certPem(), cert.keyPem()).build());
             SSLSocket socket = TestCerts.connect(TestCerts.clientContext(cert), server)) {
            assertEquals(cert.subject(), TlsServerTest.peer(socket));
            TlsServerTest.assertEchoesOn(socket, "pem " + which + "\n");
        }
    }

    @Test
    void passwordFromEnvironmentVariableOrFile() throws Exception {
        Path passwordFile = dir.resolve("password.txt");
        Files.writeString(passwordFile, TestCerts.PASSWORD + "\n");
        try (Server server = start(TlsConfig.builder()
                .keyStore(ec.p12(), TlsConfig.Password.fromFile(passwordFile)).build());
             SSLSocket socket = TestCerts.connect(TestCerts.clientContext(ec), server)) {
            TlsServerTest.assertEchoesOn(socket, "password from a file\n");
        }
        String unset = "LOOMPORT_TEST_UNSET_" + ProcessHandle.current().pid();
        String message = startFails(TlsConfig.builder()
                .keyStore(ec.p12(), TlsConfig.Password.fromEnvironment(unset)).build());
        assertEquals("listener echo: TLS key store " + ec.p12() + ": environment variable " + unset
                + " is not set", message);
    }

    @Test
    void missingKeyStoreIsNamed() {
        Path missing = dir.resolve("nowhere.p12");
        assertEquals("listener echo: TLS key store " + missing + " does not exist", startFails(TlsConfig.builder()
                .keyStore(missing, TlsConfig.Password.of("x".toCharArray())).build()));
    }

    @Test
    void wrongPasswordIsNamed() {
        assertEquals("listener echo: TLS key store " + ec.p12() + ": wrong password (or the file is damaged)",
                startFails(TlsConfig.builder().keyStore(ec.p12(), TlsConfig.Password.of("wrong".toCharArray())).build()));
    }

    @Test
    void missingPasswordFileIsNamed() {
        Path missing = dir.resolve("no-password.txt");
        assertEquals("listener echo: TLS key store " + ec.p12() + ": password file " + missing + " does not exist",
                startFails(TlsConfig.builder().keyStore(ec.p12(), TlsConfig.Password.fromFile(missing)).build()));
    }

    @Test
    void missingPemFilesAreNamed() {
        Path missing = dir.resolve("missing-cert.pem");
        assertEquals("listener echo: TLS certificate " + missing + " does not exist",
                startFails(TlsConfig.builder().certificate(missing, ec.keyPem()).build()));
        Path missingKey = dir.resolve("missing-key.pem");
        assertEquals("listener echo: TLS private key " + missingKey + " does not exist",
                startFails(TlsConfig.builder().certificate(ec.certPem(), missingKey).build()));
    }

    @Test
    void pkcs1AndEncryptedKeysGetAConversionHint() throws Exception {
        Path pkcs1 = dir.resolve("pkcs1.pem");
        Files.writeString(pkcs1, TestCerts.pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));
        String message = startFails(TlsConfig.builder().certificate(rsa.certPem(), pkcs1).build());
        assertTrue(message.startsWith("listener echo: TLS private key " + pkcs1 + ": the key is in the older RSA form"),
                message);
        assertTrue(message.contains("openssl pkcs8 -topk8 -nocrypt -in " + pkcs1), message);

        Path encrypted = dir.resolve("encrypted.pem");
        Files.writeString(encrypted, TestCerts.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
        message = startFails(TlsConfig.builder().certificate(rsa.certPem(), encrypted).build());
        assertTrue(message.contains(encrypted + ": the key is encrypted"), message);
        assertTrue(message.contains("openssl pkcs8 -in " + encrypted), message);
    }

    @Test
    void keyThatDoesNotMatchTheCertificateIsNamed() {
        String message = startFails(TlsConfig.builder().certificate(ec.certPem(), rsa.keyPem()).build());
        assertTrue(message.startsWith("listener echo: TLS private key " + rsa.keyPem()
                + " does not belong to the certificate in " + ec.certPem()), message);
    }

    @Test
    void certificateFileWithoutCertificateIsNamed() throws Exception {
        Path empty = dir.resolve("empty.pem");
        Files.writeString(empty, "nothing here\n");
        assertEquals("listener echo: TLS certificate " + empty + ": no PEM certificate (-----BEGIN CERTIFICATE-----)"
                + " in it", startFails(TlsConfig.builder().certificate(empty, ec.keyPem()).build()));
    }

    @Test
    void keyMaterialIsReadBeforeAnyListenerBinds() throws Exception {
        // The second listener's port is taken: had it been bound first, the error would be about the port.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path missing = dir.resolve("absent.p12");
            IOException e = assertThrows(IOException.class, () -> Server.start(ServerConfig.builder()
                    .listener(ListenerConfig.builder("echo").port(taken.getLocalPort()).build())
                    .listener(ListenerConfig.builder("echo").tls(TlsConfig.builder()
                            .keyStore(missing, TlsConfig.Password.of("x".toCharArray())).build()).build())
                    .plugin(TestHandlers.echo())
                    .build()).close());
            assertEquals("listener echo-2: TLS key store " + missing + " does not exist", e.getMessage());
        }
    }
}
