package dev.loomport.internal;

import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.InputStream;

/**
 * The socket's input stream, counting the bytes that cross it, noting the time of the last read for the
 * idle timeout and how long each read waits for the minimum receive rate, and remembering whether the client's side ended (EOF) or failed, so the connection can
 * tell afterwards how it ended.
 */
final class MeteredInput extends InputStream {
    private final InputStream in;
    private final Counter received;
    private final ConnectionClock clock;
    private volatile boolean eof;
    private volatile IOException failure;

    MeteredInput(InputStream in, Counter received, ConnectionClock clock) {
        this.in = in;
        this.received = received;
        this.clock = clock;
    }

    @Override
    public int read() throws IOException {
        clock.readStarted();
        int b = -1;
        try {
            b = in.read();
            counted(b < 0 ? -1 : 1);
            return b;
        } catch (IOException e) {
            failure = e;
            throw e;
        } finally {
            clock.readEnded(b < 0 ? 0 : 1);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        clock.readStarted();
        int n = 0;
        try {
            n = in.read(b, off, len);
            counted(n);
            return n;
        } catch (IOException e) {
            failure = e;
            throw e;
        } finally {
            clock.readEnded(Math.max(n, 0));
        }
    }

    private void counted(int n) {
        if (n > 0) {
            received.increment(n);
            clock.active();
        } else if (n < 0) {
            eof = true;
        }
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    /** Closing the stream closes the socket, as the JDK's socket streams do. */
    @Override
    public void close() throws IOException {
        in.close();
    }

    boolean sawEof() {
        return eof;
    }

    boolean failedWith(Throwable t) {
        return failure != null && failure == t;
    }
}
