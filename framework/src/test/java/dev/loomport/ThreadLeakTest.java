package dev.loomport;

import static dev.loomport.TestClients.connect;
import static dev.loomport.TestHandlers.handler;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.spi.Connection;
import dev.loomport.spi.HandlerPlugin;
import dev.loomport.spi.TaskScope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Every thread the server starts is its own and ends with it: its count of live threads, and the JVM's
 * own thread dump (which, unlike {@link Thread#getAllStackTraces()}, lists virtual threads), agree.
 */
class ThreadLeakTest {

    @Test
    void afterShutdownNoThreadOfTheServerIsLeftAndWhileRunningEachListenersConnectionsAreGrouped()
            throws Exception {
        HandlerPlugin alpha = handler("leakcheck-alpha", ThreadLeakTest::echoWithAWaitingSubtask);
        HandlerPlugin beta = handler("leakcheck-beta", TestHandlers::echo);
        Server server = Server.start(ServerConfig.builder()
                .listener(ListenerConfig.builder("leakcheck-alpha").build())
                .listener(ListenerConfig.builder("leakcheck-beta").build())
                .plugin(alpha)
                .plugin(beta)
                .meterRegistry(new SimpleMeterRegistry())
                .build());
        List<Socket> clients = new ArrayList<>();
        try {
            for (BoundListener listener : server.listeners()) {
                for (int i = 0; i < 3; i++) {
                    clients.add(connect(listener.address()));
                }
            }
            // 2 accept loops, the watchdog, 6 connections, 2 subtasks for each alpha connection, the I/O loops.
            await().until(() -> server.liveThreads() == 2 + 1 + 6 + 6 + TestServers.ioLoopThreads());

            ThreadDump running = ThreadDump.take();
            List<String> alphaGroups = running.containersOf("loomport leakcheck-alpha#\\d+");
            assertEquals(1, alphaGroups.size(), running.byContainer()::toString);
            assertEquals(List.of(), running.byContainer().get(alphaGroups.getFirst()).stream()
                    .filter(name -> !name.matches("loomport leakcheck-alpha#\\d+")).toList(),
                    "a listener's container holds its connections and nothing else");
            assertEquals(3, running.byContainer().get(alphaGroups.getFirst()).size());
            List<String> betaGroups = running.containersOf("loomport leakcheck-beta#\\d+");
            assertEquals(1, betaGroups.size(), running.byContainer()::toString);
            assertTrue(!betaGroups.equals(alphaGroups), "each listener has a container of its own");
            // Each alpha connection's subtasks sit together in their scope's container.
            assertEquals(3, running.containersOf(".* subtask-\\d+").size(), running.byContainer()::toString);
            assertEquals(6, running.threadsNamed(" subtask-").size());

            server.shutdown(Duration.ZERO);
            assertEquals(0, server.liveThreads(), "the server's own count");
            assertEquals(0, server.activeConnections());
            // A thread leaves the count as its last act and the dump a moment later, when the JVM
            // removes it from its container: allow that moment.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertEquals(List.of(), ThreadDump.take().threadsNamed("leakcheck")));
        } finally {
            clients.forEach(ShutdownTest::closeQuietly);
            server.close();
        }
    }

    /** Echo, with a subtask that does the echoing and a sibling that only waits to be cancelled. */
    private static void echoWithAWaitingSubtask(Connection c) throws Exception {
        try (TaskScope scope = c.openScope()) {
            scope.fork(() -> {
                TestHandlers.echo(c);
                return null;
            });
            scope.fork(() -> {
                new CountDownLatch(1).await();
                return null;
            });
            scope.join();
        }
    }
}
