package dev.loomport.demo.echo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged demo, started as a user starts it ({@code java -p MODULES -m dev.loomport.demo.echo}),
 * serves its meters on {@code /metrics} with exactly the counts of the traffic it carried.
 */
@Timeout(120)
class MetricsIT {
    private static final Duration EVENTUALLY = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("(?m)^listening echo 127\\.0\\.0\\.1:(\\d+)$");
    private static final Pattern METRICS = Pattern.compile("(?m)^metrics (http://127\\.0\\.0\\.1:\\d+/metrics)$");

    @TempDir
    Path dir;
    private Process child;

    @AfterEach
    void stopChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void metricsEndpointCountsExactlyWhatTheDemoEchoed() throws Exception {
        Path out = start("--listen", "echo@127.0.0.1:0", "--metrics", "127.0.0.1:0");
        String printed = await().atMost(EVENTUALLY).until(() -> Files.readString(out), s -> METRICS.matcher(s).find());
        int port = Integer.parseInt(find(LISTENING, printed));
        URI metrics = URI.create(find(METRICS, printed));
        assertTrue(printed.indexOf("listening") < printed.indexOf("metrics "), "metrics line after listening lines");

        int connections = 5;
        int size = 3_000;
        for (int i = 0; i < connections; i++) {
            byte[] data = new byte[size];
            for (int j = 0; j < size; j++) {
                data[j] = (byte) (j * 7 + i);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write(data);
                socket.shutdownOutput();
                assertArrayEquals(data, socket.getInputStream().readAllBytes());
            }
        }

        String tags = "handler=\"echo\",listener=\"echo\",port=\"" + port + "\"";
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(EVENTUALLY).build()) {
            HttpRequest get = HttpRequest.newBuilder(metrics).timeout(EVENTUALLY).GET().build();
            String closed = "loomport_closed_connections_total{handler=\"echo\",listener=\"echo\","
                    + "outcome=\"client-closed\",port=\"" + port + "\"} 5.0\n";
            String body = await().atMost(EVENTUALLY).until(() -> scrape(http, get),
                    b -> b.contains(closed) && b.contains("loomport_active_connections{" + tags + "} 0.0\n"));
            List<String> expected = List.of(
                    "loomport_accepted_connections_total{" + tags + "} 5.0",
                    "loomport_received_bytes_total{" + tags + "} 15000.0",
                    "loomport_sent_bytes_total{" + tags + "} 15000.0",
                    "loomport_connection_duration_seconds_count{" + tags + "} 5",
                    "loomport_connection_age_seconds_count{" + tags + "} 0",
                    "loomport_rejected_connections_total{" + tags + ",reason=\"max-connections\"} 0.0");
            for (String line : expected) {
                assertTrue(body.contains("\n" + line + "\n"), () -> "no line '" + line + "' in:\n" + body);
            }
            assertFalse(body.contains("loomport_connection_duration_seconds_bucket"), "no histogram unless asked");
            assertFalse(body.contains("loomport_handler_errors_total"), "no handler failed");
        }

        child.destroy(); // SIGTERM: a graceful stop that closes the endpoint too
        assertTrue(child.waitFor(EVENTUALLY.toSeconds(), TimeUnit.SECONDS), "the demo stops on SIGTERM");
        assertEquals(0, child.exitValue(), () -> read(out));
    }

    @Test
    void metricsOffServesNoEndpoint() throws Exception {
        Path out = start("--listen", "echo@127.0.0.1:0", "--metrics", "off");
        await().atMost(EVENTUALLY).until(() -> LISTENING.matcher(Files.readString(out)).find());
        child.destroy();
        assertTrue(child.waitFor(EVENTUALLY.toSeconds(), TimeUnit.SECONDS), "the demo stops on SIGTERM");
        assertEquals(0, child.exitValue(), () -> read(out));
        assertFalse(Files.readString(out).contains("metrics"), () -> read(out));
    }

    /** Starts the demo with stdout and stderr in one file (a file cannot fill up and block the child). */
    private Path start(String... args) throws IOException {
        String modules = System.getProperty("loomport.modules");
        assertTrue(modules != null && Files.isDirectory(Path.of(modules)), "loomport.modules: " + modules);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = dir.resolve("demo.out");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-p", modules,
                "-m", "dev.loomport.demo.echo"));
        command.addAll(List.of(args));
        child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        return out;
    }

    private static String scrape(HttpClient http, HttpRequest get) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(get, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        Optional<String> type = response.headers().firstValue("content-type");
        assertEquals(Optional.of(MetricsEndpoint.CONTENT_TYPE), type);
        return response.body();
    }

    private static String find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertTrue(m.find(), () -> "no " + pattern + " in:\n" + text);
        return m.group(1);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
