package dev.loomport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.internal.PinningMonitor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handler that pins its carrier on purpose is counted per listener and handler, and logged once per
 * handler with its stack; a handler that does not pin is not counted; closing leaves no thread.
 *
 * <p>It pins by blocking inside a class initializer: that pins on every JDK 21+ (JEP 491 made
 * {@code synchronized} stop pinning on JDK 24, but a class initializer still runs under a native frame).
 */
@Timeout(120)
class PinningMonitorTest {
    private static final Duration EVENTUALLY = Duration.ofSeconds(60);

    @Test
    void aHandlerThatPinsIsCountedAndLoggedOncePerHandler() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (LogCapture log = LogCapture.loomport();
                Server pinning = TestServers.serve(TestHandlers.handler("pinner", PinningMonitorTest::pin), registry);
                Server calm = TestServers.serve(TestHandlers.echo(), registry);
                PinningMonitor monitor = PinningMonitor.start(registry,
                        List.of(pinning.listeners().getFirst(), calm.listeners().getFirst()),
                        PinningMonitor.DEFAULT_THRESHOLD)) {
            Counter pinned = registry.get("loomport.connections.pinned")
                    .tags("listener", "pinner", "handler", "pinner").counter();
            Counter calmCount = registry.get("loomport.connections.pinned")
                    .tags("listener", "echo", "handler", "echo").counter();
            assertEquals(0, pinned.count(), "registered at 0 before anything pins");

            for (char which : new char[] {'a', 'b'}) {
                try (Socket socket = TestClients.connect(pinning)) {
                    assertEquals(which, new String(TestClients.roundTrip(socket, new byte[] {(byte) which})).charAt(0));
                }
                try (Socket socket = TestClients.connect(calm)) {
                    assertEquals(1, TestClients.roundTrip(socket, new byte[] {1}).length);
                }
            }

            await().atMost(EVENTUALLY).until(pinned::count, n -> n >= 2);
            assertEquals(0, calmCount.count(), "the echo handler never pinned");
            List<String> warnings = log.messages(Level.WARNING, "handler pinner pinned its carrier");
            assertEquals(1, warnings.size(), warnings::toString);
            String warning = warnings.getFirst();
            assertTrue(warning.contains("(listener pinner)"), warning);
            assertTrue(warning.contains("SlowInitA.<clinit>"), warning); // the stack shows where it pinned
        }
    }

    @Test
    void aServerWithAThresholdCountsPinsAndItsMonitorEndsWithIt() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Server server = Server.start(ServerConfig.builder()
                .listener(ListenerConfig.builder("pinner").name("pinned").build())
                .plugin(TestHandlers.handler("pinner", PinningMonitorTest::pinOnce))
                .meterRegistry(registry)
                .pinningThreshold(PinningMonitor.DEFAULT_THRESHOLD)
                .build());
        try {
            Counter pinned = registry.get("loomport.connections.pinned")
                    .tags("listener", "pinned", "handler", "pinner").counter();
            // the accept loop, the watchdog, the monitor's stream
            assertEquals(3 + TestServers.ioLoopThreads(), server.liveThreads(), "the monitor's thread is the server's");
            try (Socket socket = TestClients.connect(server)) {
                assertEquals(1, TestClients.roundTrip(socket, new byte[] {'c'}).length);
            }
            await().atMost(EVENTUALLY).until(pinned::count, n -> n >= 1);
        } finally {
            server.close();
        }
        assertEquals(0, server.liveThreads());
        // The stream's thread ends a moment after close() returns on some JDKs (seen on 21): wait for it.
        await().atMost(Duration.ofSeconds(30)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().contains("JFR Event Stream")));
    }

    @Test
    void theServerCountsNothingUnlessAsked() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (Server server = TestServers.serve(TestHandlers.echo(), registry)) {
            assertEquals(List.of(), registry.find("loomport.connections.pinned").counters().stream().toList());
            assertEquals(2 + TestServers.ioLoopThreads(), server.liveThreads(), "the accept loop and the watchdog (and the I/O loops)");
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.builder().pinningThreshold(Duration.ofMillis(-5)));
        assertEquals("pinningThreshold must not be negative: PT-0.005S", e.getMessage());
    }

    @Test
    void closeEndsTheStreamThreadAndIsIdempotent() {
        PinningMonitor monitor = PinningMonitor.start(new SimpleMeterRegistry(), List.of(), Duration.ZERO);
        monitor.close();
        monitor.close();
        // The stream's thread ends a moment after close() returns on some JDKs (seen on 21): wait for it.
        await().atMost(Duration.ofSeconds(30)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().contains("JFR Event Stream")));
    }

    @Test
    void aNegativeThresholdIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> PinningMonitor.start(new SimpleMeterRegistry(), List.of(), Duration.ofMillis(-1)));
        assertEquals("pinning threshold must not be negative: PT-0.001S", e.getMessage());
    }

    /** Reads one byte, touches the class it names (whose initializer blocks: a pin), echoes the byte. */
    private static void pin(dev.loomport.spi.Connection connection) throws Exception {
        int which = connection.input().read();
        int value = which == 'a' ? SlowInitA.VALUE : SlowInitB.VALUE;
        connection.output().write(which + value);
    }

    /** As {@link #pin}, with a class of its own, so it pins whichever test runs first. */
    private static void pinOnce(dev.loomport.spi.Connection connection) throws Exception {
        int which = connection.input().read();
        connection.output().write(which + SlowInitC.VALUE);
    }

    private static final class SlowInitC {
        static final int VALUE = SlowInit.sleep();
    }

    /** Blocks in its initializer, longer than the monitor's threshold: the virtual thread cannot unmount. */
    private static final class SlowInitA {
        static final int VALUE = SlowInit.sleep();
    }

    private static final class SlowInitB {
        static final int VALUE = SlowInit.sleep();
    }

    private static final class SlowInit {
        /** The cause of the pin, not a synchronisation: sleeping is what the test's handler does wrong. */
        static int sleep() {
            try {
                Thread.sleep(PinningMonitor.DEFAULT_THRESHOLD.multipliedBy(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }
}
