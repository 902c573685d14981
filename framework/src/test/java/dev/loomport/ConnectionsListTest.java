package dev.loomport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ConnectionInfo.Activity;
import dev.loomport.spi.HandlerPlugin;
import dev.loomport.spi.TaskScope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Server#connections(int)}: the open connections, newest first, capped, with their bytes, times
 * and what each handler's thread is doing.
 */
@Timeout(120)
class ConnectionsListTest {
    private static final Duration EVENTUALLY = Duration.ofSeconds(30);

    /** The first byte says what to do: 'r' echo (reads), 's' wait in a scope's join, 'w' write until blocked. */
    private static final HandlerPlugin DOER = TestHandlers.handler("doer", c -> {
        int what = c.input().read();
        c.output().write(what); // one byte back: the client knows the handler got here
        c.output().flush();
        switch (what) {
            case 's' -> {
                try (TaskScope scope = c.openScope()) {
                    scope.fork(() -> {
                        new CountDownLatch(1).await(); // until the connection closes and cancels it
                        return null;
                    });
                    scope.join();
                }
            }
            case 'w' -> {
                byte[] chunk = new byte[64 * 1024];
                while (true) {
                    c.output().write(chunk); // the client never reads: the buffers fill, the write blocks
                }
            }
            default -> TestHandlers.echo(c);
        }
    });

    @Test
    void listsOpenConnectionsNewestFirstWithBytesAndActivity() throws Exception {
        List<Socket> clients = new ArrayList<>();
        Instant before = Instant.now();
        try (Server server = TestServers.serve(DOER, new SimpleMeterRegistry())) {
            assertEquals(List.of(), server.connections(10));
            for (char what : new char[] {'r', 's', 'w'}) {
                Socket socket = TestClients.connect(server);
                clients.add(socket);
                socket.getOutputStream().write(what);
                assertEquals(what, socket.getInputStream().read());
            }
            TestClients.assertEchoes(clients.getFirst(), "abc");

            await().atMost(EVENTUALLY).until(() -> server.connections(10).stream().map(ConnectionInfo::activity)
                    .toList().equals(List.of(Activity.WRITING, Activity.IN_SUBTASK, Activity.READING)));
            List<ConnectionInfo> all = server.connections(10);
            assertEquals(3, all.size());
            assertTrue(all.get(0).id() > all.get(1).id() && all.get(1).id() > all.get(2).id(), "newest first");
            ConnectionInfo reader = all.get(2);
            assertEquals("doer", reader.listener());
            assertEquals("doer", reader.handler());
            assertEquals(clients.getFirst().getLocalPort(), reader.remoteAddress().getPort());
            assertEquals(4, reader.bytesIn());
            assertEquals(4, reader.bytesOut());
            assertTrue(!reader.opened().isBefore(before.minusSeconds(1)), reader::toString);
            assertTrue(!reader.lastActive().isBefore(reader.opened()), reader::toString);
            assertTrue(all.get(0).bytesOut() > 64 * 1024, "the writer's bytes so far: " + all.get(0));

            List<ConnectionInfo> newest = server.connections(2);
            assertEquals(List.of(all.get(0).id(), all.get(1).id()), newest.stream().map(ConnectionInfo::id).toList());
            assertEquals(List.of(), server.connections(0));
            var e = assertThrows(IllegalArgumentException.class, () -> server.connections(-1));
            assertEquals("limit must not be negative: -1", e.getMessage());
        } finally {
            for (Socket s : clients) {
                closeQuietly(s);
            }
        }
    }

    @Test
    void aConnectionGoesOffTheListWhenItEnds() throws Exception {
        try (Server server = TestServers.serve(TestHandlers.echo(), new SimpleMeterRegistry())) {
            try (Socket socket = TestClients.connect(server)) {
                TestClients.assertEchoes(socket, "x");
                assertEquals(1, server.connections(5).size());
            }
            await().atMost(EVENTUALLY).until(() -> server.connections(5).isEmpty());
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // the test is over
        }
    }
}
