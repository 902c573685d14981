package dev.loomport.internal;

import dev.loomport.ConnectionInfo.Activity;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The socket's output stream, counting the bytes that cross it. A large write is passed down in slices,
 * each slice a sign of progress, so that the write timeout catches a client that stopped reading and
 * never a slow one that still reads.
 *
 * <p>A blocked socket write on a virtual thread parks until the kernel says the socket is writable, which
 * Linux does only once a third of the send buffer is free; the JDK then writes what fits and parks again,
 * and none of that is visible until the whole slice is in. So progress is seen at best once per such
 * wake-up: the slice is kept below what one wake-up frees with the default 128 KiB send buffer (Linux
 * books 256 KiB, and wakes the writer after about 85 KiB have drained), and the default buffer bounds the
 * wake-up itself (an auto-tuned 4 MiB one woke the writer only after more than 1 MiB had drained).
 */
final class MeteredOutput extends OutputStream {
    static final int SLICE = 32 * 1024;
    private static final VarHandle BYTES = Fields.of(MethodHandles.lookup(), "bytes", long.class);

    private final OutputStream out;
    private final Counter sent;
    private final ConnectionClock clock;
    private volatile IOException failure;
    private volatile long bytes; // this connection's total; an atomic add: subtasks write too (see MeteredInput)

    MeteredOutput(OutputStream out, Counter sent, ConnectionClock clock) {
        this.out = out;
        this.sent = sent;
        this.clock = clock;
    }

    @Override
    public void write(int b) throws IOException {
        clock.doing(Activity.WRITING);
        clock.writeStarted();
        try {
            out.write(b);
        } catch (IOException e) {
            failure = e;
            throw e;
        } finally {
            clock.writeEnded();
            clock.doing(Activity.RUNNING);
        }
        sent.increment();
        BYTES.getAndAdd(this, 1L);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        clock.doing(Activity.WRITING);
        clock.writeStarted();
        try {
            while (len > 0) {
                int n = Math.min(len, SLICE);
                out.write(b, off, n);
                sent.increment(n);
                BYTES.getAndAdd(this, (long) n);
                clock.writeProgressed();
                off += n;
                len -= n;
            }
        } catch (IOException e) {
            failure = e;
            throw e;
        } finally {
            clock.writeEnded();
            clock.doing(Activity.RUNNING);
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

    /** Bytes written through this stream so far. */
    long bytes() {
        return bytes;
    }

    boolean failedWith(Throwable t) {
        return failure != null && failure == t;
    }
}
