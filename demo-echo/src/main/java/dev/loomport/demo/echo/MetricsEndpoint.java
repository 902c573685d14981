package dev.loomport.demo.echo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The launcher's HTTP endpoint: {@code GET /metrics}, Micrometer's Prometheus registry (added to the
 * global registry that loomport reports to by default) in the Prometheus text format; {@code GET /},
 * the live connections page; and {@code GET /connections.json}, the page's data. Served by the JDK's
 * own HTTP server, one virtual thread per request, under the limits and timeouts of {@link HttpLimits}.
 *
 * <p>It owns what it starts: {@link #close()} stops the HTTP server (whose dispatcher thread ends with
 * it), waits for the request threads, and takes the registry out of the global one.
 */
final class MetricsEndpoint implements AutoCloseable {
    static final String PATH = "/metrics";
    static final String PAGE_PATH = "/";
    /** The Prometheus text format, version 0.0.4: what {@link PrometheusMeterRegistry#scrape()} writes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final HttpServer http;
    private final ExecutorService requests;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final byte[] page;
    private volatile ConnectionSource connections = ConnectionSource.NONE;

    private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer http, ExecutorService requests,
            byte[] page) {
        this.registry = registry;
        this.http = http;
        this.requests = requests;
        this.page = page;
    }

    /**
     * Binds {@code address} (port 0: a free port), starts serving, and adds the registry to
     * {@link Metrics#globalRegistry}.
     *
     * @throws BindException naming the address when it is in use or cannot be bound
     */
    static MetricsEndpoint start(InetSocketAddress address) throws IOException {
        HttpLimits.apply();
        HttpServer http;
        try {
            http = HttpServer.create(address, 0);
        } catch (BindException e) {
            String why = String.valueOf(e.getMessage());
            BindException named = new BindException("metrics endpoint: " + hostAndPort(address)
                    + (why.contains("in use") ? " is already in use" : ": " + why)
                    + " (--metrics HOST:PORT to choose another, --metrics off for none)");
            named.initCause(e);
            throw named;
        }
        ExecutorService requests = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("loomport metrics request ", 1).factory());
        try {
            byte[] page = page();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            MetricsEndpoint endpoint = new MetricsEndpoint(registry, http, requests, page);
            http.setExecutor(requests);
            http.createContext("/", endpoint::serve);
            http.start();
            Metrics.globalRegistry.add(registry);
            return endpoint;
        } catch (RuntimeException | IOException e) {
            http.stop(0);
            requests.close();
            throw e;
        }
    }

    /** What {@code /} and {@code /connections.json} show from now on (until then: no listener). */
    void show(ConnectionSource source) {
        connections = Objects.requireNonNull(source, "source");
    }

    /** The address bound, with the real port when port 0 was asked for. */
    InetSocketAddress address() {
        return http.getAddress();
    }

    /** {@code http://HOST:PORT/metrics}, with an IPv6 host in brackets. */
    String url() {
        return "http://" + hostAndPort(address()) + PATH;
    }

    /** {@code http://HOST:PORT/}: the live connections page. */
    String pageUrl() {
        return "http://" + hostAndPort(address()) + PAGE_PATH;
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (!PATH.equals(path) && !PAGE_PATH.equals(path) && !ConnectionsJson.PATH.equals(path)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String type;
            byte[] body;
            switch (path) {
                case PATH -> {
                    type = CONTENT_TYPE;
                    body = method.equals("HEAD") ? null : registry.scrape().getBytes(StandardCharsets.UTF_8);
                }
                case PAGE_PATH -> {
                    type = "text/html; charset=utf-8";
                    body = page;
                }
                default -> {
                    int limit;
                    try {
                        limit = ConnectionsJson.limit(exchange.getRequestURI().getRawQuery());
                    } catch (IllegalArgumentException e) {
                        byte[] why = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
                        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                        exchange.sendResponseHeaders(400, why.length);
                        exchange.getResponseBody().write(why);
                        return;
                    }
                    type = ConnectionsJson.CONTENT_TYPE;
                    body = ConnectionsJson.render(connections, registry, Instant.now(), limit)
                            .getBytes(StandardCharsets.UTF_8);
                }
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    /** The page, a resource of this module, read once. */
    private static byte[] page() throws IOException {
        try (InputStream in = MetricsEndpoint.class.getResourceAsStream("connections.html")) {
            if (in == null) {
                throw new IOException("connections.html is missing from the dev.loomport.demo.echo module");
            }
            return in.readAllBytes();
        }
    }

    /** Stops serving and waits for every thread this endpoint started; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        http.stop(0); // closes the socket and its connections; returns when the dispatcher has ended
        requests.close(); // a request under way fails on its closed connection; wait for its thread
        Metrics.globalRegistry.remove(registry);
        registry.close();
    }

    static String hostAndPort(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
