package dev.loomport;

import static dev.loomport.TestClients.connect;
import static dev.loomport.TestHandlers.handler;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a client sees when its handler ends by itself, on whichever I/O path the run forces (surefire runs
 * this class on both): a handler that throws broke the exchange, so the client gets a RST ("connection
 * reset"), unread input or not; a handler that returns ends with a FIN (end of stream), unread input or
 * not. docs/limits.md says both; a change to either fails here.
 */
class HandlerEndTest {
    private static final byte[] HELLO = "hello\n".getBytes(US_ASCII);

    @Test
    void aHandlerThatThrowsWithInputUnreadEndsWithAReset() throws Exception {
        assertResetAfterTheHandlerThrows(handler("half", c -> {
            c.input().read(); // one byte of the six: five stay unread
            c.output().write(HELLO);
            throw new IllegalStateException("a handler's bug, mid-protocol");
        }));
    }

    @Test
    void aHandlerThatThrowsWithNothingUnreadEndsWithAReset() throws Exception {
        assertResetAfterTheHandlerThrows(handler("all-read", c -> {
            // Reads all the client sent first: a handler that threw at once could reset the
            // connection before the client's connect() had returned, and the test would fail there.
            c.input().readNBytes(HELLO.length);
            throw new IllegalStateException("a handler's bug, with every byte read");
        }));
    }

    /** A client sends {@link #HELLO} to {@code failing}, then must read a reset, counted as an error. */
    private static void assertResetAfterTheHandlerThrows(HandlerPlugin failing) throws Exception {
        var registry = new SimpleMeterRegistry();
        try (Server server = TestServers.serve(failing, registry);
             Socket client = connect(server)) {
            client.getOutputStream().write(HELLO);
            TestClients.assertReset(client);
            await().untilAsserted(() -> assertEquals(Map.of("error", 1L), Meters.closed(registry)));
        }
    }

    @Test
    void aHandlerThatReturnsWithInputUnreadEndsWithAFin() throws Exception {
        var registry = new SimpleMeterRegistry();
        try (Server server = TestServers.serve(handler("done", c -> {
                c.input().read();
                c.output().write(HELLO);
            }), registry);
             Socket client = connect(server)) {
            client.getOutputStream().write(HELLO);
            assertArrayEquals(HELLO, client.getInputStream().readAllBytes(), "the reply, then end of stream");
            await().untilAsserted(() -> assertEquals(Map.of("server-closed", 1L), Meters.closed(registry)));
        }
    }
}
