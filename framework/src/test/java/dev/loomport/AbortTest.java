package dev.loomport;

import static dev.loomport.TestClients.connect;
import static dev.loomport.TestHandlers.handler;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Ends the server imposes on a handler that is not blocked on its socket, and stops that go on whatever
 * a handler's drain action does.
 */
class AbortTest {
    private static final long WAIT = TestClients.TIMEOUT.toSeconds();

    @Test
    void aTimeoutInterruptsAHandlerBusyElsewhereAndFreesItsSlot() throws Exception {
        var registry = new SimpleMeterRegistry();
        var interrupted = new CompletableFuture<Boolean>();
        try (Server server = Server.start(ServerConfig.builder()
                .listener(ListenerConfig.builder("sleepy").maxLifetime(Duration.ofMillis(200)).maxConnections(1).build())
                .plugin(handler("sleepy", c -> {
                    try {
                        Thread.sleep(Duration.ofDays(1)); // a call elsewhere, not a read of the socket
                    } catch (InterruptedException e) {
                        interrupted.complete(true);
                        throw e;
                    }
                }))
                .meterRegistry(registry)
                .build());
             Socket first = connect(server)) {
            assertTrue(interrupted.get(WAIT, TimeUnit.SECONDS), "the handler's thread was interrupted");
            TestClients.assertReset(first); // and its socket closed, as an abort
            await().untilAsserted(() -> assertEquals(Map.of("lifetime", 1L), Meters.closed(registry)));
            try (Socket second = connect(server)) { // the one slot was given back
                await().until(() -> Meters.accepted(registry) == 2);
            }
        }
    }

    @Test
    void aDrainActionThatThrowsAnErrorDoesNotWedgeTheStop() throws Exception {
        Server server = TestServers.serve(handler("odd", c -> {
            c.onDrain(() -> {
                throw new AssertionError("a handler's bug");
            });
            TestHandlers.echo(c);
        }));
        try (Socket client = connect(server)) {
            client.getOutputStream().write(1);
            assertEquals(1, client.getInputStream().read());
            server.shutdown(Duration.ofMillis(100));
            assertTrue(server.isTerminated());
            assertEquals(0, server.liveThreads());
            server.close(); // and a later stop returns at once
        }
    }

    @Test
    void aDrainActionThatBlocksHoldsUpNeitherTheDeadlineNorALaterClose() throws Exception {
        var neverOpens = new CountDownLatch(1);
        var actionRunning = new CountDownLatch(1);
        Server server = TestServers.serve(handler("stuck", c -> {
            c.onDrain(() -> {
                actionRunning.countDown();
                try {
                    neverOpens.await(); // blocks until the stop interrupts it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            TestHandlers.echo(c);
        }));
        try (Socket client = connect(server)) {
            client.getOutputStream().write(1);
            assertEquals(1, client.getInputStream().read());
            var stopping = CompletableFuture.runAsync(() -> server.shutdown(Duration.ofDays(1)));
            assertTrue(actionRunning.await(WAIT, TimeUnit.SECONDS));
            server.close(); // cuts the day short although the drain action is still blocked
            stopping.get(WAIT, TimeUnit.SECONDS);
            assertTrue(server.isTerminated());
            assertEquals(0, server.liveThreads());
            TestClients.assertReset(client);
        }
    }

    @Test
    void aClientResetTheHandlerRethrowsWrappedIsStillTheClientsDoing() throws Exception {
        var registry = new SimpleMeterRegistry();
        var reading = new CountDownLatch(1);
        Server server = TestServers.serve(handler("lines", c -> {
            var in = new BufferedReader(new InputStreamReader(c.input(), US_ASCII));
            in.lines().forEach(line -> reading.countDown()); // wraps an IOException in UncheckedIOException
        }), registry);
        try (server; Socket client = connect(server)) {
            client.getOutputStream().write("one line\nand more".getBytes(US_ASCII));
            assertTrue(reading.await(WAIT, TimeUnit.SECONDS));
            client.setSoLinger(true, 0);
            client.close(); // RST
            await().untilAsserted(() -> assertEquals(Map.of("client-reset", 1L), Meters.closed(registry)));
            assertEquals(0, Meters.count(registry, "loomport.handler.errors"));
        }
    }
}
