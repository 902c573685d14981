package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher serving echo over TLS, talked to by {@code openssl s_client}: a TLS client no Java code
 * controls. Certificates are made here, by keytool and openssl, in a temporary directory.
 */
class TlsLauncherIT {
    static final String PASSWORD = "it-password";
    @TempDir
    static Path dir;
    static Path passwordFile;
    static Path serverP12;
    static Path serverCertPem;
    static Path otherP12;
    static Path pemCert;
    static Path pemKey;
    static Path clientCert;
    static Path clientKey;

    @BeforeAll
    static void tools() throws Exception {
        String openssl;
        try {
            openssl = run(List.of("openssl", "version"));
        } catch (IOException e) {
            fail("openssl is not installed, and these tests need a real TLS client: install Debian's openssl"
                    + " (apt-get install openssl; .ci/run does it when the machine lacks it). " + e.getMessage());
            return;
        }
        assertTrue(openssl.startsWith("OpenSSL"), openssl);
        passwordFile = Files.writeString(dir.resolve("password"), PASSWORD + "\n");
        serverP12 = keytool("loomport-one");
        otherP12 = keytool("loomport-two");
        serverCertPem = dir.resolve("loomport-one.pem");
        run(List.of(keytoolCommand(), "-exportcert", "-rfc", "-alias", "loomport-one", "-keystore", serverP12.toString(),
                "-storepass", PASSWORD, "-file", serverCertPem.toString()));
        pemCert = dir.resolve("pem-cert.pem");
        pemKey = dir.resolve("pem-key.pem");
        opensslCertificate("loomport-pem", pemCert, pemKey);
        clientCert = dir.resolve("client-cert.pem");
        clientKey = dir.resolve("client-key.pem");
        opensslCertificate("loomport-client", clientCert, clientKey);
    }

    private static Path keytool(String name) throws Exception {
        Path p12 = dir.resolve(name + ".p12");
        run(List.of(keytoolCommand(), "-genkeypair", "-alias", name, "-keyalg", "EC", "-dname", "CN=" + name,
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD));
        return p12;
    }

    private static String keytoolCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    /** openssl writes the key as PKCS#8 (BEGIN PRIVATE KEY), the form loomport reads. */
    private static void opensslCertificate(String name, Path cert, Path key) throws Exception {
        run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=" + name, "-days", "2",
                "-addext", "subjectAltName=IP:127.0.0.1"));
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("failed: " + String.join(" ", command) + "\n" + output);
        }
        return output;
    }

    /** The launcher with one listener; returns once it prints its port. */
    static Launched launch(String spec) throws Exception {
        return launch(spec, new String[0]);
    }

    /** With {@code prefix} before java: {@code env --default-signal=HUP}, say (coreutils' env execs java). */
    static Launched launch(String spec, String... prefix) throws Exception {
        Child child = Child.launcher().prefix(prefix).env("LOOMPORT_IT_PASSWORD", PASSWORD).start("--listen", spec);
        try {
            String line = child.line();
            assertTrue(line.startsWith("listening echo 127.0.0.1:"), line);
            return new Launched(child, Integer.parseInt(line.substring(line.lastIndexOf(':') + 1)));
        } catch (AssertionError e) {
            child.close();
            throw e;
        }
    }

    record Launched(Child child, int port) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            child.close();
        }
    }

    /** {@code openssl s_client}, checking the server's certificate against {@code trusted}. */
    static Child sClient(int port, Path trusted, String... more) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-brief", "-CAfile", trusted.toString(), "-verify_return_error", "-verify_ip", "127.0.0.1"));
        command.addAll(List.of(more));
        return Child.start(command);
    }

    /** Sends lines through s_client and reads each back from the echo, byte for byte. */
    static void assertEchoes(Child client, String... lines) throws Exception {
        for (String line : lines) {
            client.send(line + "\n");
            assertEquals(line, client.line());
        }
    }

    @Test
    void opensslSendsLinesAndReadsThemBackOverTls13AndTls12() throws Exception {
        try (Launched server = launch("echo@127.0.0.1:0,tls-keystore=" + serverP12 + ",tls-password-file="
                + passwordFile)) {
            for (String version : List.of("1.3", "1.2")) {
                try (Child client = sClient(server.port(), serverCertPem, "-tls" + version.replace('.', '_'))) {
                    assertEchoes(client, "hello over TLSv" + version, "ünïcödé and tabs\tstay", "");
                    assertEquals("Protocol version: TLSv" + version, client.errLine("Protocol version"));
                    assertEquals("Verification: OK", client.errLine("Verification"));
                    assertEquals(0, client.awaitExit());
                }
            }
        }
    }

    @Test
    void mutualTlsWithPemKeysAcceptsTheClientCertificateAndRefusesNone() throws Exception {
        try (Launched server = launch("echo@127.0.0.1:0,tls-cert=" + pemCert + ",tls-key=" + pemKey
                + ",tls-client-auth=required,tls-trust-certs=" + clientCert)) {
            try (Child client = sClient(server.port(), pemCert, "-cert", clientCert.toString(),
                    "-key", clientKey.toString())) {
                assertEchoes(client, "with a client certificate");
                assertEquals("Peer certificate: CN = loomport-pem", client.errLine("Peer certificate"));
                assertEquals(0, client.awaitExit());
            }
            try (Child client = sClient(server.port(), pemCert)) {
                client.send("without one\n");
                assertTrue(client.errLine("alert").contains("certificate required"), client.log());
                assertNotEquals(0, client.awaitExit());
            }
        }
    }

    @Test
    void clientOfferingOnlyTls10IsRefusedAndOthersStillServed() throws Exception {
        try (Launched server = launch("echo@127.0.0.1:0,tls-keystore=" + serverP12 + ",tls-password-env="
                + "LOOMPORT_IT_PASSWORD")) {
            // SECLEVEL=0: OpenSSL 3 itself no longer offers TLS 1.0 otherwise.
            try (Child old = sClient(server.port(), serverCertPem, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0")) {
                assertTrue(old.errLine("alert").contains("alert protocol version"), old.log());
                assertNotEquals(0, old.awaitExit());
            }
            try (Child client = sClient(server.port(), serverCertPem)) {
                assertEchoes(client, "still serving");
                assertEquals(0, client.awaitExit());
            }
        }
    }

    @Test
    void sighupReloadsTheCertificateForNewConnectionsAndKeepsOpenOnes() throws Exception {
        Path live = dir.resolve("live.p12");
        Files.copy(serverP12, live, StandardCopyOption.REPLACE_EXISTING);
        Path bothCerts = dir.resolve("both.pem");
        Path otherPem = dir.resolve("loomport-two.pem");
        run(List.of(keytoolCommand(), "-exportcert", "-rfc", "-alias", "loomport-two", "-keystore", otherP12.toString(),
                "-storepass", PASSWORD, "-file", otherPem.toString()));
        Files.writeString(bothCerts, Files.readString(serverCertPem) + Files.readString(otherPem));
        // SIGHUP handled as the JVM would by default, even when this build runs under nohup: an ignored
        // signal stays ignored in the launcher whatever handler it asks for (the next test).
        try (Launched server = launch("echo@127.0.0.1:0,tls-keystore=" + live + ",tls-password-file=" + passwordFile,
                "env", "--default-signal=HUP");
             Child before = sClient(server.port(), bothCerts)) {
            assertEchoes(before, "before the reload");
            assertEquals("Peer certificate: CN = loomport-one", before.errLine("Peer certificate"));

            Files.copy(otherP12, live, StandardCopyOption.REPLACE_EXISTING);
            server.child().signal("HUP");
            assertEquals("reloaded TLS echo", server.child().line());
            try (Child after = sClient(server.port(), bothCerts)) {
                assertEchoes(after, "after the reload");
                assertEquals("Peer certificate: CN = loomport-two", after.errLine("Peer certificate"));
                assertEquals(0, after.awaitExit());
            }
            assertEchoes(before, "the open connection still works");

            Files.writeString(live, "damaged");
            server.child().signal("HUP");
            String error = server.child().errLine("TLS reload failed");
            assertTrue(error.contains(live + ": not a readable PKCS#12 store"), error);
            try (Child afterBad = sClient(server.port(), bothCerts)) {
                assertEchoes(afterBad, "after a bad reload");
                assertEquals("Peer certificate: CN = loomport-two", afterBad.errLine("Peer certificate"));
                assertEquals(0, afterBad.awaitExit());
            }
            assertEquals(0, before.awaitExit());
        }
    }

    @Test
    void anIgnoredSighupIsReportedAtStartAndLeavesTheServerRunning() throws Exception {
        try (Launched server = launch("echo@127.0.0.1:0,tls-keystore=" + serverP12 + ",tls-password-file="
                + passwordFile, "env", "--ignore-signal=HUP")) {
            String warning = server.child().errLine("SIGHUP");
            assertEquals("loomport: SIGHUP is ignored in this process (inherited from what started it, such as"
                    + " nohup): reloading TLS certificates on SIGHUP is off", warning);
            server.child().signal("HUP");
            try (Child client = sClient(server.port(), serverCertPem)) {
                assertEchoes(client, "still serving after SIGHUP");
                assertEquals(0, client.awaitExit());
            }
            assertTrue(server.child().isAlive(), "SIGHUP did nothing: ignored, as announced");
        }
    }

    @Test
    void startupErrorsNameTheFileAndNeverShowThePassword() throws Exception {
        Path missing = dir.resolve("missing.p12");
        assertStartFails("echo@127.0.0.1:0,tls-keystore=" + missing + ",tls-password-file=" + passwordFile, 1,
                "loomport: listener echo: TLS key store " + missing + " does not exist");
        Path wrong = Files.writeString(dir.resolve("wrong-password"), "not-it\n");
        assertStartFails("echo@127.0.0.1:0,tls-keystore=" + serverP12 + ",tls-password-file=" + wrong, 1,
                "loomport: listener echo: TLS key store " + serverP12 + ": wrong password (or the file is damaged)");
        assertStartFails("echo@127.0.0.1:0,tls-keystore=" + serverP12 + ",tls-password=" + PASSWORD, 2,
                "a password never goes on the command line");
    }

    private static void assertStartFails(String spec, int exitCode, String message) throws Exception {
        try (Child child = Child.launcher().start("--listen", spec)) {
            assertEquals(exitCode, child.awaitExit());
            String line = child.errLine(message);
            assertFalse(line.contains(PASSWORD), "the password leaked into an error: " + line);
        }
    }
}
