package dev.loomport.demo.echo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig;
import dev.loomport.Server;
import dev.loomport.ServerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every PromQL query in docs/grafana-dashboard.json names only meters that the demo really exports:
 * the demo's server and {@code /metrics} endpoint run in this JVM, carry a few connections, and are
 * scraped; each metric name parsed out of each query must be in the scrape.
 */
@Timeout(120)
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("..", "docs", "grafana-dashboard.json");
    private static final Duration EVENTUALLY = Duration.ofSeconds(30);

    /**
     * Meters the dashboard shows that the demo does not export yet: none. A meter the framework has
     * not wired yet goes here, with a comment saying what it waits for.
     */
    private static final Set<String> PENDING = Set.of();

    /** A query's string in the JSON: {@code "expr": "..."} for panels, {@code "query": "..."} for variables. */
    private static final Pattern QUERY = Pattern.compile("\"(?:expr|query)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset");

    @Test
    void everyQueryNamesAMeterTheDemoExports() throws Exception {
        List<String> queries = queries(Files.readString(DASHBOARD));
        assertTrue(queries.size() >= 12, () -> "too few queries found: " + queries);

        Set<String> exported = exportedNames();
        List<String> missing = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        for (String query : queries) {
            Set<String> names = metricNames(query);
            assertTrue(!names.isEmpty(), () -> "no metric in query: " + query);
            for (String name : names) {
                assertTrue(name.startsWith("loomport_"), () -> "not a loomport meter: " + name + " in " + query);
                used.add(name);
                if (!exported.contains(name) && !PENDING.contains(name)) {
                    missing.add(name + " (in " + query + ")");
                }
            }
        }
        assertEquals(List.of(), missing, () -> "the demo exports:\n" + String.join("\n", exported));
        for (String pending : PENDING) {
            assertTrue(used.contains(pending), "allowed as pending but not in the dashboard: " + pending);
            assertTrue(!exported.contains(pending), "exported now: take it off the pending list: " + pending);
        }
    }

    @Test
    void theParserFindsMetricsAndSkipsLabelsFunctionsAndVariables() {
        assertEquals(Set.of("a_total", "b_seconds_sum"), metricNames(
                "sum by (listener, outcome) (rate(a_total{listener=~\"$listener\",x=\"y z\"}[$__rate_interval]))"
                        + " / on (listener) group_left max without (port) (b_seconds_sum offset 5m) > 0"));
        assertEquals(Set.of("c"), metricNames("label_values(c{listener=~\"$listener\"}, handler)"));
    }

    /** Every query in the dashboard, JSON escapes undone. */
    static List<String> queries(String json) {
        List<String> queries = new ArrayList<>();
        Matcher m = QUERY.matcher(json);
        while (m.find()) {
            queries.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return queries;
    }

    /**
     * The metric names in a PromQL query (or a Grafana {@code label_values(metric, label)}): identifiers
     * that are not functions (followed by "("), keywords, label names (inside {} or a by/without/on
     * list), durations (inside []), strings, numbers or Grafana variables.
     */
    static Set<String> metricNames(String query) {
        String q = query.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\w+", " ")
                .replaceAll("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)\\s*(?:,[^)]*)?\\)", "$1");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(q);
        while (m.find()) {
            String word = m.group();
            boolean call = q.substring(m.end()).stripLeading().startsWith("(");
            boolean number = m.start() > 0 && Character.isDigit(q.charAt(m.start() - 1));
            if (!call && !number && !KEYWORDS.contains(word)) {
                names.add(word);
            }
        }
        return names;
    }

    /** The sample names the demo's /metrics serves once its echo listener has carried connections. */
    private static Set<String> exportedNames() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0));
                Server server = Server.start(ServerConfig.builder()
                        .listener(ListenerConfig.builder("echo").host("127.0.0.1").port(0).name("dashboard").build())
                        .pinningThreshold(LaunchOptions.parse().pinning()) // the launcher's default
                        .build())) {
            InetSocketAddress address = server.listeners().getFirst().address();
            byte[] data = Sockets.payload(100, 1);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(data, Sockets.roundTrip(address, data));
            }
            String body = await().atMost(EVENTUALLY).until(() -> HttpGet.body(endpoint.address(), MetricsEndpoint.PATH),
                    b -> b.contains("loomport_closed_connections_total{handler=\"echo\",listener=\"dashboard\","
                            + "outcome=\"client-closed\",port=\"" + address.getPort() + "\"} 3.0")
                            && b.contains("loomport_connections_pinned_total{handler=\"echo\",listener=\"dashboard\""));
            Set<String> names = new TreeSet<>();
            for (String line : body.split("\n")) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    names.add(line.split("[{ ]", 2)[0]);
                }
            }
            return names;
        }
    }
}
