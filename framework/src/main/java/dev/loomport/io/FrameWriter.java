package dev.loomport.io;

import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes lines, length-prefixed frames and raw bytes to a stream through one buffer of its own: the
 * counterpart of {@link FrameReader}. Nothing reaches the stream until the buffer is full or
 * {@link #flush()} is called: flush after each reply the peer waits for.
 *
 * <p><b>Threading.</b> One thread writes at a time (the connection's writer: the handler, or one
 * subtask); it is not safe for concurrent use and takes no lock. A {@link FrameReader} on the same
 * connection's input may be used by another thread at the same time.
 *
 * {@snippet :
 * FrameWriter out = new FrameWriter(connection.output());
 * out.writeLine("hello");
 * out.flush();
 * }
 */
public final class FrameWriter implements Flushable {
    /** The buffer size of {@link #FrameWriter(OutputStream)}. */
    public static final int DEFAULT_BUFFER_SIZE = 8192;

    /** What {@link #writeLine} ends a line with. */
    public enum LineEnding {
        /** {@code \n}: most line protocols, and what {@link FrameReader} reads either way. */
        LF,
        /** {@code \r\n}: SMTP, POP3, IMAP, Redis, HTTP/1.1 headers. */
        CRLF
    }

    private final OutputStream out;
    private final byte[] buf;
    private final boolean crlf;
    private int count;

    /** A writer with a buffer of {@value #DEFAULT_BUFFER_SIZE} bytes that ends lines with LF. */
    public FrameWriter(OutputStream out) {
        this(out, DEFAULT_BUFFER_SIZE, LineEnding.LF);
    }

    /**
     * @param bufferSize bytes held before the stream is written, at least 1
     * @throws IllegalArgumentException if {@code bufferSize} is less than 1
     */
    public FrameWriter(OutputStream out, int bufferSize, LineEnding lineEnding) {
        this.out = Objects.requireNonNull(out, "out");
        if (bufferSize < 1) {
            throw new IllegalArgumentException("buffer size must be at least 1: " + bufferSize);
        }
        this.buf = new byte[bufferSize];
        this.crlf = Objects.requireNonNull(lineEnding, "lineEnding") == LineEnding.CRLF;
    }

    /** {@link #writeLine(CharSequence, Charset)} in UTF-8. */
    public void writeLine(CharSequence line) throws IOException {
        writeLine(line, StandardCharsets.UTF_8);
    }

    /**
     * Writes {@code line} encoded with {@code charset}, then the line ending. ASCII text in an
     * ASCII-compatible charset goes into the buffer without an intermediate array.
     *
     * @throws IllegalArgumentException if {@code line} holds a CR or an LF, which would end it early on
     *         the peer's side (an injected second line)
     */
    public void writeLine(CharSequence line, Charset charset) throws IOException {
        int n = line.length();
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            if (c == '\n' || c == '\r') {
                throw new IllegalArgumentException("a line must not hold a " + (c == '\n' ? "LF" : "CR")
                        + " (at index " + i + ")");
            }
            ascii &= c < 0x80;
        }
        if (ascii && (charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII)
                || charset.equals(StandardCharsets.ISO_8859_1))) {
            for (int i = 0; i < n; i++) {
                if (count == buf.length) {
                    flushBuffer();
                }
                buf[count++] = (byte) line.charAt(i);
            }
        } else {
            write(line.toString().getBytes(charset));
        }
        if (crlf) {
            writeByte('\r');
        }
        writeByte('\n');
    }

    /**
     * Writes an unsigned big-endian length of {@code prefixBytes} bytes, then {@code len} bytes of
     * {@code b} from {@code off}.
     *
     * @throws IllegalArgumentException if {@code prefixBytes} is not 1, 2 or 4, or {@code len} does not
     *         fit in it (more than 255 or 65,535 bytes)
     */
    public void writeFrame(int prefixBytes, byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        long most = switch (prefixBytes) {
            case 1 -> 0xffL;
            case 2 -> 0xffffL;
            case 4 -> Integer.MAX_VALUE;
            default -> throw new IllegalArgumentException("length prefix must be 1, 2 or 4 bytes: " + prefixBytes);
        };
        if (len > most) {
            throw new IllegalArgumentException("a " + prefixBytes + "-byte length prefix holds at most " + most
                    + " bytes: " + len);
        }
        for (int shift = 8 * (prefixBytes - 1); shift >= 0; shift -= 8) {
            writeByte(len >>> shift);
        }
        write(b, off, len);
    }

    /** {@link #writeFrame(int, byte[], int, int)} of the whole array. */
    public void writeFrame(int prefixBytes, byte[] b) throws IOException {
        writeFrame(prefixBytes, b, 0, b.length);
    }

    /** Writes raw bytes; a write larger than the buffer goes straight to the stream. */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len > buf.length - count) {
            flushBuffer();
            if (len >= buf.length) {
                out.write(b, off, len);
                return;
            }
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    /** {@link #write(byte[], int, int)} of the whole array. */
    public void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    /** Writes what is buffered to the stream and flushes it. */
    @Override
    public void flush() throws IOException {
        flushBuffer();
        out.flush();
    }

    private void writeByte(int b) throws IOException {
        if (count == buf.length) {
            flushBuffer();
        }
        buf[count++] = (byte) b;
    }

    private void flushBuffer() throws IOException {
        if (count > 0) {
            int n = count;
            count = 0; // a failed write leaves nothing to write twice
            out.write(buf, 0, n);
        }
    }
}
