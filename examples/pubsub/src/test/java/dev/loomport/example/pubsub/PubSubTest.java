package dev.loomport.example.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig;
import dev.loomport.Server;
import dev.loomport.ServerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pubsub plug-in on a real server, on loopback port 0. */
class PubSubTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private Server server;

    private InetSocketAddress start(String... options) throws IOException {
        ListenerConfig.Builder listener = ListenerConfig.builder("pubsub");
        for (int i = 0; i < options.length; i += 2) {
            listener.handlerOption(options[i], options[i + 1]);
        }
        server = Server.start(ServerConfig.builder()
                .plugin(new PubSubPlugin())
                .listener(listener.build())
                .meterRegistry(meters)
                .build());
        return server.listeners().getFirst().address();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everySubscriberGetsEveryMessageInOrder() throws Exception {
        InetSocketAddress address = start();
        int messages = 200;
        try (Client a = new Client(address); Client b = new Client(address); Client publisher = new Client(address);
             ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            assertEquals("OK SUB news", a.send("SUB news").line());
            assertEquals("OK SUB news", b.send("SUB news").line());
            List<Future<List<String>>> received = new ArrayList<>();
            for (Client subscriber : List.of(a, b)) {
                received.add(readers.submit((Callable<List<String>>) () -> {
                    List<String> lines = new ArrayList<>();
                    for (int i = 0; i < messages; i++) {
                        lines.add(subscriber.line());
                    }
                    return lines;
                }));
            }
            for (int i = 0; i < messages; i++) {
                assertEquals("OK PUB 2", publisher.send("PUB news message " + i).line());
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                expected.add("MSG news message " + i);
            }
            for (Future<List<String>> lines : received) {
                assertEquals(expected, lines.get());
            }
        }
    }

    @Test
    void unsubscribedAndOtherTopicsGetNothing() throws Exception {
        InetSocketAddress address = start();
        try (Client a = new Client(address); Client publisher = new Client(address)) {
            assertEquals("OK SUB news", a.send("SUB news").line());
            assertEquals("OK UNSUB news", a.send("UNSUB news").line());
            assertEquals("OK SUB sport", a.send("SUB sport").line());
            assertEquals("OK PUB 0", publisher.send("PUB news nobody hears this").line());
            assertEquals("OK PUB 1", publisher.send("PUB sport goal").line());
            assertEquals("MSG sport goal", a.line());
        }
    }

    @Test
    void badCommandsAreAnsweredAndTheConnectionGoesOn() throws Exception {
        InetSocketAddress address = start();
        try (Client c = new Client(address)) {
            assertEquals("ERR unknown command: HELLO", c.send("hello").line());
            assertEquals("ERR SUB needs a topic", c.send("SUB").line());
            assertEquals("ERR PUB needs a topic and a message", c.send("PUB news").line());
            assertEquals("OK SUB x", c.send("SUB x").line());
        }
    }

    @Test
    void quitSaysByeAndCloses() throws Exception {
        InetSocketAddress address = start();
        try (Client c = new Client(address)) {
            c.send("SUB news").send("QUIT");
            assertEquals("OK SUB news", c.line());
            assertEquals("BYE", c.line());
            assertNull(c.line());
        }
    }

    @Test
    void theClientsEndOfStreamGetsEverythingQueuedThenBye() throws Exception {
        InetSocketAddress address = start();
        try (Client c = new Client(address)) {
            c.send("SUB a").send("PUB a one").send("PUB a two");
            c.halfClose();
            List<String> lines = new ArrayList<>();
            for (String line; (line = c.line()) != null; ) {
                lines.add(line);
            }
            assertTrue(lines.containsAll(List.of("OK SUB a", "MSG a one", "MSG a two", "OK PUB 1")), lines::toString);
            assertEquals("BYE", lines.getLast());
        }
    }

    @Test
    void aDrainSaysGoodbyeToEveryone() throws Exception {
        InetSocketAddress address = start();
        try (Client a = new Client(address); Client b = new Client(address)) {
            assertEquals("OK SUB news", a.send("SUB news").line());
            assertEquals("OK SUB news", b.send("SUB news").line());
            Thread stopper = Thread.ofVirtual().start(() -> server.shutdown(Duration.ofSeconds(30)));
            assertEquals("BYE server draining", a.line());
            assertEquals("BYE server draining", b.line());
            assertNull(a.line());
            assertNull(b.line());
            stopper.join(Duration.ofSeconds(30));
            assertTrue(server.isTerminated());
        }
    }

    @Test
    void aLineOverTheLimitEndsTheConnectionWithItsOwnOutcome() throws Exception {
        InetSocketAddress address = start("max-line", "32");
        try (Client c = new Client(address)) {
            c.sendRaw("PUB news " + "x".repeat(100) + "\n");
            try {
                assertNull(c.line(), "nothing is answered to a line over the limit");
            } catch (SocketException reset) {
                // the server closed with the rest of the line unread: a reset is as good as an end
            }
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                meters.find("loomport.closed.connections").tag("outcome", "frame-too-large").counter().count() == 1);
    }

    @Test
    void badOptionsStopTheStartNamingThePluginTheListenerAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> start("queue", "lots"));
        assertTrue(e.getMessage().contains(PubSubPlugin.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("pubsub"), e.getMessage());
        assertTrue(e.getMessage().contains("queue must be a whole number of LINES: 'lots'"), e.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> start("colour", "red"));
        assertTrue(unknown.getMessage().contains("colour"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("max-line, queue"), unknown.getMessage());
    }
}
