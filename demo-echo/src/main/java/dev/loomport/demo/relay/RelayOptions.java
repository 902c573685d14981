package dev.loomport.demo.relay;

import dev.loomport.ListenerConfig;
import dev.loomport.demo.cli.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A relay listener's options, checked when the server starts. Every error is one line naming the option
 * and the value it got.
 *
 * @param host the upstream host: a name or an IP literal (IPv6 without brackets)
 * @param port the upstream port, 1..65535
 * @param connectTimeout how long a connect to the upstream may take; zero = the operating system's limit
 */
record RelayOptions(String host, int port, Duration connectTimeout) {
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * A host has no whitespace (Java's, which is what strip() cuts: more than the regex's {@code \s})
     * and, in brackets or not, no bracket of its own, so that {@link #upstream()} reads back the same.
     */
    private static final Pattern HOST_PORT = Pattern.compile(
            "(?:\\[([^\\[\\]\\p{javaWhitespace}]+)]|([^:\\[\\]\\p{javaWhitespace}]+)):(\\d{1,5})");

    static RelayOptions parse(Map<String, String> options) {
        var unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(Set.of("upstream", "connect-timeout"));
        if (!unknown.isEmpty()) {
            String key = unknown.first();
            throw new IllegalArgumentException("unknown relay option " + key + "='" + options.get(key)
                    + "' (it takes upstream=HOST:PORT and connect-timeout=DURATION)");
        }
        String upstream = options.get("upstream");
        if (upstream == null) {
            throw new IllegalArgumentException("relay needs the option upstream=HOST:PORT");
        }
        Matcher m = HOST_PORT.matcher(upstream.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("relay upstream must be HOST:PORT ([::1]:7007 for IPv6): '"
                    + upstream + "'");
        }
        int port = Integer.parseInt(m.group(3));
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("relay upstream port out of range 1..65535: '" + upstream + "'");
        }
        String host = m.group(1) != null ? m.group(1) : m.group(2);
        String timeout = options.get("connect-timeout");
        return new RelayOptions(host, port, timeout == null ? DEFAULT_CONNECT_TIMEOUT : duration(timeout));
    }

    /**
     * The demo's durations ({@link Durations}): 0 (the operating system's limit), or 1ms up to loomport's
     * longest timeout, beyond which a number is a typo (and its milliseconds could overflow).
     */
    private static Duration duration(String value) {
        Duration d;
        try {
            d = Durations.parse("connect-timeout", value);
        } catch (IllegalArgumentException e) {
            d = null; // named below, in the relay's own words
        }
        if (d == null || (!d.isZero() && (d.compareTo(Duration.ofMillis(1)) < 0
                || d.compareTo(ListenerConfig.MAX_TIMEOUT) > 0))) {
            throw new IllegalArgumentException("relay connect-timeout must be 0 or a duration from 1ms to "
                    + ListenerConfig.MAX_TIMEOUT.toDays() + " days (250ms, 30s, 5m, 1h, PT1M): '" + value + "'");
        }
        return d;
    }

    /** {@code host:port} as given, IPv6 in brackets: how log lines and errors name the upstream. */
    String upstream() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
