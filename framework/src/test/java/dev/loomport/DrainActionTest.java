package dev.loomport;

import static dev.loomport.TestHandlers.handler;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Drain actions do not outlive their connection. */
class DrainActionTest {
    private static final long WAIT = TestClients.TIMEOUT.toSeconds();

    /** "It ends with the connection at the latest": a blocked drain action is interrupted when its connection ends. */
    @Test
    void aBlockedDrainActionIsInterruptedWhenItsConnectionEnds() throws Exception {
        var interrupted = new AtomicBoolean();
        var actionStarted = new CountDownLatch(1);
        var releaseOther = new CountDownLatch(1);
        Server server = TestServers.serve(ListenerConfig.builder("drainer"), handler("drainer", c -> {
            if (c.input().read() == 'o') { // the other connection: holds the stop in its grace period
                releaseOther.await();
                return;
            }
            var draining = new CountDownLatch(1);
            c.onDrain(draining::countDown); // actions run in order: this one first, then the one that blocks
            c.onDrain(() -> {
                actionStarted.countDown();
                try {
                    new CountDownLatch(1).await(); // blocks until interrupted
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
            });
            draining.await();
            actionStarted.await(); // once the blocking action runs, the handler returns: the connection ends,
                                   // and its action must not go on
        }), new SimpleMeterRegistry());
        try (Socket drained = TestClients.connect(server); Socket other = TestClients.connect(server)) {
            drained.getOutputStream().write('d');
            other.getOutputStream().write('o');
            await().until(() -> server.activeConnections() == 2);
            CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> server.shutdown(Duration.ofMinutes(5)));
            assertTrue(actionStarted.await(WAIT, TimeUnit.SECONDS));
            await().until(() -> server.activeConnections() == 1); // the drained connection has ended
            await().untilTrue(interrupted); // while the stop still waits for the other one
            releaseOther.countDown();
            stop.get(WAIT, TimeUnit.SECONDS);
        } finally {
            releaseOther.countDown();
            server.close();
        }
    }
}
