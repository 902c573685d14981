package dev.loomport.demo.echo;

import static dev.loomport.demo.echo.Sockets.connect;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The launcher in a JVM of its own, as an operator runs it: started from the packaged module path,
 * stopped by SIGTERM ({@link Process#destroy()} sends it on Linux and macOS).
 */
class LauncherShutdownIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Tag("io-path") // also run on the non-default I/O path: see demo-echo/pom.xml
    @Test
    void sigtermLetsAnExchangeFinishThenExitsZero() throws Exception {
        try (Child demo = Child.launcher().start("--listen", "echo@127.0.0.1:0", "--grace", "5m")) {
            InetSocketAddress echo = demo.awaitListening("echo");
            try (Socket client = connect(echo)) {
                exchange(client, "before the signal");
                demo.terminate(); // SIGTERM
                awaitRefused(echo);
                exchange(client, "while draining"); // the open connection is still served
                client.shutdownOutput();
                assertEquals(-1, client.getInputStream().read());
            }
            // Its last connection ended, so it exits long before the five-minute grace period.
            assertEquals(0, demo.awaitExit());
        }
    }

    @Tag("io-path") // also run on the non-default I/O path: see demo-echo/pom.xml
    @Test
    void aSecondSigtermStopsAtOnceAndStillExitsZero() throws Exception {
        try (Child demo = Child.launcher().start("--listen", "echo@127.0.0.1:0", "--grace", "1h")) {
            InetSocketAddress echo = demo.awaitListening("echo");
            try (Socket idle = connect(echo)) {
                exchange(idle, "hello");
                demo.terminate();
                awaitRefused(echo); // the first signal began the graceful stop
                demo.terminate();
                assertEquals(0, demo.awaitExit());
                SocketException reset = assertThrows(SocketException.class, () -> idle.getInputStream().read(),
                        "closed by the stop, as an abort");
                assertEquals("Connection reset", reset.getMessage());
            }
        }
    }

    @Tag("io-path") // also run on the non-default I/O path: see demo-echo/pom.xml
    @Test
    void aRelayConfiguredOnTheCommandLineForwardsToItsUpstream() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Child demo = Child.launcher().start("--listen", "relay@127.0.0.1:0,upstream=127.0.0.1:"
                     + upstream.getLocalPort() + ",connect-timeout=5s", "--grace", "1s")) {
            upstream.setSoTimeout((int) TIMEOUT.toMillis());
            Child.Listening relay = demo.awaitListening();
            assertEquals("relay", relay.handler());
            CompletableFuture<byte[]> upstreamGot = CompletableFuture.supplyAsync(() -> {
                try (Socket s = upstream.accept()) {
                    s.setSoTimeout((int) TIMEOUT.toMillis());
                    s.getOutputStream().write("from upstream".getBytes(US_ASCII));
                    s.shutdownOutput();
                    return s.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket client = connect(relay.address())) {
                assertArrayEquals("from upstream".getBytes(US_ASCII), client.getInputStream().readAllBytes());
                client.getOutputStream().write("to upstream".getBytes(US_ASCII));
                client.shutdownOutput();
                assertArrayEquals("to upstream".getBytes(US_ASCII),
                        upstreamGot.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            }
            demo.terminate();
            assertEquals(0, demo.awaitExit());
        }
    }

    @Test
    void aRelayWithoutAnUpstreamStopsTheStartWithOneLineNamingIt() throws Exception {
        try (Child demo = Child.launcher().start("--listen", "relay@127.0.0.1:0,upstream=nowhere")) {
            assertEquals(1, demo.awaitExit());
            String err = String.join("\n", demo.stderr());
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("loomport: "), err);
            assertTrue(err.strip().endsWith("relay upstream must be HOST:PORT ([::1]:7007 for IPv6): 'nowhere'"), err);
        }
    }

    // ---- helpers ----

    private static void exchange(Socket client, String text) throws IOException {
        byte[] bytes = text.getBytes(US_ASCII);
        client.getOutputStream().write(bytes);
        assertArrayEquals(bytes, client.getInputStream().readNBytes(bytes.length));
    }

    private static void awaitRefused(InetSocketAddress address) {
        await().atMost(TIMEOUT).until(() -> {
            try (Socket s = new Socket()) {
                s.connect(address, 1000);
                return false;
            } catch (ConnectException e) {
                return true;
            }
        });
    }
}
