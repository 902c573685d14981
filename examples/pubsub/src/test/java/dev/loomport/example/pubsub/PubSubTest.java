package dev.loomport.example.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.testkit.LoomportExtension;
import dev.loomport.testkit.TestClient;
import dev.loomport.testkit.TestServer;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pubsub plug-in on a real server, on loopback port 0, through loomport's test kit: the extension
 * stops each server after its test and fails the test if a thread of it is still alive.
 */
class PubSubTest {
    @RegisterExtension
    final LoomportExtension loomport = new LoomportExtension();

    private TestServer start(String... options) throws IOException {
        TestServer.Builder server = TestServer.of(new PubSubPlugin());
        for (int i = 0; i < options.length; i += 2) {
            server.option(options[i], options[i + 1]);
        }
        return loomport.start(server);
    }

    @Test
    void everySubscriberGetsEveryMessageInOrder() throws Exception {
        TestServer server = start();
        int messages = 200;
        try (TestClient a = server.client(); TestClient b = server.client(); TestClient publisher = server.client();
             ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            assertEquals("OK SUB news", a.sendLine("SUB news").readLine());
            assertEquals("OK SUB news", b.sendLine("SUB news").readLine());
            List<Future<List<String>>> received = new ArrayList<>();
            for (TestClient subscriber : List.of(a, b)) {
                received.add(readers.submit((Callable<List<String>>) () -> {
                    List<String> lines = new ArrayList<>();
                    for (int i = 0; i < messages; i++) {
                        lines.add(subscriber.readLine());
                    }
                    return lines;
                }));
            }
            for (int i = 0; i < messages; i++) {
                assertEquals("OK PUB 2", publisher.sendLine("PUB news message " + i).readLine());
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
        TestServer server = start();
        try (TestClient a = server.client(); TestClient publisher = server.client()) {
            assertEquals("OK SUB news", a.sendLine("SUB news").readLine());
            assertEquals("OK UNSUB news", a.sendLine("UNSUB news").readLine());
            assertEquals("OK SUB sport", a.sendLine("SUB sport").readLine());
            assertEquals("OK PUB 0", publisher.sendLine("PUB news nobody hears this").readLine());
            assertEquals("OK PUB 1", publisher.sendLine("PUB sport goal").readLine());
            assertEquals("MSG sport goal", a.readLine());
        }
    }

    @Test
    void badCommandsAreAnsweredAndTheConnectionGoesOn() throws Exception {
        TestServer server = start();
        try (TestClient c = server.client()) {
            assertEquals("ERR unknown command: HELLO", c.sendLine("hello").readLine());
            assertEquals("ERR SUB needs a topic", c.sendLine("SUB").readLine());
            assertEquals("ERR PUB needs a topic and a message", c.sendLine("PUB news").readLine());
            assertEquals("OK SUB x", c.sendLine("SUB x").readLine());
        }
    }

    @Test
    void quitSaysByeAndCloses() throws Exception {
        TestServer server = start();
        try (TestClient c = server.client()) {
            c.sendLine("SUB news").sendLine("QUIT");
            assertEquals("OK SUB news", c.readLine());
            assertEquals("BYE", c.readLine());
            assertNull(c.readLine());
        }
    }

    @Test
    void theClientsEndOfStreamGetsEverythingQueuedThenBye() throws Exception {
        TestServer server = start();
        try (TestClient c = server.client()) {
            c.sendLine("SUB a").sendLine("PUB a one").sendLine("PUB a two");
            c.halfClose();
            List<String> lines = new ArrayList<>();
            for (String line; (line = c.readLine()) != null; ) {
                lines.add(line);
            }
            assertTrue(lines.containsAll(List.of("OK SUB a", "MSG a one", "MSG a two", "OK PUB 1")), lines::toString);
            assertEquals("BYE", lines.getLast());
        }
    }

    @Test
    void aDrainSaysGoodbyeToEveryone() throws Exception {
        TestServer server = start();
        try (TestClient a = server.client(); TestClient b = server.client()) {
            assertEquals("OK SUB news", a.sendLine("SUB news").readLine());
            assertEquals("OK SUB news", b.sendLine("SUB news").readLine());
            Thread stopper = Thread.ofVirtual().start(() -> server.server().shutdown(Duration.ofSeconds(30)));
            assertEquals("BYE server draining", a.readLine());
            assertEquals("BYE server draining", b.readLine());
            assertNull(a.readLine());
            assertNull(b.readLine());
            stopper.join(Duration.ofSeconds(30));
            assertTrue(server.server().isTerminated());
        }
    }

    @Test
    void aLineOverTheLimitEndsTheConnectionWithItsOwnOutcome() throws Exception {
        TestServer server = start("max-line", "32");
        try (TestClient c = server.client()) {
            c.send(("PUB news " + "x".repeat(100) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try {
                assertNull(c.readLine(), "nothing is answered to a line over the limit");
            } catch (SocketException reset) {
                // the server closed with the rest of the line unread: a reset is as good as an end
            }
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                server.count("loomport.closed.connections", "outcome", "frame-too-large") == 1);
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
