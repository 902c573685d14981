package dev.loomport.io;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FrameReader} at every edge: limits at and over, endings split across reads, EOF inside a frame. */
class FrameReaderTest {

    /** A stream that hands out at most {@code chunk} bytes per read and counts the reads. */
    static final class Trickle extends InputStream {
        private final byte[] data;
        private final int chunk;
        private int pos;
        int reads;
        int mostAsked;

        Trickle(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        Trickle(String text, int chunk) {
            this(text.getBytes(UTF_8), chunk);
        }

        @Override
        public int read() {
            throw new AssertionError("the reader must read in bulk");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            reads++;
            mostAsked = Math.max(mostAsked, len);
            if (pos == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunk), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    private static List<String> lines(String text, int chunk, int max) throws IOException {
        FrameReader reader = new FrameReader(new Trickle(text, chunk), 4);
        List<String> lines = new ArrayList<>();
        for (String line; (line = reader.readLine(max)) != null; ) {
            lines.add(line);
        }
        return lines;
    }

    @Test
    void linesEndInLfOrCrlfWhereverTheReadsSplitThem() throws IOException {
        String text = "one\r\ntwo\n\nthree\r\n\r\nfour\rfive\n";
        List<String> expected = List.of("one", "two", "", "three", "", "four\rfive");
        for (int chunk = 1; chunk <= text.length(); chunk++) {
            assertEquals(expected, lines(text, chunk, 100), "reads of " + chunk + " bytes");
        }
    }

    @Test
    void aLineExactlyAtTheLimitPassesAndOneByteMoreDoesNotWhateverTheEnding() throws IOException {
        for (int chunk : new int[] {1, 2, 3, 100}) {
            assertEquals(List.of("abcd", "efgh"), lines("abcd\nefgh\r\n", chunk, 4), "chunk " + chunk);
            var lf = assertThrows(FrameTooLargeException.class, () -> lines("abcde\n", chunk, 4));
            assertEquals(4, lf.limit());
            var crlf = assertThrows(FrameTooLargeException.class, () -> lines("abcde\r\n", chunk, 4));
            assertEquals(4, crlf.limit());
            assertTrue(crlf.seen() >= 5, crlf.getMessage());
        }
        var e = assertThrows(FrameTooLargeException.class, () -> lines("abcde\n", 100, 4));
        assertEquals("line longer than the limit of 4 bytes: 5 bytes", e.getMessage(), "seen whole in one read");
    }

    @Test
    void aMaximumOfZeroAllowsEmptyLinesOnly() throws IOException {
        assertEquals(List.of("", ""), lines("\n\r\n", 1, 0));
        assertThrows(FrameTooLargeException.class, () -> lines("\nx\n", 1, 0));
    }

    @Test
    void anEndlessLineIsRefusedOnceItPassesTheLimitWithoutReadingOrHoldingTheRest() throws IOException {
        byte[] endless = new byte[1_000_000];
        java.util.Arrays.fill(endless, (byte) 'a');
        Trickle in = new Trickle(endless, 64);
        FrameReader reader = new FrameReader(in, 64);
        var e = assertThrows(FrameTooLargeException.class, () -> reader.readLine(1000));
        assertTrue(e.seen() > 1000 && e.seen() <= 1064, e.getMessage());
        assertTrue(e.getMessage().startsWith("line longer than the limit of 1000 bytes: at least "), e.getMessage());
        assertTrue(in.reads <= 17, "stopped reading at the limit: " + in.reads + " reads");
    }

    @Test
    void theReaderReadsInBulkNotByteByByte() throws IOException {
        String text = "x".repeat(50) + "\n";
        Trickle in = new Trickle(text.repeat(100), Integer.MAX_VALUE);
        FrameReader reader = new FrameReader(in);
        int n = 0;
        while (reader.readLine(100) != null) {
            n++;
        }
        assertEquals(100, n);
        assertEquals(2, in.reads, "5,100 bytes in one read, then the end of stream");
        assertEquals(FrameReader.DEFAULT_BUFFER_SIZE, in.mostAsked);
    }

    @Test
    void anEndOfStreamBetweenLinesIsNullAndInsideALineIsTruncated() throws IOException {
        assertEquals(List.of(), lines("", 1, 10));
        assertEquals(List.of("a"), lines("a\n", 1, 10));
        var e = assertThrows(TruncatedFrameException.class, () -> lines("a\nbc", 1, 10));
        assertEquals("end of stream inside a line after 2 bytes", e.getMessage());
        assertEquals(2, e.received());
        assertEquals(-1, e.expected());
        assertThrows(TruncatedFrameException.class, () -> lines("a\r", 1, 10), "a CR is not an ending on its own");
    }

    @Test
    void charsetsDecodeTheLineAndTheLimitCountsBytes() throws IOException {
        assertEquals(List.of("grüß"), lines("grüß\n", 1, 6)); // 6 bytes in UTF-8
        assertThrows(FrameTooLargeException.class, () -> lines("grüß\n", 1, 5));
        FrameReader latin = new FrameReader(new ByteArrayInputStream(new byte[] {(byte) 0xe9, '\n'}));
        assertEquals("é", latin.readLine(1, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void lengthPrefixedFramesOfOneTwoAndFourBytes() throws IOException {
        byte[] wire = {
            3, 'a', 'b', 'c', // 1-byte prefix
            0, 2, 'd', 'e', // 2-byte prefix
            0, 0, 0, 1, 'f', // 4-byte prefix
            0, // an empty frame, 1-byte prefix
        };
        for (int chunk = 1; chunk <= wire.length; chunk++) {
            FrameReader reader = new FrameReader(new Trickle(wire, chunk), 3);
            assertArrayEquals("abc".getBytes(US_ASCII), reader.readFrame(1, 3));
            assertArrayEquals("de".getBytes(US_ASCII), reader.readFrame(2, 2));
            assertArrayEquals("f".getBytes(US_ASCII), reader.readFrame(4, 1));
            assertArrayEquals(new byte[0], reader.readFrame(1, 0));
            assertNull(reader.readFrame(4, 10), "a clean end of stream");
        }
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedBeforeTheBodyIsRead() throws IOException {
        Trickle in = new Trickle(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'x'}, 4);
        var e = assertThrows(FrameTooLargeException.class, () -> new FrameReader(in, 4).readFrame(4, 1 << 20));
        assertEquals("frame longer than the limit of 1048576 bytes: 4294967295 bytes", e.getMessage(),
                "a 4-byte length is unsigned");
        assertEquals(4294967295L, e.seen());
        assertEquals(1, in.reads, "the body was not read");
        assertThrows(FrameTooLargeException.class, () -> new FrameReader(new Trickle(new byte[] {1, 'x'}, 9)).readFrame(1, 0));
        assertArrayEquals(new byte[] {'x', 'y'},
                new FrameReader(new Trickle(new byte[] {0, 2, 'x', 'y'}, 9)).readFrame(2, 2), "exactly at the limit");
    }

    @Test
    void anEndOfStreamInsideAPrefixOrABodyIsTruncated() {
        var prefix = assertThrows(TruncatedFrameException.class,
                () -> new FrameReader(new Trickle(new byte[] {0, 0}, 1)).readFrame(4, 10));
        assertEquals("end of stream inside a length prefix after 2 bytes of 4", prefix.getMessage());
        var body = assertThrows(TruncatedFrameException.class,
                () -> new FrameReader(new Trickle(new byte[] {5, 'a', 'b'}, 1)).readFrame(1, 10));
        assertEquals("end of stream inside a frame after 2 bytes of 5", body.getMessage());
        assertEquals(5, body.expected());
    }

    @Test
    void fixedSizeReadsAndRawReadsShareTheBuffer() throws IOException {
        FrameReader reader = new FrameReader(new Trickle("HEAD\nbodyrest", 3), 4);
        assertEquals("HEAD", reader.readLine(10));
        assertArrayEquals("body".getBytes(US_ASCII), reader.readFully(4));
        byte[] rest = new byte[10];
        int n = reader.read(rest, 0, 10);
        assertTrue(n > 0 && n <= 4, "read returns what is there: " + n);
        assertArrayEquals(new byte[0], reader.readFully(0));
        var e = assertThrows(TruncatedFrameException.class, () -> reader.readFully(10));
        assertEquals("end of stream inside a fixed-size read after " + (4 - n) + " bytes of 10", e.getMessage());
    }

    @Test
    void badArgumentsAreNamed() {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(new byte[0]));
        assertEquals("length prefix must be 1, 2 or 4 bytes: 3",
                assertThrows(IllegalArgumentException.class, () -> reader.readFrame(3, 10)).getMessage());
        assertEquals("length must not be negative: -1",
                assertThrows(IllegalArgumentException.class, () -> reader.readLine(-1)).getMessage());
        assertEquals("buffer size must be at least 1: 0",
                assertThrows(IllegalArgumentException.class, () -> new FrameReader(new ByteArrayInputStream(new byte[0]), 0)).getMessage());
    }
}
