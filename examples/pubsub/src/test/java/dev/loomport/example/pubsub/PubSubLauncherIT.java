package dev.loomport.example.pubsub;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import dev.loomport.testkit.TestClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The example as a user runs it: its jar beside the demo's launcher, on the module path and on the class
 * path, three clients at once, then SIGTERM: every client gets its goodbye and the launcher exits 0.
 */
class PubSubLauncherIT {
    private static final Pattern LISTENING = Pattern.compile("listening pubsub (\\S+):(\\d+)");

    @ParameterizedTest
    @ValueSource(strings = {"module-path", "class-path"})
    void threeClientsThenSigterm(String path) throws Exception {
        Process launcher = start(path);
        try {
            BlockingQueue<String> stdout = lines(launcher.inputReader(UTF_8));
            lines(launcher.errorReader(UTF_8));
            InetSocketAddress address = awaitListening(stdout);
            try (TestClient a = client(address); TestClient b = client(address); TestClient c = client(address)) {
                assertEquals("OK SUB room", a.sendLine("SUB room").readLine());
                assertEquals("OK SUB room", b.sendLine("SUB room").readLine());
                for (int i = 0; i < 50; i++) {
                    assertEquals("OK PUB 2", c.sendLine("PUB room line " + i).readLine());
                }
                for (int i = 0; i < 50; i++) {
                    assertEquals("MSG room line " + i, a.readLine());
                    assertEquals("MSG room line " + i, b.readLine());
                }
                launcher.destroy(); // SIGTERM
                for (TestClient client : List.of(a, b, c)) {
                    assertEquals("BYE server draining", client.readLine());
                    assertNull(client.readLine());
                }
            }
            assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher did not stop");
            assertEquals(0, launcher.exitValue());
        } finally {
            launcher.destroyForcibly();
        }
    }

    private static Process start(String path) throws Exception {
        Path modules = Path.of(System.getProperty("loomport.modules"));
        Path jar = Path.of(System.getProperty("pubsub.jar"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        if (path.equals("module-path")) {
            command.addAll(List.of("-p", modules + File.pathSeparator + jar, "-m", "dev.loomport.demo.echo"));
        } else {
            List<String> entries = new ArrayList<>();
            try (Stream<Path> jars = Files.list(modules)) {
                jars.map(Path::toString).sorted().forEach(entries::add);
            }
            entries.add(jar.toString());
            command.addAll(List.of("-cp", String.join(File.pathSeparator, entries), "dev.loomport.demo.echo.Main"));
        }
        command.addAll(List.of("--listen", "pubsub@127.0.0.1:0", "--metrics", "off", "--grace", "30s"));
        return new ProcessBuilder(command).start();
    }

    /** Reads a stream to its end on a virtual thread, so the child never blocks on a full pipe. */
    private static BlockingQueue<String> lines(BufferedReader reader) {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (reader) {
                for (String line; (line = reader.readLine()) != null; ) {
                    queue.add(line);
                }
            } catch (Exception e) {
                // the process ended; the test has its own timeouts
            }
        });
        return queue;
    }

    private static InetSocketAddress awaitListening(BlockingQueue<String> stdout) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = stdout.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
                }
            }
        }
        throw new AssertionError("the launcher never said it was listening");
    }

    private static TestClient client(InetSocketAddress address) throws IOException {
        return TestClient.connect(address, Duration.ofSeconds(30));
    }
}
