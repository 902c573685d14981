package dev.loomport.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** {@link FrameWriter}: what reaches the stream, and when. */
class FrameWriterTest {

    @Test
    void linesFramesAndBytesReachTheStreamOnFlushInOrder() throws IOException {
        var sink = new ByteArrayOutputStream();
        var out = new FrameWriter(sink, 4, FrameWriter.LineEnding.CRLF);
        out.writeLine("hi");
        out.writeLine("grüß");
        out.writeFrame(1, new byte[] {'a'});
        out.writeFrame(2, new byte[] {'b', 'c'});
        out.writeFrame(4, new byte[0]);
        out.write("0123456789".getBytes(UTF_8)); // larger than the buffer: straight through
        out.flush();
        byte[] expected = concat("hi\r\n", "grüß\r\n", "\1a", "\0\2bc", "\0\0\0\0", "0123456789");
        assertArrayEquals(expected, sink.toByteArray());
    }

    @Test
    void nothingIsWrittenBeforeAFlushWhileTheBufferHasRoom() throws IOException {
        var sink = new ByteArrayOutputStream();
        var out = new FrameWriter(sink);
        out.writeLine("held");
        assertEquals(0, sink.size());
        out.flush();
        assertEquals("held\n", sink.toString(UTF_8));
    }

    @Test
    void whatTheWriterWritesTheReaderReadsBack() throws IOException {
        var sink = new ByteArrayOutputStream();
        var out = new FrameWriter(sink, 3, FrameWriter.LineEnding.LF);
        out.writeLine("line");
        out.writeFrame(2, "frame".getBytes(UTF_8));
        out.flush();
        var in = new FrameReader(new java.io.ByteArrayInputStream(sink.toByteArray()), 2);
        assertEquals("line", in.readLine(4));
        assertArrayEquals("frame".getBytes(UTF_8), in.readFrame(2, 5));
    }

    @Test
    void aLineWithAnEndingInsideOrAFrameTooLongForItsPrefixIsRefused() {
        var out = new FrameWriter(new ByteArrayOutputStream());
        assertEquals("a line must not hold a LF (at index 1)",
                assertThrows(IllegalArgumentException.class, () -> out.writeLine("a\nb")).getMessage());
        assertEquals("a line must not hold a CR (at index 0)",
                assertThrows(IllegalArgumentException.class, () -> out.writeLine("\r")).getMessage());
        assertEquals("a 1-byte length prefix holds at most 255 bytes: 256",
                assertThrows(IllegalArgumentException.class, () -> out.writeFrame(1, new byte[256])).getMessage());
        assertEquals("length prefix must be 1, 2 or 4 bytes: 8",
                assertThrows(IllegalArgumentException.class, () -> out.writeFrame(8, new byte[1])).getMessage());
    }

    private static byte[] concat(String... parts) {
        var bytes = new ByteArrayOutputStream();
        for (String part : parts) {
            bytes.writeBytes(part.getBytes(UTF_8));
        }
        return bytes.toByteArray();
    }
}
