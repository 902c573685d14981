package dev.loomport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * One connection on the framework-owned I/O path: blocking streams over a non-blocking channel that an
 * {@link IoLoop} watches. The loop reads on readiness and queues what came; a reader takes it, and parks
 * only when nothing is queued. Neither waits for the other: the waiting thread names itself, then looks
 * once more before it parks; the loop (or a close) changes the state, then takes the name. One of the two
 * always sees the other, so a wake-up is never lost (at worst one is spare, and the thread looks again).
 *
 * <p>Writes go straight to the channel from the writing thread; one the socket does not take whole asks
 * the loop for writability and parks. A close, a half-close or an interrupt wakes a parked thread at
 * once. An interrupted thread that would wait closes the socket and throws {@code SocketException:
 * Closed by interrupt}, as {@code java.net.Socket}'s streams do for a virtual thread.
 */
final class LoopChannel {
    /** Beyond this much unread, the loop stops reading the socket until the handler catches up. */
    static final int MAX_BUFFERED = 64 * 1024;
    /** What a queued chunk costs beyond its bytes, about: an array header and a queue node. */
    static final int CHUNK_OVERHEAD = 64;
    private static final VarHandle CLOSED = Fields.of(MethodHandles.lookup(), "closed", boolean.class);

    private final SocketChannel channel;
    private final IoLoop loop;
    private volatile SelectionKey key;
    /** What the loop read, in order; the reader takes it chunk by chunk ({@code current} from {@code pos}). */
    private final Queue<byte[]> arrived = new ConcurrentLinkedQueue<>();
    private final AtomicInteger buffered = new AtomicInteger(); // unread bytes: available()
    /** Unread bytes plus {@link #CHUNK_OVERHEAD} per queued chunk: what the pause is decided on. */
    private final AtomicInteger held = new AtomicInteger();
    private final ReentrantLock reading = new ReentrantLock(); // one reader at a time, as the JDK's streams
    private final ReentrantLock writing = new ReentrantLock();
    private byte[] current; // guarded by reading
    private int pos;        // guarded by reading
    private volatile boolean eof;
    private volatile boolean paused;
    private volatile boolean closed;      // set once (CLOSED)
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    private volatile IOException failure; // the loop's read failed (a reset): every read says so
    private volatile int timeoutMillis;   // SO_TIMEOUT: 0 waits for ever
    private final AtomicReference<Thread> reader = new AtomicReference<>();
    private final AtomicReference<Thread> writer = new AtomicReference<>();
    private final InputStream input = new Input();
    private final OutputStream output = new Output();

    LoopChannel(SocketChannel channel, IoLoop loop) {
        this.channel = channel;
        this.loop = loop;
    }

    void registered(SelectionKey k) {
        key = k;
    }

    SocketChannel channel() {
        return channel;
    }

    InputStream input() {
        return input;
    }

    OutputStream output() {
        return output;
    }

    // ---- the loop's side: never blocks (a loop that waited for a connection would stall all of them) ----

    /** The socket is readable: reads what is there and queues it; returns the reader to wake, if any. */
    Thread fill(ByteBuffer scratch) {
        try {
            // Never past the bound: at most what is left of it (held < MAX_BUFFERED, or reading is paused).
            int room = Math.min(scratch.capacity(), MAX_BUFFERED - held.get());
            int n = channel.read(scratch.clear().limit(Math.max(room, 1)));
            if (n > 0) {
                byte[] chunk = new byte[n];
                scratch.flip().get(chunk);
                arrived.add(chunk);
                buffered.addAndGet(n);
                // Each chunk is charged its overhead too, so that a client sending a byte at a time cannot
                // make the queue hold many times the bound in array headers and nodes.
                if (held.addAndGet(n + CHUNK_OVERHEAD) >= MAX_BUFFERED) {
                    // Interest off before the flag: a reader that sees the flag turns it back on, and
                    // must not have it turned off after that.
                    key.interestOpsAnd(~SelectionKey.OP_READ);
                    paused = true;
                }
            } else if (n < 0) {
                ended();
            }
        } catch (IOException e) {
            failure = e;
            ended();
        }
        return reader.getAndSet(null);
    }

    private void ended() {
        eof = true; // after the last chunk: a reader that sees eof sees every chunk before it
        key.interestOpsAnd(~SelectionKey.OP_READ); // level-triggered: it would stay readable for ever
    }

    Thread takeWriter() {
        return writer.getAndSet(null);
    }

    // ---- the socket's side ----

    boolean isClosed() {
        return closed;
    }

    /** Closes the channel and wakes whoever waits in it; the loop then deregisters it, closing the descriptor. */
    void close() throws IOException {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        try {
            channel.close();
        } finally {
            wakeWaiting();
            loop.wakeup();
        }
    }

    void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // closing is all that was left to do
        }
    }

    /** A reader after this sees EOF at once, one waiting included. */
    void shutdownInput() throws IOException {
        channel.shutdownInput();
        inputShut = true;
        wakeWaiting();
    }

    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
        outputShut = true;
        wakeWaiting();
    }

    private void wakeWaiting() {
        LockSupport.unpark(reader.getAndSet(null));
        LockSupport.unpark(writer.getAndSet(null));
    }

    void setTimeout(int millis) {
        timeoutMillis = millis;
    }

    int timeout() {
        return timeoutMillis;
    }

    int available() throws IOException {
        ensureOpen();
        return inputShut ? 0 : Math.max(0, buffered.get());
    }

    private void ensureOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
    }

    /**
     * Parks until the loop, a close or a half-close names this thread in {@code slot} and wakes it,
     * or the deadline (nanoTime; 0: none) passes. Returns at once if {@code ready} already holds.
     */
    private void await(AtomicReference<Thread> slot, BooleanSupplier ready, long deadline)
            throws IOException {
        Thread me = Thread.currentThread();
        interrupted(me);
        slot.set(me);
        try {
            if (!ready.getAsBoolean()) {
                if (deadline == 0) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
        } finally {
            slot.compareAndSet(me, null);
        }
        interrupted(me);
    }

    /** As the JDK's socket streams on a virtual thread: an interrupt closes the socket. */
    private void interrupted(Thread me) throws IOException {
        if (me.isInterrupted()) {
            closeQuietly();
            throw new SocketException("Closed by interrupt");
        }
    }

    private boolean readable() {
        return !arrived.isEmpty() || eof || paused || closed || inputShut;
    }

    private boolean unblocked() {
        return closed || outputShut;
    }

    private int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        reading.lock();
        try {
            int millis = timeoutMillis;
            long deadline = 0; // none
            if (millis > 0) {
                deadline = System.nanoTime() + millis * 1_000_000L;
                deadline = deadline == 0 ? 1 : deadline; // 0 means none; a nanoTime may be anything
            }
            while (true) {
                ensureOpen();
                if (inputShut) {
                    return -1;
                }
                if (len == 0) {
                    return 0;
                }
                int n = take(b, off, len);
                if (n > 0) {
                    return n;
                }
                if (eof && arrived.isEmpty()) {
                    IOException failed = failure;
                    if (failed != null) { // raised on the loop's thread: thrown anew on the reader's
                        throw new SocketException(failed.getMessage(), failed);
                    }
                    return -1;
                }
                if (paused) { // everything read: let the loop read the socket again
                    paused = false;
                    interest(SelectionKey.OP_READ);
                }
                await(reader, this::readable, deadline);
            }
        } finally {
            reading.unlock();
        }
    }

    private int take(byte[] b, int off, int len) {
        if (current == null || pos == current.length) {
            current = arrived.poll();
            pos = 0;
            if (current == null) {
                return 0;
            }
            held.addAndGet(-CHUNK_OVERHEAD);
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        buffered.addAndGet(-n);
        held.addAndGet(-n);
        return n;
    }

    private void interest(int op) throws SocketException {
        try {
            key.interestOpsOr(op); // seen at the loop's next select, which the wakeup makes now
        } catch (CancelledKeyException e) {
            throw new SocketException("Socket closed");
        }
        loop.wakeup();
    }

    private void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        writing.lock();
        try {
            ByteBuffer from = ByteBuffer.wrap(b, off, len);
            while (from.hasRemaining()) {
                ensureOpen();
                if (outputShut) {
                    throw new SocketException("Socket output is shutdown");
                }
                int n;
                try {
                    n = channel.write(from);
                } catch (ClosedChannelException e) {
                    throw new SocketException("Socket closed", e);
                } catch (SocketException e) {
                    throw e;
                } catch (IOException e) { // "Broken pipe": a SocketException, as the JDK's socket throws
                    throw new SocketException(e.getMessage(), e);
                }
                if (n == 0) {
                    writer.set(Thread.currentThread()); // before the interest: the loop may answer at once
                    interest(SelectionKey.OP_WRITE);
                    await(writer, this::unblocked, 0);
                }
            }
        } finally {
            writing.unlock();
        }
    }

    @Override
    public String toString() {
        try {
            return "loop socket " + channel.getRemoteAddress();
        } catch (IOException e) {
            return "loop socket (closed)";
        }
    }

    private final class Input extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return LoopChannel.this.read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return LoopChannel.this.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return LoopChannel.this.available();
        }

        /** Closes the socket, as the JDK's socket streams do. */
        @Override
        public void close() throws IOException {
            LoopChannel.this.close();
        }
    }

    private final class Output extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            LoopChannel.this.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            LoopChannel.this.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            LoopChannel.this.close();
        }
    }
}
