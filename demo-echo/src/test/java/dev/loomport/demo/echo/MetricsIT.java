package dev.loomport.demo.echo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged demo, started as a user starts it ({@code java -p MODULES -m dev.loomport.demo.echo}),
 * serves its meters on {@code /metrics} with exactly the counts of the traffic it carried.
 */
@Timeout(120)
class MetricsIT {
    private static final Duration EVENTUALLY = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("(?m)^listening echo 127\\.0\\.0\\.1:(\\d+)$");
    private static final Pattern METRICS = Pattern.compile("(?m)^metrics (http://127\\.0\\.0\\.1:\\d+/metrics)$");

    @Tag("io-path") // also run on the non-default I/O path: see demo-echo/pom.xml
    @Test
    void metricsEndpointCountsExactlyWhatTheDemoEchoed() throws Exception {
        try (Child child = Child.launcher().start("--listen", "echo@127.0.0.1:0", "--metrics", "127.0.0.1:0")) {
            child.awaitMetrics();
            String printed = String.join("\n", child.stdout());
            int port = Integer.parseInt(find(LISTENING, printed));
            URI metrics = URI.create(find(METRICS, printed));
            assertTrue(printed.indexOf("listening") < printed.indexOf("metrics "),
                    "metrics line after listening lines");

            int connections = 5;
            int size = 3_000;
            for (int i = 0; i < connections; i++) {
                byte[] data = new byte[size];
                for (int j = 0; j < size; j++) {
                    data[j] = (byte) (j * 7 + i);
                }
                assertArrayEquals(data, Sockets.roundTrip(new InetSocketAddress("127.0.0.1", port), data));
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

                // The connections page's data: the launcher shows it its server (no connection open now).
                String pageLine = "connections " + metrics.resolve("/");
                await().atMost(EVENTUALLY).until(() -> child.stdout().contains(pageLine));
                HttpRequest json = HttpRequest.newBuilder(metrics.resolve("/connections.json")).timeout(EVENTUALLY).build();
                String page = http.send(json, HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(page.contains("\"open\":0,\"limit\":500,\"shown\":0,\"detailed\":true,"
                        + "\"listeners\":[{\"name\":\"echo\",\"handler\":\"echo\",\"address\":\"127.0.0.1:" + port
                        + "\",\"active\":0,\"accepted\":5,\"rejected\":0,\"closed\":{\"client-closed\":5,"), page);
            }

            child.terminate(); // SIGTERM: a graceful stop that closes the endpoint too
            assertEquals(0, child.awaitExit(), child::log);
        }
    }

    @Test
    void metricsOffServesNoEndpoint() throws Exception {
        try (Child child = Child.launcher().start("--listen", "echo@127.0.0.1:0", "--metrics", "off")) {
            child.awaitListening("echo");
            find(LISTENING, String.join("\n", child.stdout()));
            child.terminate();
            assertEquals(0, child.awaitExit(), child::log);
            String printed = String.join("\n", child.stdout()) + "\n" + String.join("\n", child.stderr());
            assertFalse(printed.contains("metrics"), printed);
        }
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
}
