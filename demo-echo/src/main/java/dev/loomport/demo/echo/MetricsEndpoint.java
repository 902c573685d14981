package dev.loomport.demo.echo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The launcher's {@code GET /metrics}: Micrometer's Prometheus registry, added to the global registry
 * that loomport reports to by default, served in the Prometheus text format by the JDK's own HTTP
 * server, one virtual thread per request.
 *
 * <p>It owns what it starts: {@link #close()} stops the HTTP server (whose dispatcher thread ends with
 * it), waits for the request threads, and takes the registry out of the global one.
 */
final class MetricsEndpoint implements AutoCloseable {
    static final String PATH = "/metrics";
    /** The Prometheus text format, version 0.0.4: what {@link PrometheusMeterRegistry#scrape()} writes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final HttpServer http;
    private final ExecutorService requests;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer http, ExecutorService requests) {
        this.registry = registry;
        this.http = http;
        this.requests = requests;
    }

    /**
     * Binds {@code address} (port 0: a free port), starts serving, and adds the registry to
     * {@link Metrics#globalRegistry}.
     *
     * @throws BindException naming the address when it is in use or cannot be bound
     */
    static MetricsEndpoint start(InetSocketAddress address) throws IOException {
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
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            MetricsEndpoint endpoint = new MetricsEndpoint(registry, http, requests);
            http.setExecutor(requests);
            http.createContext("/", endpoint::serve);
            http.start();
            Metrics.globalRegistry.add(registry);
            return endpoint;
        } catch (RuntimeException e) {
            http.stop(0);
            requests.close();
            throw e;
        }
    }

    /** The address bound, with the real port when port 0 was asked for. */
    InetSocketAddress address() {
        return http.getAddress();
    }

    /** {@code http://HOST:PORT/metrics}, with an IPv6 host in brackets. */
    String url() {
        return "http://" + hostAndPort(address()) + PATH;
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
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
