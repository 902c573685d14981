package dev.loomport.demo.echo;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The launcher in a JVM of its own, as an operator runs it: started from the packaged module path,
 * stopped by SIGTERM ({@link Process#destroy()} sends it on Linux and macOS).
 */
class LauncherShutdownIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("listening (\\S+) (\\S+):(\\d+)");

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void sigtermLetsAnExchangeFinishThenExitsZero() throws Exception {
        Launched demo = launch("--listen", "echo@127.0.0.1:0", "--grace", "5m");
        try (Socket client = connect(demo.port(0))) {
            exchange(client, "before the signal");
            demo.process().destroy(); // SIGTERM
            awaitRefused(demo.port(0));
            exchange(client, "while draining"); // the open connection is still served
            client.shutdownOutput();
            assertEquals(-1, client.getInputStream().read());
        }
        // Its last connection ended, so it exits long before the five-minute grace period.
        assertEquals(0, exitCode(demo));
    }

    @Test
    void aSecondSigtermStopsAtOnceAndStillExitsZero() throws Exception {
        Launched demo = launch("--listen", "echo@127.0.0.1:0", "--grace", "1h");
        try (Socket idle = connect(demo.port(0))) {
            exchange(idle, "hello");
            demo.process().destroy();
            awaitRefused(demo.port(0)); // the first signal began the graceful stop
            demo.process().destroy();
            assertEquals(0, exitCode(demo));
            assertEquals(-1, idle.getInputStream().read(), "closed by the stop");
        }
    }

    @Test
    void aRelayConfiguredOnTheCommandLineForwardsToItsUpstream() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            upstream.setSoTimeout((int) TIMEOUT.toMillis());
            Launched demo = launch("--listen", "relay@127.0.0.1:0,upstream=127.0.0.1:" + upstream.getLocalPort()
                    + ",connect-timeout=5s", "--grace", "1s");
            assertEquals("relay", demo.handlers().getFirst());
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
            try (Socket client = connect(demo.port(0))) {
                assertArrayEquals("from upstream".getBytes(US_ASCII), client.getInputStream().readAllBytes());
                client.getOutputStream().write("to upstream".getBytes(US_ASCII));
                client.shutdownOutput();
                assertArrayEquals("to upstream".getBytes(US_ASCII),
                        upstreamGot.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            }
            demo.process().destroy();
            assertEquals(0, exitCode(demo));
        }
    }

    @Test
    void aRelayWithoutAnUpstreamStopsTheStartWithOneLineNamingIt() throws Exception {
        Process p = start("--listen", "relay@127.0.0.1:0,upstream=nowhere");
        assertTrue(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        String err = new String(p.getErrorStream().readAllBytes(), UTF_8);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("loomport: "), err);
        assertTrue(err.strip().endsWith("relay upstream must be HOST:PORT ([::1]:7007 for IPv6): 'nowhere'"), err);
    }

    // ---- helpers ----

    record Launched(Process process, List<String> handlers, List<Integer> ports, Path stderr) {
        InetSocketAddress port(int i) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get(i));
        }
    }

    private Process start(String... args) throws IOException {
        Process p = launcher(args).start();
        started.add(p);
        return p;
    }

    private ProcessBuilder launcher(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String modules = System.getProperty("loomport.modules");
        assertNotNull(modules, "system property loomport.modules (set by the build)");
        List<String> command = new ArrayList<>(List.of(java, "-p", modules, "-m", "dev.loomport.demo.echo",
                "--metrics", "off"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }

    /** Starts the launcher and waits for a "listening" line per --listen. */
    private Launched launch(String... args) throws Exception {
        Path stderr = Files.createTempFile("loomport-launcher", ".err");
        Process p = launcher(args).redirectError(stderr.toFile()).start();
        started.add(p);
        long listeners = List.of(args).stream().filter("--listen"::equals).count();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().name("launcher stdout").start(() -> {
            try (var out = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
        List<String> handlers = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        while (ports.size() < listeners) {
            String line = lines.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(line, () -> "no 'listening' line; stderr: " + read(stderr));
            Matcher m = LISTENING.matcher(line);
            if (m.matches()) {
                handlers.add(m.group(1));
                ports.add(Integer.parseInt(m.group(3)));
            }
        }
        return new Launched(p, handlers, ports, stderr);
    }

    private static int exitCode(Launched demo) throws Exception {
        assertTrue(demo.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                () -> "still running; stderr: " + read(demo.stderr()));
        return demo.process().exitValue();
    }

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, (int) TIMEOUT.toMillis());
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

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

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
