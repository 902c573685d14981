package dev.loomport.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * One readiness loop of the I/O-path prototype: a platform thread owned by the server, blocked in
 * {@link Selector#select()}, with its connections' read interest kept registered (level-triggered, so no
 * re-arm per message). On readiness it reads into the connection's buffer and wakes the one virtual thread
 * that waits ({@code LOOP}); or queues the threads to wake and hands the whole batch to one waker virtual
 * thread, so a select costs one loop-to-carrier hand-off however many it wakes ({@code BATCH}); or only
 * signals readiness and lets the virtual thread read ({@code VTREAD}). Writes are the virtual thread's; the
 * loop only watches writability for a write the socket would not take. A connection closed under the loop
 * (before it was registered, or between readiness and handling) is skipped: the loop never dies of one.
 */
final class ProtoLoop implements Runnable {
    private final ProtoEchoServer.Kind kind;
    private final Selector selector;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
    private final Queue<ProtoConnection> registrations = new ConcurrentLinkedQueue<>();
    private final Queue<Thread> toWake = new ConcurrentLinkedQueue<>();
    private final List<Thread> woken = new ArrayList<>();
    private Thread waker;

    private ProtoLoop(ProtoEchoServer.Kind kind) throws IOException {
        this.kind = kind;
        this.selector = Selector.open();
    }

    /** A loop on a daemon platform thread of its own (the prototype's server ends with its JVM). */
    static ProtoLoop start(ProtoEchoServer.Kind kind, int index) throws IOException {
        ProtoLoop loop = new ProtoLoop(kind);
        if (kind == ProtoEchoServer.Kind.BATCH) {
            loop.waker = Thread.ofVirtual().name("proto-waker-" + index).start(loop::wakeBatches);
        }
        Thread t = new Thread(loop, "proto-loop-" + index);
        t.setDaemon(true);
        t.start();
        return loop;
    }

    /** Hands an accepted channel to this loop; the loop registers it at its next turn. */
    ProtoConnection register(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        ProtoConnection c = new ProtoConnection(channel, this, kind);
        registrations.add(c);
        selector.wakeup();
        return c;
    }

    /** Makes the loop look at interest changes now rather than at its next readiness. */
    void wakeup() {
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (true) {
                selector.select();
                for (ProtoConnection c; (c = registrations.poll()) != null; ) {
                    try {
                        c.registered(c.channel().register(selector, SelectionKey.OP_READ, c));
                    } catch (ClosedChannelException e) {
                        // its handler closed it first (the client went away): nothing to watch
                    }
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        ready((ProtoConnection) key.attachment(), key);
                    } catch (CancelledKeyException e) {
                        // its handler closed the channel meanwhile; the loop goes on with the others
                    }
                }
                selector.selectedKeys().clear();
                if (!woken.isEmpty()) {
                    wake();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("prototype loop failed", e);
        }
    }

    private void ready(ProtoConnection c, SelectionKey key) {
        int ops = key.readyOps();
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            key.interestOpsAnd(~SelectionKey.OP_WRITE);
            add(c.takeWriter());
        }
        if ((ops & SelectionKey.OP_READ) != 0) {
            if (kind == ProtoEchoServer.Kind.VTREAD) {
                key.interestOpsAnd(~SelectionKey.OP_READ); // re-armed by the reader when a read finds nothing
                add(c.takeReader());
            } else {
                add(c.fill(scratch));
            }
        }
    }

    private void add(Thread t) {
        if (t != null) {
            woken.add(t);
        }
    }

    private void wake() {
        if (kind == ProtoEchoServer.Kind.BATCH && woken.size() > 1) {
            toWake.addAll(woken);
            LockSupport.unpark(waker);
        } else {
            woken.forEach(LockSupport::unpark);
        }
        woken.clear();
    }

    /** The waker: unparks a batch from a carrier thread, where an unpark queues locally instead of waking one. */
    private void wakeBatches() {
        while (true) {
            for (Thread t; (t = toWake.poll()) != null; ) {
                LockSupport.unpark(t);
            }
            LockSupport.park(this);
        }
    }
}
