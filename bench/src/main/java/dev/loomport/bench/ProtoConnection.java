package dev.loomport.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection of the I/O-path prototype, seen by its handler as blocking streams (the shape of loomport's
 * {@code Connection.input()}/{@code output()}) over a non-blocking channel that a {@link ProtoLoop} watches.
 * The loop puts what it read into {@code data} and the reader takes it; one lock guards both, and the thread
 * that finds nothing parks after naming itself, so a wake-up that comes first is never lost.
 */
final class ProtoConnection implements AutoCloseable {
    /** Beyond this much unread, the loop stops reading the socket until the handler catches up. */
    private static final int MAX_BUFFERED = 64 * 1024;
    private static final int SMALL = 512;

    private final SocketChannel channel;
    private final ProtoLoop loop;
    private final ProtoEchoServer.Kind kind;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile SelectionKey key;
    private byte[] data; // guarded by lock: bytes [pos, lim) are unread
    private int pos;
    private int lim;
    private boolean eof;
    private boolean paused;
    private IOException failure;
    private volatile Thread reader;
    private volatile Thread writer;
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

    /** Loop side: the socket is readable; reads it into {@code data}; returns the reader to wake, if any. */
    Thread fill(ByteBuffer scratch) {
        int n;
        IOException failed = null;
        try {
            n = channel.read(scratch.clear());
        } catch (IOException e) {
            n = -1;
            failed = e;
        }
        lock.lock();
        try {
            if (n > 0) {
                append(scratch.flip(), n);
                if (lim - pos >= MAX_BUFFERED) {
                    paused = true;
                    key.interestOpsAnd(~SelectionKey.OP_READ);
                }
            } else if (n < 0) {
                eof = true;
                failure = failed;
                key.interestOpsAnd(~SelectionKey.OP_READ); // level-triggered: it would stay readable forever
            }
            return takeReader();
        } finally {
            lock.unlock();
        }
    }

    private void append(ByteBuffer from, int n) {
        if (data == null || pos == lim) {
            pos = 0;
            lim = 0;
        }
        if (data == null || data.length - lim < n) {
            byte[] grown = new byte[Math.max(SMALL, Math.max(n + lim - pos, data == null ? 0 : data.length * 2))];
            if (data != null) {
                System.arraycopy(data, pos, grown, 0, lim - pos);
            }
            lim -= pos;
            pos = 0;
            data = grown;
        }
        from.get(data, lim, n);
        lim += n;
    }

    Thread takeReader() {
        Thread t = reader;
        reader = null;
        return t;
    }

    Thread takeWriter() {
        Thread t = writer;
        writer = null;
        return t;
    }

    private SelectionKey key() throws IOException {
        for (SelectionKey k; ; Thread.yield()) { // the loop registers a new channel at its next turn
            if ((k = key) != null) {
                return k;
            }
            if (!channel.isOpen()) {
                throw new IOException("closed before its loop registered it");
            }
        }
    }

    private static void park(Object blocker) throws InterruptedIOException {
        LockSupport.park(blocker);
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting on the socket");
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        loop.wakeup(); // the loop deregisters (and the JDK then closes the descriptor) at its next turn
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
            lock.lock();
            try {
                while (true) {
                    if (lim > pos) {
                        int n = Math.min(len, lim - pos);
                        System.arraycopy(data, pos, b, off, n);
                        pos += n;
                        if (pos == lim && data.length > SMALL) {
                            data = null; // a large message's buffer is not kept while the connection waits
                        }
                        if (paused && lim - pos < MAX_BUFFERED) {
                            paused = false;
                            key.interestOpsOr(SelectionKey.OP_READ);
                            loop.wakeup();
                        }
                        return n;
                    }
                    if (failure != null) {
                        throw failure;
                    }
                    if (eof) {
                        return -1;
                    }
                    reader = Thread.currentThread();
                    lock.unlock();
                    try {
                        park(this);
                    } finally {
                        lock.lock();
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        private int readItself(byte[] b, int off, int len) throws IOException {
            ByteBuffer to = ByteBuffer.wrap(b, off, len);
            while (true) {
                int n = channel.read(to);
                if (n != 0) {
                    return n;
                }
                reader = Thread.currentThread();
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
                    writer = Thread.currentThread();
                    key().interestOpsOr(SelectionKey.OP_WRITE);
                    loop.wakeup();
                    park(this);
                }
            }
        }
    }
}
