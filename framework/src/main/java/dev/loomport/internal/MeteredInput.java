package dev.loomport.internal;

import dev.loomport.ConnectionInfo.Activity;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The socket's input stream, counting the bytes that cross it, noting the time of the last read for the
 * idle timeout and how long each read waits for the minimum receive rate, and remembering whether the client's side ended (EOF) or failed, so the connection can
 * tell afterwards how it ended.
 */
final class MeteredInput extends InputStream {
    private static final VarHandle BYTES = Fields.of(MethodHandles.lookup(), "bytes", long.class);

    private final InputStream in;
    private final Counter received;
    private final ConnectionClock clock;
    private volatile boolean eof;
    private volatile IOException failure;
    // This connection's total (the Counter is the listener's). An atomic add, not a plain one: a subtask
    // may read too; uncontended it costs a few nanoseconds beside a read's system call.
    private volatile long bytes;

    MeteredInput(InputStream in, Counter received, ConnectionClock clock) {
        this.in = in;
        this.received = received;
        this.clock = clock;
    }

    @Override
    public int read() throws IOException {
        clock.doing(Activity.READING);
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
            clock.doing(Activity.RUNNING);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        clock.doing(Activity.READING);
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
            clock.doing(Activity.RUNNING);
        }
    }

    private void counted(int n) {
        if (n > 0) {
            received.increment(n);
            BYTES.getAndAdd(this, (long) n);
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

    /** Bytes read through this stream so far. */
    long bytes() {
        return bytes;
    }

    boolean sawEof() {
        return eof;
    }

    boolean failedWith(Throwable t) {
        return failure != null && failure == t;
    }
}
