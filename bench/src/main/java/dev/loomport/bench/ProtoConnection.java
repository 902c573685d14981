package dev.loomport.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One connection of the I/O-path prototype, seen by its handler as blocking streams (the shape of loomport's
 * {@code Connection.input()}/{@code output()}) over a non-blocking channel that a {@link ProtoLoop} watches.
 * The loop queues what it read and the reader takes it, neither ever waiting for the other: the reader names
 * itself, then looks at the queue once more before it parks, and the loop queues, then takes the name; one
 * of the two always sees the other, so a wake-up is never lost (at worst one is spare, and read looks again).
 */
final class ProtoConnection implements AutoCloseable {
    /** Beyond this much unread, the loop stops reading the socket until the handler catches up. */
    private static final int MAX_BUFFERED = 64 * 1024;

    private final SocketChannel channel;
    private final ProtoLoop loop;
    private final ProtoEchoServer.Kind kind;
    private volatile SelectionKey key;
    /** What the loop read, in order; the reader takes it chunk by chunk ({@code current} from {@code pos}). */
    private final Queue<byte[]> arrived = new ConcurrentLinkedQueue<>();
    private final AtomicInteger buffered = new AtomicInteger();
    private byte[] current; // the reader's own
    private int pos;
    private volatile boolean eof;
    private volatile boolean paused;
    private volatile IOException failure;
    /** The virtual thread parked in read (or about to park), for the loop to wake. */
    private final AtomicReference<Thread> reader = new AtomicReference<>();
    private final AtomicReference<Thread> writer = new AtomicReference<>();
    private final InputStream input = new Input();
    private final OutputStream output = new Output();

    ProtoConnection(SocketChannel channel, ProtoLoop loop, ProtoEchoServer.Kind kind) {
        this.channel = channel;
        this.loop = loop;
        this.kind = kind;
    }

    SocketChannel channel() {
        return channel;
    }

    void registered(SelectionKey k) {
        key = k;
    }

    InputStream input() {
        return input;
    }

    OutputStream output() {
        return output;
    }

    /**
     * Loop side: the socket is readable; reads it and queues what came; returns the reader to wake, if any.
     * Never blocks: a loop that waited for a lock held by a virtual thread whose carrier the OS had
     * descheduled would stall every connection it serves (the first version took a lock here, and at 1,000
     * connections the loop spent its time waiting for it).
     */
    Thread fill(ByteBuffer scratch) {
        try {
            int n = channel.read(scratch.clear());
            if (n > 0) {
                byte[] chunk = new byte[n];
                scratch.flip().get(chunk);
                arrived.add(chunk);
                if (buffered.addAndGet(n) >= MAX_BUFFERED) {
                    paused = true;
                    key.interestOpsAnd(~SelectionKey.OP_READ);
                }
            } else if (n < 0) {
                ended();
            }
        } catch (IOException e) {
            failure = e;
            ended();
        }
        return takeReader();
    }

    private void ended() {
        eof = true; // after the last chunk: a reader that sees eof sees every chunk before it
        key.interestOpsAnd(~SelectionKey.OP_READ); // level-triggered: it would stay readable forever
    }

    Thread takeReader() {
        return reader.getAndSet(null);
    }

    Thread takeWriter() {
        return writer.getAndSet(null);
    }

    private SelectionKey key() throws IOException {
        for (SelectionKey k; ; Thread.yield()) { // the loop registers a new channel at its next turn
            if ((k = key) != null) {
                return k;
            }
            if (!channel.isOpen()) {
                throw new IOException("closed before its loop registered it");
            }
            if (kind.handlersPoll()) {
                loop.pollNow(); // registrations are made by whoever polls, and this handler keeps the loop's thread out
            }
        }
    }

    private static void park(Object blocker) throws InterruptedIOException {
        LockSupport.park(blocker);
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting on the socket");
        }
    }

    /**
     * Parks the caller, named in {@code waiter}, unless {@code stillWaiting} says no; for {@code POLL} it counts
     * itself out first and back in afterwards unless whoever unparked it took its name (and counted it).
     */
    private void await(AtomicReference<Thread> waiter, BooleanSupplier stillWaiting)
            throws InterruptedIOException {
        Thread me = Thread.currentThread();
        waiter.set(me);
        loop.handlerStopped();
        try {
            if (stillWaiting.getAsBoolean()) {
                park(this);
            }
        } finally {
            if (waiter.compareAndSet(me, null)) {
                loop.handlerRunning();
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        loop.wakeup(); // the loop deregisters (and the JDK then closes the descriptor) at its next turn
        loop.handlerStopped(); // POLL: this handler polls no more
    }

    private final class Input extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return kind == ProtoEchoServer.Kind.VTREAD ? readItself(b, off, len) : readBuffered(b, off, len);
        }

        private int readBuffered(byte[] b, int off, int len) throws IOException {
            int rounds = 0;
            while (true) {
                if (current == null || pos == current.length) {
                    current = arrived.poll();
                    pos = 0;
                }
                if (current != null) {
                    int n = Math.min(len, current.length - pos);
                    System.arraycopy(current, pos, b, off, n);
                    pos += n;
                    buffered.addAndGet(-n);
                    return n;
                }
                if (eof) {
                    if (!arrived.isEmpty()) {
                        continue;
                    }
                    if (failure != null) {
                        throw failure;
                    }
                    return -1;
                }
                if (paused) { // everything read: let the loop read the socket again
                    paused = false;
                    key.interestOpsOr(SelectionKey.OP_READ);
                    loop.wakeup();
                }
                if (rounds < loop.pollRounds() && loop.mayPoll()) { // POLL, LAST: look for readiness before parking
                    if (rounds++ > 0) {
                        Thread.yield(); // lets the threads the last poll woke on this carrier run (and reply) first
                    }
                    if (loop.pollNow()) {
                        continue;
                    }
                }
                await(reader, () -> arrived.isEmpty() && !eof);
            }
        }

        private int readItself(byte[] b, int off, int len) throws IOException {
            ByteBuffer to = ByteBuffer.wrap(b, off, len);
            while (true) {
                int n = channel.read(to);
                if (n != 0) {
                    return n;
                }
                reader.set(Thread.currentThread());
                key().interestOpsOr(SelectionKey.OP_READ); // the re-arm: NIO applies it at the loop's next select
                loop.wakeup();
                park(this);
            }
        }
    }

    private final class Output extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer from = ByteBuffer.wrap(b, off, len);
            while (from.hasRemaining()) {
                if (channel.write(from) == 0) {
                    SelectionKey k = key();
                    await(writer, () -> {
                        k.interestOpsOr(SelectionKey.OP_WRITE);
                        loop.wakeup();
                        return true;
                    });
                }
            }
        }
    }
}
