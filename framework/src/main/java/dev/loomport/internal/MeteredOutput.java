package dev.loomport.internal;

import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The socket's output stream, counting the bytes that cross it. A large write is passed down in slices,
 * each slice a sign of progress, so that the write timeout catches a client that stopped reading and
 * never a slow one that still reads.
 */
final class MeteredOutput extends OutputStream {
    static final int SLICE = 64 * 1024;

    private final OutputStream out;
    private final Counter sent;
    private final SocketConnection connection;
    private volatile IOException failure;

    MeteredOutput(OutputStream out, Counter sent, SocketConnection connection) {
        this.out = out;
        this.sent = sent;
        this.connection = connection;
    }

    @Override
    public void write(int b) throws IOException {
        connection.writeStarted();
        try {
            out.write(b);
        } catch (IOException e) {
            failure = e;
            throw e;
        } finally {
            connection.writeEnded();
        }
        sent.increment();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        connection.writeStarted();
        try {
            while (len > 0) {
                int n = Math.min(len, SLICE);
                out.write(b, off, n);
                sent.increment(n);
                connection.writeProgressed();
                off += n;
                len -= n;
            }
        } catch (IOException e) {
            failure = e;
            throw e;
        } finally {
            connection.writeEnded();
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Closing the stream closes the socket, as the JDK's socket streams do. */
    @Override
    public void close() throws IOException {
        out.close();
    }

    boolean failedWith(Throwable t) {
        return failure != null && failure == t;
    }
}
