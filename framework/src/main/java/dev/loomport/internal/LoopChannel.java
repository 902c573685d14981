package dev.loomport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * One connection on the framework-owned I/O path: blocking streams over a non-blocking channel that an
 * {@link IoLoop} watches once the connection has had to wait. Until then nothing is registered: a read
 * tries the channel itself, and only one that finds nothing registers the channel with its loop (read
 * interest, kept from then on) and parks; a connection served without waiting (its bytes already there)
 * never costs its loop anything, as the JDK's path registers nothing until a read would block. Once
 * registered, the loop reads on readiness, straight into the array of a reader parked with nothing
 * queued ({@link ReadOffer}), else into a queued chunk; a reader takes from the queue and parks only when
 * it is empty. Neither waits for the other: the waiting thread names itself, then looks once more before
 * it parks; the loop (or a close) changes the state, then takes the name. One of the two always sees the
 * other, so a wake-up is never lost (at worst one is spare, and the thread looks again).
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
    // The thread waiting to read or write, if any: fields, not AtomicReferences, one header less each per connection.
    private static final VarHandle READER = Fields.of(MethodHandles.lookup(), "reader", Thread.class);
    private static final VarHandle WRITER = Fields.of(MethodHandles.lookup(), "writer", Thread.class);

    private final SocketChannel channel;
    private final LoopKey key;
    /** The loop reads this socket: set once, by the reader that first waits; until then only readers read it. */
    private volatile boolean readArmed;
    private final ReadOffer offer = new ReadOffer();
    private final ReadAhead ahead = new ReadAhead();
    private final ReentrantLock reading = new ReentrantLock(); // one reader at a time, as the JDK's streams
    private final ReentrantLock writing = new ReentrantLock();
    private volatile boolean eof;
    private volatile boolean paused;
    private volatile boolean closed;      // set once (CLOSED)
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    private volatile boolean resetOnClose; // SO_LINGER 0 was asked for: the close is to be a RST
    private volatile IOException failure; // the loop's read failed (a reset): every read says so
    private volatile int timeoutMillis;   // SO_TIMEOUT: 0 waits for ever
    private volatile Thread reader; // READER
    private volatile Thread writer; // WRITER
    private final InputStream input = new LoopStreams.Input(this);
    private final OutputStream output = new LoopStreams.Output(this);

    LoopChannel(SocketChannel channel, IoLoop loop) {
        this.channel = channel;
        this.key = new LoopKey(loop);
    }

    /** For a test that plays the loop: {@code k} is this channel's, with read interest. */
    void registered(SelectionKey k) {
        key.set(k);
        readArmed = true;
    }

    /** Whether the connection has registered with its loop (it has had to wait); a test's view. */
    boolean registered() {
        return key.registered();
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
        // A reader parked with nothing queued gets the bytes in its own array. Only with the queue empty:
        // older bytes queued meanwhile (the reader offered before it saw them) must be read first.
        int offered = ahead.isEmpty() ? offer.take() : 0;
        if (offered == 0 && ahead.room() <= 0) { // a reader resumed reading as the loop reached the bound:
            key.off(SelectionKey.OP_READ);            // pause again without reading, or the bound is passed
            paused = true;
            return (Thread) READER.getAndSet(this, null); // it waits for what is queued: wake it
        }
        boolean handed = false;
        try {
            // Never past the bound: at most what is left of it (held < MAX_BUFFERED, or reading is paused).
            // What goes into an offered array is not read ahead: the reader has it the moment it wakes.
            int room = Math.min(scratch.capacity(), offered > 0 ? offered : ahead.room());
            int n = channel.read(scratch.clear().limit(Math.max(room, 1)));
            if (n > 0 && offered > 0) {
                offer.fill(scratch.flip(), n);
                handed = true;
            } else if (n > 0) {
                if (ahead.add(scratch.flip(), n)) { // interest off before the flag: a reader that sees
                    key.off(SelectionKey.OP_READ);        // the flag turns it back on, and for good
                    paused = true;
                }
            } else if (n < 0) {
                ended();
            }
        } catch (IOException e) {
            failure = e;
            ended();
        } finally {
            if (offered > 0 && !handed) {
                offer.decline(); // a reader woken by the end sees eof; else the offer stands
            }
        }
        return (Thread) READER.getAndSet(this, null);
    }

    private void ended() {
        eof = true; // after the last chunk: a reader that sees eof sees every chunk before it
        key.off(SelectionKey.OP_READ); // level-triggered: it would stay readable for ever
    }

    Thread takeWriter() {
        return (Thread) WRITER.getAndSet(this, null);
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Closes the channel and wakes whoever waits in it. One never registered closes at once, descriptor
     * and all, at no cost to the loop; its output is shut down first (unless the peer has ended, or a RST
     * is asked for) so that input left unread makes it a FIN, not a RST, as the JDK's socket does. One
     * registered the JDK shuts down for writing at once, its descriptor goes at the loop's next select.
     */
    void close() throws IOException {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        try {
            if (!key.registered() && !eof && !resetOnClose) {
                try {
                    channel.shutdownOutput();
                } catch (IOException e) { // not connected any more: the close below is all there is to do
                }
            }
            channel.close();
        } finally {
            wakeWaiting();
            key.closed();
        }
    }

    /** Whether the close is to be a RST (SO_LINGER 0), which the close must then not turn into a FIN. */
    void resetOnClose(boolean reset) {
        resetOnClose = reset;
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
        LockSupport.unpark((Thread) READER.getAndSet(this, null));
        LockSupport.unpark((Thread) WRITER.getAndSet(this, null));
    }

    void setTimeout(int millis) {
        timeoutMillis = millis;
    }

    int timeout() {
        return timeoutMillis;
    }

    /**
     * What the loop has read and the reader not taken. A connection that has not waited yet is not read by
     * its loop, so this starts the loop reading it (unless its reader is busy and will): a thread that asks
     * what has arrived would otherwise hear "nothing" until the handler first waits.
     */
    int available() throws IOException {
        ensureOpen();
        if (!readArmed && reading.tryLock()) {
            try {
                if (!readArmed && !eof && !inputShut) {
                    key.on(SelectionKey.OP_READ, this);
                    readArmed = true;
                }
            } finally {
                reading.unlock();
            }
        }
        return inputShut ? 0 : ahead.available();
    }

    private void ensureOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
    }

    /**
     * Parks until the loop, a close or a half-close takes this thread from {@code slot} (READER or WRITER)
     * and wakes it, or the deadline (nanoTime; 0: none) passes. Returns at once if {@code ready} holds.
     */
    private void await(VarHandle slot, BooleanSupplier ready, long deadline)
            throws IOException {
        Thread me = Thread.currentThread();
        interrupted(me);
        slot.setVolatile(this, me);
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
            slot.compareAndSet(this, me, null);
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
        return offer.filled() || !ahead.isEmpty() || eof || paused || closed || inputShut;
    }

    private boolean unblocked() {
        return closed || outputShut;
    }

    int read(byte[] b, int off, int len) throws IOException {
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
                int n = ahead.take(b, off, len);
                if (n > 0) {
                    return n;
                }
                if (eof && ahead.isEmpty()) {
                    IOException failed = failure;
                    if (failed != null) { // raised on the loop's thread: thrown anew on the reader's
                        throw new SocketException(failed.getMessage(), failed);
                    }
                    return -1;
                }
                if (!readArmed) { // the loop does not read this socket yet: this thread does, until it would wait
                    n = readDirect(b, off, len);
                    if (n > 0) {
                        return n;
                    }
                    if (eof) {
                        continue; // the end, or a reset: said as when the loop saw it
                    }
                    interrupted(Thread.currentThread()); // registering for a wait that cannot happen is waste
                    key.on(SelectionKey.OP_READ, this); // level-triggered: what arrived since the read above is seen
                    readArmed = true;
                }
                if (paused) { // everything read: let the loop read the socket again
                    paused = false;
                    key.on(SelectionKey.OP_READ, this);
                }
                offer.offer(b, off, len);
                IOException failed = null;
                int got;
                try {
                    await(READER, this::readable, deadline);
                } catch (IOException e) { // a timeout, or an interrupt (which closed the socket)
                    failed = e;
                } finally {
                    got = offer.withdraw(); // whatever happened: the loop must not write into b after this
                }
                if (got > 0) { // already taken off the socket: the caller's, whatever else happened meanwhile
                    return got;
                }
                if (failed != null) {
                    throw failed;
                }
            }
        } finally {
            reading.unlock();
        }
    }

    /**
     * Reads what is there into the caller's array, never waiting, as the JDK's path does before it parks
     * (at most {@link #MAX_BUFFERED}: the JDK bounds the direct buffer its read borrows likewise). 0 if
     * nothing; the end or a failure sets {@code eof} ({@code failure}), reported as when the loop sees it.
     */
    private int readDirect(byte[] b, int off, int len) throws IOException {
        try {
            int n = channel.read(ByteBuffer.wrap(b, off, Math.min(len, MAX_BUFFERED)));
            eof = n < 0;
            return Math.max(n, 0);
        } catch (ClosedChannelException e) { // closed by another thread meanwhile
            throw new SocketException("Socket closed", e);
        } catch (IOException e) {
            failure = e;
            eof = true;
            return 0;
        }
    }

    void write(byte[] b, int off, int len) throws IOException {
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
                    writer = Thread.currentThread(); // before the interest: the loop may answer at once
                    key.on(SelectionKey.OP_WRITE, this);
                    await(WRITER, this::unblocked, 0);
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
}
