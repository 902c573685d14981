package dev.loomport.demo.echo;

import dev.loomport.BoundListener;
import dev.loomport.ConnectionInfo;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Renders {@code /connections.json}: each listener with its handler, address and counts (read from the
 * loomport meters in the registry), and at most {@link #MAX_LIMIT} open connections, newest first,
 * with how many are open in all. Written by hand: the demo has no JSON library, and one flat document
 * of strings and numbers does not justify adding one.
 */
final class ConnectionsJson {
    /** The most connections one response lists, whatever {@code ?limit=} asks: it keeps the page fast. */
    static final int MAX_LIMIT = 500;
    static final String PATH = "/connections.json";
    static final String CONTENT_TYPE = "application/json; charset=utf-8";
    static final List<String> OUTCOMES = List.of("client-closed", "server-closed", "client-reset", "error",
            "idle-timeout", "write-timeout", "lifetime", "too-slow", "shutdown", "tls-handshake",
            "proxy-header", "proxy-untrusted");

    private ConnectionsJson() {
    }

    /**
     * The limit a query string asks for ({@code limit=N}, 1..{@value #MAX_LIMIT}), or the maximum when
     * it asks for none.
     *
     * @throws IllegalArgumentException naming the value when it is not a number in range
     */
    static int limit(String query) {
        if (query == null || query.isEmpty()) {
            return MAX_LIMIT;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("limit=")) {
                String value = pair.substring("limit=".length());
                try {
                    int limit = Integer.parseInt(value);
                    if (limit >= 1 && limit <= MAX_LIMIT) {
                        return limit;
                    }
                } catch (NumberFormatException e) {
                    // named below
                }
                throw new IllegalArgumentException("limit must be a number in 1.." + MAX_LIMIT + ": " + value);
            }
        }
        return MAX_LIMIT;
    }

    static String render(ConnectionSource source, MeterRegistry registry, Instant now, int limit) {
        StringBuilder json = new StringBuilder(256 + 200 * Math.min(limit, 50));
        List<ConnectionInfo> shown = source.newest(limit);
        json.append("{\"time\":").append(now.toEpochMilli())
                .append(",\"open\":").append(source.open())
                .append(",\"limit\":").append(limit)
                .append(",\"shown\":").append(shown.size())
                .append(",\"detailed\":").append(source.detailed())
                .append(",\"listeners\":[");
        String comma = "";
        for (BoundListener listener : source.listeners()) {
            json.append(comma);
            comma = ",";
            listener(json, listener, registry);
        }
        json.append("],\"connections\":[");
        comma = "";
        for (ConnectionInfo c : shown) {
            json.append(comma).append("\n");
            comma = ",";
            json.append("{\"id\":").append(c.id());
            field(json, "listener", c.listener());
            field(json, "handler", c.handler());
            field(json, "client", c.remoteAddress().getAddress() != null
                    ? c.remoteAddress().getAddress().getHostAddress() : c.remoteAddress().getHostString());
            json.append(",\"port\":").append(c.remoteAddress().getPort())
                    .append(",\"ageMillis\":").append(millis(c.opened(), now))
                    .append(",\"idleMillis\":").append(millis(c.lastActive(), now))
                    .append(",\"bytesIn\":").append(c.bytesIn())
                    .append(",\"bytesOut\":").append(c.bytesOut());
            field(json, "activity", c.activity().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            json.append('}');
        }
        return json.append("]}\n").toString();
    }

    private static void listener(StringBuilder json, BoundListener listener, MeterRegistry registry) {
        json.append('{');
        json.append("\"name\":");
        string(json, listener.name());
        field(json, "handler", listener.handlerName());
        field(json, "address", listener.hostAndPort());
        json.append(",\"active\":").append(sum(registry, "loomport.active.connections", listener, null, null))
                .append(",\"accepted\":").append(sum(registry, "loomport.accepted.connections", listener, null, null))
                .append(",\"rejected\":").append(sum(registry, "loomport.rejected.connections", listener, null, null))
                .append(",\"closed\":{");
        String comma = "";
        for (String outcome : OUTCOMES) {
            json.append(comma);
            comma = ",";
            string(json, outcome);
            json.append(':').append(sum(registry, "loomport.closed.connections", listener, "outcome", outcome));
        }
        json.append("}}");
    }

    /** The meter's value (a counter's count, a gauge's value) summed over its series for this listener. */
    private static long sum(MeterRegistry registry, String name, BoundListener listener, String tag, String value) {
        Search search = Search.in(registry).name(name).tag("listener", listener.name())
                .tag("port", Integer.toString(listener.address().getPort()));
        if (tag != null) {
            search = search.tag(tag, value);
        }
        double total = search.counters().stream().mapToDouble(c -> c.count()).sum()
                + search.gauges().stream().mapToDouble(g -> g.value()).sum();
        return Math.round(total);
    }

    private static long millis(Instant then, Instant now) {
        return Math.max(0, Duration.between(then, now).toMillis());
    }

    private static void field(StringBuilder json, String name, String value) {
        json.append(",\"").append(name).append("\":");
        string(json, value);
    }

    /** A JSON string: quotes, backslashes and control characters escaped. */
    static void string(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&') {
                        json.append(String.format("\\u%04x", (int) ch)); // < > & too: safe inside any HTML
                    } else {
                        json.append(ch);
                    }
                }
            }
        }
        json.append('"');
    }
}
