package dev.loomport.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Reads the framings TCP protocols use from a stream, bounded: lines ending in LF or CRLF, frames
 * with a 1-, 2- or 4-byte big-endian length prefix, and fixed-size reads. It reads in bulk into one
 * buffer of its own and holds at most a frame's limit (plus one byte, a line's CR) beyond it, so a
 * peer cannot grow a line or a frame until the heap is gone.
 *
 * <p><b>Outcomes.</b> A reading method returns {@code null} at a clean end of stream, one that falls
 * between two frames. An end of stream inside a frame throws {@link TruncatedFrameException} (an
 * {@link java.io.EOFException}). A frame over its limit throws {@link FrameTooLargeException} as soon as
 * that is known: for a length prefix, before reading the body; for a line, once more than the limit
 * has arrived without an LF. After either exception, or an {@link IOException} from the stream, the
 * reader has stopped inside a frame and is of no further use: end the connection.
 *
 * <p><b>Threading.</b> One thread reads at a time (the connection's reader: the handler, or one
 * subtask); it is not safe for concurrent use and takes no lock. A {@link FrameWriter} on the same
 * connection's output may be used by another thread at the same time.
 *
 * <p><b>Interrupts.</b> The reader adds no waiting of its own: it blocks only in the stream's
 * {@code read}. Interrupting a virtual thread blocked reading a socket closes that socket, and the
 * read throws an {@link IOException} (see {@link dev.loomport.spi.TaskScope}).
 *
 * {@snippet :
 * FrameReader in = new FrameReader(connection.input());
 * for (String line; (line = in.readLine(1024)) != null; ) {   // a line over 1 KiB ends the connection
 *     handle(line);
 * }
 * }
 */
public final class FrameReader {
    /** The buffer size of {@link #FrameReader(InputStream)}: bytes read from the stream at once. */
    public static final int DEFAULT_BUFFER_SIZE = 8192;
    private static final byte LF = '\n';
    private static final byte CR = '\r';
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int limit;
    private byte[] line = new byte[0]; // the part of a line that spans buffer fills; grown up to its limit + 1
    private int lineLength;

    /** A reader with a buffer of {@value #DEFAULT_BUFFER_SIZE} bytes. */
    public FrameReader(InputStream in) {
        this(in, DEFAULT_BUFFER_SIZE);
    }

    /**
     * @param bufferSize bytes read from the stream at once, at least 1
     * @throws IllegalArgumentException if {@code bufferSize} is less than 1
     */
    public FrameReader(InputStream in, int bufferSize) {
        this.in = Objects.requireNonNull(in, "in");
        if (bufferSize < 1) {
            throw new IllegalArgumentException("buffer size must be at least 1: " + bufferSize);
        }
        this.buf = new byte[bufferSize];
    }

    /** {@link #readLine(int, Charset)} in UTF-8. */
    public String readLine(int maxLength) throws IOException {
        return readLine(maxLength, StandardCharsets.UTF_8);
    }

    /**
     * Reads one line: the bytes up to an LF, without it and without a CR right before it (a CR
     * elsewhere is part of the line), decoded with {@code charset}.
     *
     * @param maxLength the most bytes a line may have, its ending not counted; 0 allows empty lines only
     * @return the line, or {@code null} at a clean end of stream (no byte of a new line had arrived)
     * @throws FrameTooLargeException if the line has more than {@code maxLength} bytes
     * @throws TruncatedFrameException if the stream ends inside a line
     * @throws IllegalArgumentException if {@code maxLength} is negative
     */
    public String readLine(int maxLength, Charset charset) throws IOException {
        checkLimit(maxLength);
        Objects.requireNonNull(charset, "charset");
        lineLength = 0;
        while (true) {
            int lf = indexOfLf();
            int chunk = (lf >= 0 ? lf : limit) - pos;
            long held = (long) lineLength + chunk;
            if (lf >= 0) {
                boolean cr = chunk > 0 ? buf[lf - 1] == CR : lineLength > 0 && line[lineLength - 1] == CR;
                long length = held - (cr ? 1 : 0);
                if (length > maxLength) {
                    throw new FrameTooLargeException("line", maxLength, length, false);
                }
                String result;
                if (lineLength == 0) { // the whole line is in the buffer: decode it from there, no copy
                    result = new String(buf, pos, (int) length, charset);
                } else {
                    hold(chunk, maxLength);
                    result = new String(line, 0, (int) length, charset);
                }
                pos = lf + 1;
                lineLength = 0;
                return result;
            }
            // No LF yet: more than the limit has arrived, unless the last byte is a CR of the ending.
            byte last = chunk > 0 ? buf[limit - 1] : lineLength > 0 ? line[lineLength - 1] : 0;
            if (held > maxLength + 1L || (held == maxLength + 1L && last != CR)) {
                throw new FrameTooLargeException("line", maxLength, held, true);
            }
            hold(chunk, maxLength);
            pos = limit;
            if (fill() < 0) {
                if (lineLength == 0) {
                    return null;
                }
                throw new TruncatedFrameException("line", -1, lineLength);
            }
        }
    }

    /**
     * Reads one frame: an unsigned big-endian length of {@code prefixBytes} bytes, then that many bytes.
     *
     * @param prefixBytes 1, 2 or 4
     * @param maxLength   the most bytes a frame's body may have; 0 allows empty frames only
     * @return the body, or {@code null} at a clean end of stream (no byte of a new prefix had arrived)
     * @throws FrameTooLargeException if the prefix declares more than {@code maxLength}: thrown before
     *         the body is read or room for it allocated
     * @throws TruncatedFrameException if the stream ends inside the prefix or the body
     * @throws IllegalArgumentException if {@code prefixBytes} is not 1, 2 or 4, or {@code maxLength} is
     *         negative
     */
    public byte[] readFrame(int prefixBytes, int maxLength) throws IOException {
        if (prefixBytes != 1 && prefixBytes != 2 && prefixBytes != 4) {
            throw new IllegalArgumentException("length prefix must be 1, 2 or 4 bytes: " + prefixBytes);
        }
        checkLimit(maxLength);
        long length = 0;
        for (int i = 0; i < prefixBytes; i++) {
            if (pos == limit && fill() < 0) {
                if (i == 0) {
                    return null;
                }
                throw new TruncatedFrameException("length prefix", prefixBytes, i);
            }
            length = length << 8 | (buf[pos++] & 0xff);
        }
        if (length > maxLength) {
            throw new FrameTooLargeException("frame", maxLength, length, false);
        }
        byte[] frame = new byte[(int) length];
        readFully(frame, 0, frame.length, "frame");
        return frame;
    }

    /**
     * Reads exactly {@code n} bytes.
     *
     * @throws TruncatedFrameException if the stream ends first (even before the first byte)
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public byte[] readFully(int n) throws IOException {
        checkLimit(n);
        byte[] bytes = new byte[n];
        readFully(bytes, 0, n, "fixed-size read");
        return bytes;
    }

    /**
     * Reads exactly {@code len} bytes into {@code b} from {@code off}: no allocation.
     *
     * @throws TruncatedFrameException if the stream ends first (even before the first byte)
     */
    public void readFully(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        readFully(b, off, len, "fixed-size read");
    }

    /**
     * Reads up to {@code len} bytes: the buffered ones first, without blocking for more once some
     * are there. For a protocol that switches from frames to a raw byte stream.
     *
     * @return the bytes read, or -1 at the end of stream
     */
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (pos == limit) {
            if (len >= buf.length) {
                return in.read(b, off, len); // a large read goes straight through: no copy
            }
            if (fill() < 0) {
                return -1;
            }
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    /** The bytes read from the stream and not yet returned: what a {@code read} returns without blocking. */
    public int buffered() {
        return limit - pos;
    }

    private void readFully(byte[] b, int off, int len, String what) throws IOException {
        int done = 0;
        while (done < len) {
            int n = read(b, off + done, len - done);
            if (n < 0) {
                throw new TruncatedFrameException(what, len, done);
            }
            done += n;
        }
    }

    private int indexOfLf() {
        for (int i = pos; i < limit; i++) {
            if (buf[i] == LF) {
                return i;
            }
        }
        return -1;
    }

    /** Appends buf[pos, pos + n) to the held part of a line; the caller checked it stays within the limit + 1. */
    private void hold(int n, int maxLength) {
        int needed = lineLength + n;
        if (needed > line.length) {
            long grown = Math.max(needed, Math.max(64L, 2L * line.length));
            line = java.util.Arrays.copyOf(line, (int) Math.min(grown, Math.min(maxLength + 1L, MAX_ARRAY)));
        }
        System.arraycopy(buf, pos, line, lineLength, n);
        lineLength = needed;
    }

    /** Reads what the stream has (at least one byte, blocking): -1 at its end. Called with the buffer empty. */
    private int fill() throws IOException {
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n > 0) {
            pos = 0;
            limit = n;
        }
        return n;
    }

    private static void checkLimit(int maxLength) {
        if (maxLength < 0) {
            throw new IllegalArgumentException("length must not be negative: " + maxLength);
        }
    }
}
