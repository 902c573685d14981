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
 * signals readiness and lets the virtual thread read ({@code VTREAD}); or leaves the selecting to the handlers
 * while any runs, each polling with {@code selectNow} before it parks, and selects itself only when none runs
 * ({@code POLL}, or only the last running handler polls: {@code LAST}; see {@link ProtoPoll}). Writes are the virtual thread's; the
 * loop only watches writability for a write the socket would not take. A connection closed under the loop
 * (before it was registered, or between readiness and handling) is skipped: the loop never dies of one.
 */
final class ProtoLoop implements Runnable {
    private final ProtoEchoServer.Kind kind;
    private final int pollRounds;
    private final ProtoPoll poll; // POLL and LAST only: who may select now
    private final Selector selector;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
    private final Queue<ProtoConnection> registrations = new ConcurrentLinkedQueue<>();
    private final Queue<Thread> toWake = new ConcurrentLinkedQueue<>();
    private final List<Thread> woken = new ArrayList<>();
    private Thread waker;

    private ProtoLoop(ProtoEchoServer.Kind kind, int pollRounds) throws IOException {
        this.kind = kind;
        this.pollRounds = pollRounds;
        this.poll = kind.handlersPoll() ? new ProtoPoll() : null;
        this.selector = Selector.open();
    }

    /**
     * A loop on a daemon platform thread of its own (the prototype's server ends with its JVM);
     * {@code pollRounds}: for {@code POLL}, how many polls a handler's read makes before it parks.
     */
    static ProtoLoop start(ProtoEchoServer.Kind kind, int index, int pollRounds) throws IOException {
        ProtoLoop loop = new ProtoLoop(kind, pollRounds);
        if (kind == ProtoEchoServer.Kind.BATCH || kind.handlersPoll()) {
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
        handlerRunning(); // its handler starts now, and will poll (POLL) when its first read finds nothing
        selector.wakeup();
        return c;
    }

    /** {@code POLL}: a handler started or was unparked (whoever unparks it counts it). */
    void handlerRunning() {
        if (poll != null) {
            poll.running();
        }
    }

    /** {@code POLL}: a handler is about to park, or ended; the last one out hands selecting to the loop's thread. */
    void handlerStopped() {
        if (poll != null) {
            poll.stopped();
        }
    }

    /** How many times a {@code POLL} handler's read polls before it parks (0 for the other kinds). */
    int pollRounds() {
        return pollRounds;
    }

    /** Whether a handler whose read found nothing should poll: any ({@code POLL}) or only the last running ({@code LAST}). */
    boolean mayPoll() {
        return kind == ProtoEchoServer.Kind.POLL || poll.runningCount() <= 1;
    }

    /**
     * {@code POLL}, handler side: if nobody holds the poll right, takes it, runs {@code selectNow}, reads what is
     * ready and unparks those connections' handlers from this carrier (so they queue on it instead of a carrier
     * being woken from outside); returns whether it polled. Never waits for the right.
     */
    boolean pollNow() throws IOException {
        if (!poll.tryAcquire()) {
            return false;
        }
        try {
            selector.selectNow();
            turn();
        } finally {
            poll.release(true);
        }
        return true;
    }

    /** Makes the loop look at interest changes now rather than at its next readiness. */
    void wakeup() {
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (true) {
                if (poll == null) {
                    selector.select();
                    turn();
                    continue;
                }
                poll.awaitTurn(); // POLL: only when no handler runs (or none polled for a while), and holding the right
                try {
                    selector.select();
                    turn();
                } finally {
                    poll.release(false);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("prototype loop failed", e);
        }
    }

    /** After a select: registers new channels, reads or signals the ready ones, wakes their threads. */
    private void turn() {
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
            handlerRunning(); // counted before it can run and count itself out
            woken.add(t);
        }
    }

    private void wake() {
        // BATCH and POLL have a waker; a POLL handler that polled unparks from its own carrier already
        if (waker != null && woken.size() > 1 && !Thread.currentThread().isVirtual()) {
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
