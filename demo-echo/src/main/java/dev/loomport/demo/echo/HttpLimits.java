package dev.loomport.demo.echo;

import java.util.Map;

/**
 * The metrics endpoint's limits and timeouts: the JDK's {@code HttpServer} takes them only from system
 * properties ({@code sun.net.httpserver.*}, {@code jdk.httpserver.maxConnections}), read once, when the
 * first server of the JVM is made. Without them it has no connection limit and no deadline on a request,
 * so a client dripping a header byte at a time holds a connection (and a thread) for ever. Each is set
 * only where the operator has not set it with {@code -D}; docs/metrics.md says why each value.
 */
final class HttpLimits {
    /** Property and value, in the units the JDK reads: seconds for the times, a count or bytes otherwise. */
    static final Map<String, String> DEFAULTS = Map.of(
            // A scraper sends its request in one packet: 2 s to read all of it cuts a drip early.
            "sun.net.httpserver.maxReqTime", "2",
            // A scrape or the connections page is written in well under a second to a reader that reads.
            "sun.net.httpserver.maxRspTime", "10",
            // Connections at once: a few scrapers and browsers need a handful; a flood is closed at accept.
            "jdk.httpserver.maxConnections", "256",
            // Kept-alive connections, and how long one may idle (also a connection that never sends).
            "sun.net.httpserver.maxIdleConnections", "16",
            "sun.net.httpserver.idleInterval", "30",
            // Headers of a GET: a few, and small.
            "sun.net.httpserver.maxReqHeaders", "64",
            "sun.net.httpserver.maxReqHeaderSize", String.valueOf(16 * 1024));

    private HttpLimits() {
    }

    /** Sets every limit the operator has not: before the JVM's first {@code HttpServer.create}. */
    static void apply() {
        DEFAULTS.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
    }
}
