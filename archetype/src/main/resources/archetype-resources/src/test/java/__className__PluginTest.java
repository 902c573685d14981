package ${package};

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.testkit.LoomportExtension;
import dev.loomport.testkit.TestClient;
import dev.loomport.testkit.TestServer;
import java.net.SocketException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ${className}Plugin on a real loomport server, on 127.0.0.1 port 0, through loomport's test kit: the
 * extension stops each test's servers after it, and fails the test if a thread of one is still alive.
 */
class ${className}PluginTest {
    @RegisterExtension
    final LoomportExtension loomport = new LoomportExtension();

    @Test
    void answersEveryLineWithTheGreeting() throws Exception {
        TestServer server = loomport.start(new ${className}Plugin());
        TestClient client = server.client(); // closed with the server
        assertEquals("Hello, world!", client.sendLine("world").readLine());
        assertEquals("Hello, loomport!", client.sendLine("loomport").readLine());
    }

    @Test
    void theGreetingIsAnOption() throws Exception {
        TestServer server = loomport.start(TestServer.of(new ${className}Plugin()).option("greeting", "Howdy"));
        assertEquals("Howdy, world!", server.client().sendLine("world").readLine());
    }

    @Test
    void aLineOverTheLimitEndsTheConnectionWithoutAnAnswer() throws Exception {
        TestServer server = loomport.start(new ${className}Plugin());
        TestClient client = server.client();
        client.send(("x".repeat(${className}Handler.MAX_LINE + 1) + "\n").getBytes(UTF_8));
        try {
            assertTrue(client.isClosedByServer(), "nothing is answered to a line over the limit");
        } catch (SocketException reset) {
            // the server closed with part of the line unread: a reset ends the connection as well
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                server.count("loomport.closed.connections", "outcome", "frame-too-large") == 1);
    }

    @Test
    void aDrainingServerSaysGoodbyeAndEndsTheConnectionWithoutWaitingForTheClient() throws Exception {
        TestServer server = loomport.start(new ${className}Plugin());
        TestClient client = server.client(); // stays open, as nc does until its own input ends
        assertEquals("Hello, world!", client.sendLine("world").readLine());
        // A graceful stop, as SIGTERM starts it, with a grace period far longer than this test.
        Thread stop = Thread.ofVirtual().start(() -> server.server().shutdown(Duration.ofMinutes(5)));
        assertEquals(${className}Handler.GOODBYE, client.readLine());
        assertTrue(client.isClosedByServer(), "the goodbye is the last line: then end of stream");
        stop.join(); // over once the handler has returned, long before the grace period
        assertEquals(1, server.count("loomport.closed.connections", "outcome", "server-closed"),
                "the handler ended the connection, not the grace period (outcome shutdown)");
    }

    @Test
    void aBlankGreetingStopsTheStartNamingTheOptionAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                loomport.start(TestServer.of(new ${className}Plugin()).option("greeting", " ")));
        assertTrue(e.getMessage().contains("greeting must be 1 to 64 characters: ''"), e.getMessage());
        assertTrue(e.getMessage().contains(${className}Plugin.class.getName()), e.getMessage());
    }
}
