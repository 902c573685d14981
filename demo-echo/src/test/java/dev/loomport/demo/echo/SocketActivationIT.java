package dev.loomport.demo.echo;

import static dev.loomport.demo.echo.SocketHolder.expect;
import static dev.loomport.demo.echo.Sockets.connect;
import static dev.loomport.demo.echo.Sockets.roundTrip;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher serving {@code echo@stdin}, the socket it inherits, as under systemd's
 * {@code StandardInput=socket}: socket-holder plays the service manager ({@link SocketHolder}).
 */
class SocketActivationIT {
    @Tag("io-path") // also run on the non-default I/O path: see demo-echo/pom.xml
    @Test
    void servesTheHeldSocketLogsThroughItsStopAndLeavesTheQueueToTheNextLauncher() throws Exception {
        try (Child manager = SocketHolder.holdingLauncher(List.of(), "--listen", "echo@stdin",
                "--grace", "30s")) {
            int port = Integer.parseInt(expect(manager, "holder listening "));
            InetSocketAddress held = new InetSocketAddress("127.0.0.1", port);
            manager.send("start\n");
            expect(manager, "holder starting");
            assertEquals(held, manager.awaitListening("echo"), "the listener's address is the held socket's");
            assertArrayEquals("first".getBytes(UTF_8), roundTrip(held, "first".getBytes(UTF_8)));

            try (Socket open = connect(held)) { // keeps the stop draining until it closes
                open.getOutputStream().write("open".getBytes(UTF_8));
                assertArrayEquals("open".getBytes(UTF_8), open.getInputStream().readNBytes(4));
                manager.send("term\n");
                // Logged after the listener stopped accepting: stderr was not detached (closing the JDK's
                // inherited channel would have pointed it at /dev/null).
                // (1 or 2 connections: the first one's server side may not have ended yet.)
                manager.errLine("draining: waiting up to PT30S for ");
                try (Socket queued = connect(held)) { // nobody accepts now: the held socket's backlog keeps it
                    queued.getOutputStream().write("queued".getBytes(UTF_8));
                    queued.shutdownOutput();
                    open.getOutputStream().write("still served".getBytes(UTF_8));
                    open.shutdownOutput();
                    assertArrayEquals("still served".getBytes(UTF_8), open.getInputStream().readAllBytes());
                    assertEquals("0", expect(manager, "holder exited "), "a graceful stop exits 0");

                    manager.send("start\n"); // the next launcher serves what waited
                    expect(manager, "holder starting");
                    assertEquals(held, manager.awaitListening("echo"));
                    assertArrayEquals("queued".getBytes(UTF_8), queued.getInputStream().readAllBytes());
                }
            }
            manager.send("term\n");
            assertEquals("0", expect(manager, "holder exited "));
            assertEquals(0, manager.awaitExit(), "end of stdin ends the holder");
        }
    }

    /** TLS runs over the accepted channel's socket adaptor here, not the JDK's socket implementation. */
    @Test
    void servesTlsOnTheInheritedSocket(@TempDir Path dir) throws Exception {
        Path keyStore = dir.resolve("server.p12");
        Path password = Files.writeString(dir.resolve("password"), "it-password");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", "it-password")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), UTF_8);
        assertEquals(0, keytool.waitFor(), output);
        try (Child manager = SocketHolder.holdingLauncher(List.of(), "--listen", "echo@stdin,tls-keystore=" + keyStore
                + ",tls-password-file=" + password)) {
            InetSocketAddress held = new InetSocketAddress("127.0.0.1", Integer.parseInt(expect(manager, "holder listening ")));
            manager.send("start\n");
            expect(manager, "holder starting");
            assertEquals(held, manager.awaitListening("echo"));
            SSLContext trustingAll = SSLContext.getInstance("TLS");
            trustingAll.init(null, new TrustManager[] {new X509TrustManager() { // a test: the certificate is ours
                @Override public void checkClientTrusted(X509Certificate[] chain, String type) { }
                @Override public void checkServerTrusted(X509Certificate[] chain, String type) { }
                @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
            }}, null);
            try (Socket plain = connect(held);
                 SSLSocket tls = (SSLSocket) trustingAll.getSocketFactory().createSocket(plain, "localhost", held.getPort(), true)) {
                tls.getOutputStream().write("over TLS".getBytes(UTF_8));
                tls.getOutputStream().flush();
                assertArrayEquals("over TLS".getBytes(UTF_8), tls.getInputStream().readNBytes(8));
            }
            manager.send("term\n");
            assertEquals("0", expect(manager, "holder exited "));
        }
    }

    @Test
    void withoutASocketOnStdinTheLauncherSaysSoAndExits1() throws Exception {
        try (Child launcher = Child.launcher().start("--listen", "echo@stdin")) { // stdin: a pipe
            String line = launcher.errLine("loomport: ");
            assertTrue(line.startsWith("loomport: listener echo: no inherited channel: standard input is not a"
                    + " socket (System.inheritedChannel() is null)"), line);
            assertEquals(1, launcher.awaitExit());
        }
    }
}
