package dev.loomport.testkit;

import dev.loomport.BoundListener;
import dev.loomport.ListenerConfig;
import dev.loomport.Server;
import dev.loomport.ServerConfig;
import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One plug-in on a real loomport server, listening on 127.0.0.1 port 0, with a {@link SimpleMeterRegistry}
 * of its own; {@link #close()} stops it and the clients it made, and fails when a thread of the server
 * is still alive afterwards. Use it in try-with-resources, or let {@link LoomportExtension} close it.
 *
 * {@snippet :
 * try (TestServer server = TestServer.of(new PubSubPlugin()).option("max-line", "32").start();
 *      TestClient client = server.client()) {
 *     assertEquals("OK SUB news", client.sendLine("SUB news").readLine());
 *     assertEquals(0, server.count("loomport.closed.connections", "outcome", "frame-too-large"));
 * }
 * }
 */
public final class TestServer implements AutoCloseable {
    /** How long {@link #close()} waits by default for the server's threads to end: generous, the machine may be loaded. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Server server;
    private final SimpleMeterRegistry meters;
    private final Duration clientTimeout;
    private final Duration stopTimeout;
    private final List<TestClient> clients = new CopyOnWriteArrayList<>();

    private TestServer(Server server, SimpleMeterRegistry meters, Duration clientTimeout, Duration stopTimeout) {
        this.server = server;
        this.meters = meters;
        this.clientTimeout = clientTimeout;
        this.stopTimeout = stopTimeout;
    }

    /** A server for {@code plugin}, to configure and {@link Builder#start()}. */
    public static Builder of(HandlerPlugin plugin) {
        return new Builder(Objects.requireNonNull(plugin, "plugin"));
    }

    /** A server for the plug-in named {@code handler} that {@code ServiceLoader} finds (the module's own). */
    public static Builder named(String handler) {
        return new Builder(Objects.requireNonNull(handler, "handler"));
    }

    /** How a test server is started: the plug-in's options, the listener's limits, TLS, timeouts. */
    public static final class Builder {
        private final HandlerPlugin plugin;
        private final ListenerConfig.Builder listener;
        private final List<Consumer<ListenerConfig.Builder>> edits = new ArrayList<>();
        private Duration clientTimeout = TestClient.DEFAULT_TIMEOUT;
        private Duration stopTimeout = STOP_TIMEOUT;

        private Builder(HandlerPlugin plugin) {
            this.plugin = plugin;
            this.listener = ListenerConfig.builder(plugin.name());
        }

        private Builder(String handler) {
            this.plugin = null;
            this.listener = ListenerConfig.builder(handler);
        }

        /** One of the plug-in's options, as a listener spec's {@code key=value} would give it. */
        public Builder option(String key, String value) {
            listener.handlerOption(key, value);
            return this;
        }

        /**
         * Anything else of the listener: limits, timeouts, TLS, PROXY protocol, such as
         * {@code listener(l -> l.maxConnections(2).idleTimeout(Duration.ofSeconds(1)))}. Host and port
         * stay 127.0.0.1 and 0 unless this sets them.
         */
        public Builder listener(Consumer<ListenerConfig.Builder> edit) {
            edits.add(Objects.requireNonNull(edit, "edit"));
            return this;
        }

        /** How long each client read, write and connect may take (default {@link TestClient#DEFAULT_TIMEOUT}). */
        public Builder clientTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("client timeout must be positive: " + timeout);
            }
            clientTimeout = timeout;
            return this;
        }

        /** How long {@link TestServer#close()} waits for the server's threads (default {@link #STOP_TIMEOUT}). */
        public Builder stopTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("stop timeout must not be negative: " + timeout);
            }
            stopTimeout = timeout;
            return this;
        }

        /** Starts the server; what {@link Server#start} throws (a bad option, a failing plug-in) comes through. */
        public TestServer start() throws IOException {
            edits.forEach(edit -> edit.accept(listener));
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            ServerConfig.Builder config = ServerConfig.builder().listener(listener.build()).meterRegistry(meters);
            if (plugin != null) {
                config.plugin(plugin);
            }
            return new TestServer(Server.start(config.build()), meters, clientTimeout, stopTimeout);
        }
    }

    /** The listener's address on loopback. */
    public InetSocketAddress address() {
        return listener().address();
    }

    public BoundListener listener() {
        return server.listeners().getFirst();
    }

    /** The server itself: to drain it ({@link Server#shutdown}), reload TLS, or count its connections. */
    public Server server() {
        return server;
    }

    /** Every meter the server recorded, this server's alone. */
    public SimpleMeterRegistry meters() {
        return meters;
    }

    /**
     * The sum of the counters named {@code name} with these tags ({@code key, value, ...}), such as
     * {@code count("loomport.closed.connections", "outcome", "frame-too-large")}; 0 when there are none.
     */
    public double count(String name, String... tags) {
        return meters.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** A new client connected to the listener; closed with the server if the test does not close it. */
    public TestClient client() {
        try {
            TestClient client = TestClient.connect(address(), clientTimeout);
            clients.add(client);
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + address() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Closes the clients, stops the server at once, and waits for its threads to end.
     *
     * @throws AssertionError when a thread of the server is still alive after the stop timeout: a
     *         handler that ignores interrupts and closed sockets, or a thread it started and lost
     */
    @Override
    public void close() {
        clients.forEach(TestClient::close);
        // Server.close() waits for every connection to end, so a handler that never ends would hang the
        // test here. Closing on a thread of its own bounds the wait; when it times out, that thread is
        // left waiting for the stubborn handler, and the test fails saying so.
        Thread closer = Thread.ofVirtual().name("loomport test server close").start(server::close);
        boolean stopped;
        try {
            stopped = closer.join(stopTimeout) && server.awaitTermination(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping the test server", e);
        }
        int live = server.liveThreads();
        if (!stopped || live != 0) {
            throw new AssertionError("the test server on " + address() + " (handler '" + listener().handlerName()
                    + "') still has " + live + " live thread(s) " + stopTimeout
                    + " after it was closed: a handler that does not end when its socket closes or its thread"
                    + " is interrupted");
        }
    }
}
