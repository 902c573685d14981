package dev.loomport.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomport.ListenerConfig;
import dev.loomport.ServerConfig;
import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A socket the accept loop takes just as a graceful stop begins is served like every other connection:
 * answered, told of the drain, waited for. It is not closed unanswered. On a socket a service manager
 * holds, such a client would otherwise be lost in a restart that refuses no one (demo-echo's RestartIT,
 * docs/deploy.md). The listening socket here holds its accept until the stop has begun, so the race
 * happens on every run, on whichever I/O path the surefire execution forces.
 */
@Timeout(60)
class AcceptedAsStopBeginsTest {
    private static final byte[] HELLO = "hello\n".getBytes(US_ASCII);

    @Test
    void aSocketAcceptedAsTheStopBeginsIsServedAndDrainedNotClosed() throws Exception {
        AtomicInteger drained = new AtomicInteger();
        HandlerPlugin echo = HandlerPlugin.of("echo", () -> connection -> {
            connection.onDrain(drained::incrementAndGet); // at once if the drain has reached it already
            connection.input().transferTo(connection.output());
        });
        var registry = new SimpleMeterRegistry();
        ServerConfig config = ServerConfig.builder()
                .listener(ListenerConfig.builder("echo").build())
                .plugin(echo)
                .meterRegistry(registry)
                .build();
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        CompletableFuture<Void> stopBegun = new CompletableFuture<>();
        Engine engine = Engine.start(config, listener -> listener.acceptThrough(real -> new ListeningSocket() {
            @Override
            public Socket accept() throws IOException {
                Socket socket = real.accept();
                accepted.complete(null);
                stopBegun.join(); // not interruptible: returns the socket once the stop has closed this
                return socket;
            }

            @Override
            public InetSocketAddress localAddress() {
                return real.localAddress();
            }

            @Override
            public void close() throws IOException {
                stopBegun.complete(null);
                real.close();
            }
        }));
        try (Socket client = new Socket()) {
            client.connect(engine.listeners().getFirst().address(), 30_000);
            client.setSoTimeout(30_000);
            client.getOutputStream().write(HELLO); // before the stop: a close now would leave it unread
            accepted.get(30, TimeUnit.SECONDS);
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> engine.shutdown(Duration.ofSeconds(30)),
                    task -> Thread.ofVirtual().start(task));
            assertArrayEquals(HELLO, client.getInputStream().readNBytes(HELLO.length), "the echo");
            // Still open: the drain action runs on its drain thread before the connection ends.
            await().atMost(Duration.ofSeconds(30)).until(() -> drained.get() == 1);
            client.shutdownOutput();
            assertEquals(-1, client.getInputStream().read(), "end of stream once the handler returned");
            stopped.get(30, TimeUnit.SECONDS);
        } finally {
            engine.shutdown(Duration.ZERO); // waits for the stop under way, if there is one
        }
        assertEquals(0, registry.find(ListenerMetrics.PREFIX + "rejected.connections").counters().stream()
                .mapToDouble(c -> c.count()).sum(), "rejected");
        assertEquals(1, registry.find(ListenerMetrics.PREFIX + "closed.connections").tag("outcome", "client-closed")
                .counter().count(), "closed as client-closed");
        assertEquals(0, engine.liveThreads(), "threads left running");
    }
}
