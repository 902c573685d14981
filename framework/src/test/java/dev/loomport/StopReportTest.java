package dev.loomport;

import static dev.loomport.TestHandlers.handler;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** A stop that cannot finish says what it waits for: which connection, and where its thread is stuck. */
class StopReportTest {

    @Test
    void aStopHeldUpByAHandlerThatIgnoresInterruptsNamesItAndWhereItIsBlocked() throws Exception {
        var release = new CountDownLatch(1);
        try (LogCapture log = LogCapture.loomport()) {
            Server server = TestServers.serve(ListenerConfig.builder("stubborn").name("held"),
                    handler("stubborn", c -> awaitIgnoringInterrupts(release)), new SimpleMeterRegistry());
            try (Socket client = TestClients.connect(server)) {
                await().until(() -> server.activeConnections() == 1);
                CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> server.shutdown(Duration.ofMillis(100)));
                // Once at the grace deadline, then again while the stop still waits.
                await().atMost(Duration.ofSeconds(60)).until(() -> reports(log).size() >= 2);
                String report = reports(log).getFirst();
                assertTrue(report.contains("[held#"), report);              // the connection: listener and id
                assertTrue(report.contains("handler 'stubborn'"), report);  // its handler
                assertTrue(report.contains("CountDownLatch.await"), report); // what its thread is blocked in
                assertTrue(report.contains("awaitIgnoringInterrupts"), report);
                release.countDown();
                stop.get(TestClients.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } finally {
                release.countDown();
                server.close();
            }
        }
    }

    private static List<String> reports(LogCapture log) {
        return log.messages(Level.WARNING, "still waiting for");
    }

    /** A handler that breaks its contract: it blocks on something other than its socket and ignores interrupts. */
    private static void awaitIgnoringInterrupts(CountDownLatch release) {
        while (true) {
            try {
                release.await();
                return;
            } catch (InterruptedException ignored) {
                // the contract says to end; this handler does not
            }
        }
    }
}
