package dev.loomport.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.io.FrameReader;
import dev.loomport.io.FrameWriter;
import dev.loomport.spi.HandlerPlugin;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test kit against small handlers of its own: each client style, the meters, and the thread check. */
class TestKitTest {
    @RegisterExtension
    final LoomportExtension loomport = new LoomportExtension();

    /** Answers each line with "> line", and each 2-byte-prefixed frame reversed, by the first byte. */
    private static final HandlerPlugin ECHO_LINES = HandlerPlugin.of("lines", () -> c -> {
        FrameReader in = new FrameReader(c.input());
        FrameWriter out = new FrameWriter(c.output());
        for (String line; (line = in.readLine(64)) != null; ) {
            out.writeLine("> " + line);
            out.flush();
        }
    });

    private static final HandlerPlugin FRAMES = HandlerPlugin.of("frames", () -> c -> {
        FrameReader in = new FrameReader(c.input());
        FrameWriter out = new FrameWriter(c.output());
        for (byte[] frame; (frame = in.readFrame(2, 1024)) != null; ) {
            byte[] reversed = new byte[frame.length];
            for (int i = 0; i < frame.length; i++) {
                reversed[i] = frame[frame.length - 1 - i];
            }
            out.writeFrame(2, reversed);
            out.flush();
        }
    });

    @Test
    void linesRoundTripAndTheMetersCountTheConnection() throws Exception {
        TestServer server = loomport.start(ECHO_LINES);
        try (TestClient client = server.client()) {
            assertEquals("> hello", client.sendLine("hello").readLine());
            assertEquals("> crlf", client.send("crlf\r\n".getBytes()).readLine());
            client.halfClose();
            assertNull(client.readLine());
        }
        org.awaitility.Awaitility.await().until(() -> server.count("loomport.closed.connections") == 1);
        assertEquals(1, server.count("loomport.accepted.connections"));
    }

    @Test
    void aLineOverTheHandlersLimitIsCountedByItsOutcome() throws Exception {
        TestServer server = loomport.start(ECHO_LINES);
        TestClient client = server.client(); // closed by the extension
        client.sendLine("x".repeat(100));
        assertTrue(client.isClosedByServer());
        org.awaitility.Awaitility.await().until(
                () -> server.count("loomport.closed.connections", "outcome", "frame-too-large") == 1);
    }

    @Test
    void framesAndRawBytes() throws Exception {
        TestServer server = loomport.start(FRAMES);
        try (TestClient client = server.client()) {
            assertArrayEquals(new byte[] {3, 2, 1}, client.sendFrame(2, new byte[] {1, 2, 3}).readFrame(2));
            client.send(new byte[] {0, 2, 'a', 'b'});
            assertArrayEquals(new byte[] {0, 2, 'b', 'a'}, client.read(4));
            client.halfClose();
            assertNull(client.readFrame(2));
        }
        assertThrows(IllegalArgumentException.class, () -> server.client().sendFrame(3, new byte[0]));
    }

    @Test
    void optionsAndListenerSettingsReachTheServer() throws Exception {
        TestServer server = loomport.start(TestServer.of(ECHO_LINES).listener(l -> l.maxConnections(1))
                .clientTimeout(Duration.ofSeconds(20)));
        assertEquals(1, server.server().listeners().size());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> TestServer.of(ECHO_LINES).option("colour", "red").start());
        assertTrue(unknown.getMessage().contains("unknown option 'colour'"), unknown.getMessage());
    }

    @Test
    void aReadThatWaitsTooLongFailsInsteadOfHanging() throws Exception {
        TestServer server = loomport.start(TestServer.of(ECHO_LINES).clientTimeout(Duration.ofMillis(200)));
        try (TestClient client = server.client()) {
            assertThrows(SocketTimeoutException.class, client::readLine);
        }
    }

    @Test
    void aHandlerThatOutlivesTheServerFailsTheTest() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        HandlerPlugin stubborn = HandlerPlugin.of("stubborn", () -> c -> {
            started.countDown();
            while (true) { // ignores interrupts until the test lets it go
                try {
                    release.await();
                    return;
                } catch (InterruptedException ignored) {
                    // a bad handler
                }
            }
        });
        TestServer server = TestServer.of(stubborn).stopTimeout(Duration.ofMillis(500)).start();
        try {
            server.client();
            started.await();
            AssertionError error = assertThrows(AssertionError.class, server::close);
            assertTrue(error.getMessage().contains("handler 'stubborn'") && error.getMessage().contains("live thread"),
                    error.getMessage());
        } finally {
            release.countDown();
            server.server().awaitTermination(TestServer.STOP_TIMEOUT);
        }
    }
}
