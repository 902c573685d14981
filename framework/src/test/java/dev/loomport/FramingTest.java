package dev.loomport;

import static dev.loomport.TestClients.connect;
import static dev.loomport.TestHandlers.handler;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.loomport.io.FrameReader;
import dev.loomport.io.FrameWriter;
import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link FrameReader} and {@link FrameWriter} on real sockets, and the outcomes a peer's framing earns. */
class FramingTest {
    private static final int MAX = 16;

    /** Answers each line of at most {@value #MAX} bytes with its length. */
    private static final HandlerPlugin LINES = handler("lines", c -> {
        FrameReader in = new FrameReader(c.input());
        FrameWriter out = new FrameWriter(c.output());
        for (String line; (line = in.readLine(MAX)) != null; ) {
            out.writeLine(line.length() + " " + line);
            out.flush();
        }
    });

    /** Echoes each 2-byte-length-prefixed frame of at most {@value #MAX} bytes. */
    private static final HandlerPlugin FRAMES = handler("frames", c -> {
        FrameReader in = new FrameReader(c.input());
        FrameWriter out = new FrameWriter(c.output());
        for (byte[] frame; (frame = in.readFrame(2, MAX)) != null; ) {
            out.writeFrame(2, frame);
            out.flush();
        }
    });

    @Test
    void linesAtTheLimitAreServedAndALineOverItEndsTheConnectionAsFrameTooLarge() throws Exception {
        var registry = new SimpleMeterRegistry();
        try (Server server = TestServers.serve(LINES, registry);
             Socket client = connect(server)) {
            OutputStream out = client.getOutputStream();
            var in = new BufferedReader(new InputStreamReader(client.getInputStream(), US_ASCII));
            out.write(("a".repeat(MAX) + "\r\n\n").getBytes(US_ASCII));
            assertEquals(MAX + " " + "a".repeat(MAX), in.readLine());
            assertEquals("0 ", in.readLine());
            out.write(("b".repeat(MAX + 1) + "\n").getBytes(US_ASCII));
            assertNull(in.readLine(), "the server closed the connection");
            await().atMost(TestClients.TIMEOUT).untilAsserted(() -> assertEquals(Map.of("frame-too-large", 1L),
                    Meters.closed(registry)));
            assertNull(registry.find("loomport.handler.errors").meter(), "not a handler error");
        }
    }

    @Test
    void aClientThatClosesInsideALineEndsAsClientClosedNotAsAnError() throws Exception {
        var registry = new SimpleMeterRegistry();
        try (Server server = TestServers.serve(LINES, registry);
             Socket client = connect(server)) {
            client.getOutputStream().write("half a li".getBytes(US_ASCII));
            client.shutdownOutput();
            assertEquals(-1, client.getInputStream().read());
            await().atMost(TestClients.TIMEOUT).untilAsserted(() -> assertEquals(Map.of("client-closed", 1L),
                    Meters.closed(registry)));
            assertNull(registry.find("loomport.handler.errors").meter());
        }
    }

    @Test
    void lengthPrefixedFramesRoundTripAndAnOversizedOneIsRefusedBeforeItsBodyArrives() throws Exception {
        var registry = new SimpleMeterRegistry();
        try (Server server = TestServers.serve(FRAMES, registry);
             Socket client = connect(server)) {
            OutputStream out = client.getOutputStream();
            byte[] frame = {0, 3, 'a', 'b', 'c'};
            out.write(frame);
            assertArrayEquals(frame, TestClients.readExactly(client.getInputStream(), frame.length));
            out.write(new byte[] {0, MAX + 1}); // the header alone: the server must not wait for the body
            assertEquals(-1, client.getInputStream().read());
            await().atMost(TestClients.TIMEOUT).untilAsserted(() -> assertEquals(Map.of("frame-too-large", 1L),
                    Meters.closed(registry)));
        }
    }
}
