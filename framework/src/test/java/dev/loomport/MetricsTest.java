package dev.loomport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The meters read exactly what happened on real loopback connections: every connection, every byte in
 * both directions, and how each connection ended, per listener.
 */
@Timeout(120)
class MetricsTest {
    private static final Duration EVENTUALLY = Duration.ofSeconds(30);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void countsEveryConnectionAndEveryByteExactly() throws Exception {
        int connections = 24;
        int size = 50_000; // several reads and writes per connection
        try (Server server = start(registry, TestHandlers.echo(), listener("echo", "main"))) {
            roundTrips(server.listeners().getFirst(), connections, size);

            Tags tags = tagsOf(server.listeners().getFirst());
            await().atMost(EVENTUALLY).untilAsserted(() -> {
                assertEquals(connections, count("loomport.closed.connections", tags.and("outcome", "client-closed")));
                assertEquals(0.0, registry.get("loomport.active.connections").tags(tags).gauge().value());
                assertEquals(0, registry.get("loomport.connection.age").tags(tags).longTaskTimer().activeTasks());
            });
            assertEquals(connections, count("loomport.accepted.connections", tags));
            assertEquals((double) connections * size, count("loomport.received.bytes", tags));
            assertEquals((double) connections * size, count("loomport.sent.bytes", tags));
            assertEquals(connections, registry.get("loomport.connection.duration").tags(tags).timer().count());
            assertEquals(connections, totalClosed(tags));
            for (String reason : List.of("max-connections", "per-source", "shutdown")) {
                assertEquals(0, count("loomport.rejected.connections", tags.and("reason", reason)), reason);
            }
            assertNull(registry.find("loomport.handler.errors").meter(), "no handler failed");
            assertNull(registry.find("loomport.accept.errors").meter(), "no accept failed");
        }
    }

    @Test
    void outcomesTellHowEachConnectionEnded() throws Exception {
        HandlerPlugin failing = TestHandlers.handler("boom", c -> {
            if (c.input().read() >= 0) {
                throw new IllegalStateException("boom after one byte");
            }
        });
        HandlerPlugin hangUp = TestHandlers.handler("bye",
                c -> c.output().write("bye\n".getBytes(StandardCharsets.US_ASCII)));
        ServerConfig config = ServerConfig.builder()
                .meterRegistry(registry)
                .plugin(TestHandlers.echo()).plugin(failing).plugin(hangUp)
                .listener(listener("echo", "echo"))
                .listener(listener("boom", "boom"))
                .listener(listener("bye", "bye"))
                .build();
        try (Server server = Server.start(config)) {
            BoundListener echo = server.listeners().get(0);
            BoundListener boom = server.listeners().get(1);
            BoundListener bye = server.listeners().get(2);

            // A client that resets: SO_LINGER 0 makes close() send RST while the handler waits in read.
            try (Socket socket = TestClients.connect(echo.address())) {
                socket.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
                assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII),
                        TestClients.readExactly(socket.getInputStream(), 3));
                socket.setSoLinger(true, 0);
            }
            try (Socket socket = TestClients.connect(boom.address())) {
                socket.getOutputStream().write('x');
                TestClients.assertReset(socket); // a handler that throws ends with a RST (HandlerEndTest)
            }
            try (Socket socket = TestClients.connect(bye.address())) {
                assertArrayEquals("bye\n".getBytes(StandardCharsets.US_ASCII), socket.getInputStream().readAllBytes());
            }

            Tags echoTags = tagsOf(echo);
            Tags boomTags = tagsOf(boom);
            Tags byeTags = tagsOf(bye);
            await().atMost(EVENTUALLY).untilAsserted(() -> {
                assertEquals(1, count("loomport.closed.connections", echoTags.and("outcome", "client-reset")));
                assertEquals(1, count("loomport.closed.connections", boomTags.and("outcome", "error")));
                assertEquals(1, count("loomport.closed.connections", byeTags.and("outcome", "server-closed")));
            });
            assertEquals(1, totalClosed(echoTags));
            assertEquals(1, totalClosed(boomTags));
            assertEquals(1, totalClosed(byeTags));
            assertEquals(3, count("loomport.received.bytes", echoTags));
            assertEquals(3, count("loomport.sent.bytes", echoTags));
            assertEquals(1, count("loomport.received.bytes", boomTags));
            assertEquals(4, count("loomport.sent.bytes", byeTags));

            // Only a handler's own failure is a handler error: a reset client is not.
            assertEquals(1, count("loomport.handler.errors", boomTags.and("exception", "IllegalStateException")));
            assertEquals(1, registry.find("loomport.handler.errors").meters().size());
        }
    }

    @Test
    void severalListenersKeepTheirCountsApart() throws Exception {
        ServerConfig config = ServerConfig.builder()
                .meterRegistry(registry)
                .plugin(TestHandlers.echo())
                .listener(listener("echo", "one"))
                .listener(listener("echo", "two"))
                .listener(ListenerConfig.builder("echo").name("six").host("::1").build())
                .build();
        try (Server server = Server.start(config)) {
            List<BoundListener> listeners = server.listeners();
            int[] connections = {1, 2, 6};
            int[] sizes = {1_000, 7_000, 3_333};
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> all = new ArrayList<>();
                for (int i = 0; i < listeners.size(); i++) {
                    BoundListener l = listeners.get(i);
                    int n = connections[i];
                    int size = sizes[i];
                    all.add(clients.submit(() -> roundTrips(l, n, size)));
                }
                for (Future<?> f : all) {
                    f.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
                }
            }
            for (int i = 0; i < listeners.size(); i++) {
                Tags tags = tagsOf(listeners.get(i));
                int n = connections[i];
                double bytes = (double) n * sizes[i];
                await().atMost(EVENTUALLY).untilAsserted(() -> {
                    assertEquals(n, count("loomport.closed.connections", tags.and("outcome", "client-closed")));
                    assertEquals(0.0, registry.get("loomport.active.connections").tags(tags).gauge().value());
                });
                assertEquals(n, count("loomport.accepted.connections", tags), tags::toString);
                assertEquals(bytes, count("loomport.received.bytes", tags), tags::toString);
                assertEquals(bytes, count("loomport.sent.bytes", tags), tags::toString);
                assertEquals(n, registry.get("loomport.connection.duration").tags(tags).timer().count());
            }
            assertEquals(3, registry.find("loomport.accepted.connections").counters().size(), "one per listener");
        }
    }

    @Test
    void noPercentileHistogramUnlessTheUserAsksForOne() throws Exception {
        SimpleMeterRegistry withPercentiles = new SimpleMeterRegistry();
        withPercentiles.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals("loomport.connection.duration")) {
                    return config;
                }
                return DistributionStatisticConfig.builder().percentiles(0.5, 0.99).build().merge(config);
            }
        });
        for (MeterRegistry r : List.of(registry, withPercentiles)) {
            try (Server server = start(r, TestHandlers.echo(), listener("echo", "echo"))) {
                roundTrips(server.listeners().getFirst(), 3, 10);
                Tags tags = tagsOf(server.listeners().getFirst());
                await().atMost(EVENTUALLY)
                        .until(() -> r.get("loomport.connection.duration").tags(tags).timer().count() == 3);
            }
        }
        for (Meter meter : registry.getMeters()) {
            HistogramSnapshot snapshot = switch (meter) {
                case io.micrometer.core.instrument.Timer t -> t.takeSnapshot();
                case io.micrometer.core.instrument.LongTaskTimer t -> t.takeSnapshot();
                case io.micrometer.core.instrument.DistributionSummary s -> s.takeSnapshot();
                default -> null;
            };
            if (snapshot != null) {
                assertEquals(0, snapshot.percentileValues().length, meter.getId()::toString);
                assertEquals(0, snapshot.histogramCounts().length, meter.getId()::toString);
            }
        }
        // The same server under the user's filter publishes what the user asked for (docs/metrics.md).
        HistogramSnapshot asked = withPercentiles.get("loomport.connection.duration").timer().takeSnapshot();
        assertEquals(2, asked.percentileValues().length);
    }

    @Test
    void denyNameStartsWithLoomportTurnsEveryMeterOff() throws Exception {
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("loomport"));
        HandlerPlugin failing = TestHandlers.handler("boom", c -> {
            c.input().read(); // the client's byte: so that the RST comes after its connect, not during it
            throw new IllegalStateException("boom");
        });
        ServerConfig config = ServerConfig.builder()
                .meterRegistry(registry)
                .plugin(TestHandlers.echo()).plugin(failing)
                .listener(listener("echo", "echo"))
                .listener(listener("boom", "boom"))
                .build();
        try (Server server = Server.start(config)) {
            roundTrips(server.listeners().getFirst(), 3, 1_000); // still serves, byte-exact
            try (Socket socket = TestClients.connect(server.listeners().get(1).address())) {
                socket.getOutputStream().write('x');
                TestClients.assertReset(socket);
            }
            await().atMost(EVENTUALLY).until(() -> server.activeConnections() == 0);
        }
        assertEquals(List.of(), registry.getMeters().stream().map(m -> m.getId().getName()).toList());
    }

    @Test
    void aStoppedServerLeavesNoGaugeBehind() throws Exception {
        Tags tags;
        try (Server server = start(registry, TestHandlers.echo(), listener("echo", "echo"))) {
            tags = tagsOf(server.listeners().getFirst());
            roundTrips(server.listeners().getFirst(), 2, 10);
            assertNotNull(registry.find("loomport.active.connections").tags(tags).gauge());
        }
        // A later server with the same listener name and port would otherwise be handed this gauge,
        // which reads the stopped server's connections.
        assertNull(registry.find("loomport.active.connections").tags(tags).gauge());
        assertEquals(2, count("loomport.accepted.connections", tags), "counters keep their last value");
    }

    @Test
    void anEmptyCompositeRegistryRecordsNothingAndServesAsUsual() throws Exception {
        var off = new io.micrometer.core.instrument.composite.CompositeMeterRegistry();
        try (Server server = start(off, TestHandlers.echo(), listener("echo", "echo"))) {
            roundTrips(server.listeners().getFirst(), 3, 20_000);
        }
        assertEquals(0, registry.getMeters().size());
    }

    // ---- helpers ----

    private static ListenerConfig listener(String handler, String name) {
        return ListenerConfig.builder(handler).name(name).build();
    }

    private static Server start(MeterRegistry registry, HandlerPlugin handler, ListenerConfig listener)
            throws IOException {
        return Server.start(ServerConfig.builder().meterRegistry(registry).plugin(handler).listener(listener).build());
    }

    private static Tags tagsOf(BoundListener l) {
        return Tags.of("listener", l.name(), "handler", l.handlerName(), "port", Integer.toString(l.address().getPort()));
    }

    private double count(String name, Tags tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private double totalClosed(Tags tags) {
        return registry.get("loomport.closed.connections").tags(tags).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    /** {@code connections} clients at once, each echoing {@code size} distinct bytes, checked byte for byte. */
    private static Void roundTrips(BoundListener listener, int connections, int size) throws Exception {
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                byte[] data = pattern(size, i);
                all.add(clients.submit(() -> {
                    try (Socket socket = TestClients.connect(listener.address())) {
                        assertArrayEquals(data, TestClients.roundTrip(socket, data));
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
            }
        }
        return null;
    }

    private static byte[] pattern(int size, int seed) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 31 + seed);
        }
        return data;
    }
}
