package dev.loomport.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * One readiness loop of the framework-owned I/O path: a platform thread blocked in
 * {@link Selector#select()} with its connections' read interest kept registered (level-triggered, so no
 * message pays a re-arm). A connection registers itself, from its own thread, the first time it has to
 * wait ({@link LoopKey}); one served without waiting never reaches its loop. On readiness the loop reads
 * into the waiting reader's array or the connection's queue ({@link LoopChannel#fill}) and collects the
 * threads to wake; a select that wakes more than one hands them to a waker virtual thread, which
 * unparks them from a carrier: one loop-to-carrier hand-off per select however many it wakes (the
 * prototype's {@code batch}, the fastest on JDK 21). Writes are the connections' own; the loop
 * only watches writability for a write the socket would not take. A connection that fails or closes
 * under the loop is skipped: the loop never dies of one.
 */
final class IoLoop implements Runnable {
    private static final System.Logger LOG = System.getLogger(IoLoop.class.getName());

    private final Selector selector;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(LoopChannel.MAX_BUFFERED);
    private final Queue<Thread> toWake = new ConcurrentLinkedQueue<>();
    private final List<Thread> woken = new ArrayList<>(); // the loop thread's own
    /** How long a batch may wait for the waker before the loop wakes it itself (see {@link #unstarveWaker}). */
    static final long STARVED_WAKER_MILLIS = 2;

    private final String name;
    private long batchQueuedAt; // the loop thread's own: when the batch still queued was first seen, or 0
    private volatile boolean stopping;
    private volatile boolean ended; // the loop thread has left its loop: a registration now would not be served
    private Thread thread;
    private Thread waker;

    private IoLoop(String name) throws IOException {
        this.name = name;
        this.selector = Selector.open();
    }

    /** A loop and its waker, started and counted in {@code threads}. */
    static IoLoop start(int index, ThreadCount threads) throws IOException {
        IoLoop loop = new IoLoop("loomport io-loop-" + index);
        try {
            loop.waker = threads.start(Thread.ofVirtual().name(loop.name + " waker"), loop::wakeBatches);
            // A platform thread: a loop on a virtual thread would wait for a carrier the threads it wakes hold.
            loop.thread = threads.start(Thread.ofPlatform().daemon().name(loop.name), loop);
        } catch (RuntimeException | Error e) {
            loop.stop();
            throw e;
        }
        return loop;
    }

    /**
     * Registers {@code c}'s (non-blocking) channel with no interest, on the connection's thread: the
     * caller turns interest on once it knows its key, and wakes the loop so that its select sees it.
     *
     * @throws java.nio.channels.ClosedChannelException if the connection was closed meanwhile
     * @throws IOException naming the loop if it has ended (the server is stopping, or it failed)
     */
    SelectionKey register(SocketChannel channel, LoopChannel c) throws IOException {
        try {
            SelectionKey key = channel.register(selector, 0, c);
            if (ended) { // seen after the key is in the selector's set: the loop's closeAll saw it, or this does
                throw new IOException(name + " has stopped");
            }
            return key;
        } catch (ClosedSelectorException | CancelledKeyException e) { // the server is stopping
            throw new IOException(name + " has stopped", e);
        }
    }

    /** Makes the loop apply interest changes (and deregister closed channels) now, not at its next readiness. */
    void wakeup() {
        selector.wakeup();
    }

    @Override
    public void run() {
        int failures = 0; // in a row: a select that keeps failing backs off instead of spinning
        try {
            while (!stopping) {
                try {
                    // A batch still queued means the waker has not had a carrier yet; look again soon.
                    selector.select(toWake.isEmpty() ? 0 : STARVED_WAKER_MILLIS);
                    for (SelectionKey key : selector.selectedKeys()) {
                        ready(key);
                    }
                    selector.selectedKeys().clear();
                    unstarveWaker(); // judges the batch queued on an earlier turn, before this turn's
                    if (!woken.isEmpty()) {
                        wake();
                    }
                    if (batchQueuedAt == 0 && !toWake.isEmpty()) {
                        batchQueuedAt = System.nanoTime();
                    }
                    failures = 0;
                } catch (ClosedSelectorException e) {
                    throw e;
                } catch (Throwable e) { // not one connection's (ready() catches those): say so, and go on
                    failures++;
                    LOG.log(Level.WARNING, name + ": select failed (" + failures + " in a row): " + e);
                    Thread.sleep(Math.min(1_000, 10L * failures)); // a platform thread of the engine's
                }
            }
        } catch (ClosedSelectorException | InterruptedException e) {
            // stop() closed it (the server is stopping), or the engine interrupted its thread
        } finally {
            ended = true;
            if (!stopping) { // ended by a surprise: no connection of this loop would hear from it again
                LOG.log(Level.ERROR, name + " ended unexpectedly; closing its connections");
                closeAll();
            }
            closeSelector();
        }
    }

    /**
     * The waker is a virtual thread: if every carrier is held by a handler parked while pinned (inside
     * {@code synchronized} on JDK 21, or a class initializer), it never runs, and the threads of its batch,
     * pinned ones among them, would wait for ever. So a batch the waker has not taken within
     * {@link #STARVED_WAKER_MILLIS} is woken from this platform thread, which needs no carrier.
     */
    private void unstarveWaker() {
        if (toWake.isEmpty()) {
            batchQueuedAt = 0; // the waker took it
        } else if (batchQueuedAt != 0 && System.nanoTime() - batchQueuedAt >= STARVED_WAKER_MILLIS * 1_000_000L) {
            for (Thread t; (t = toWake.poll()) != null; ) {
                LockSupport.unpark(t);
            }
            batchQueuedAt = 0;
        }
    }

    private void closeAll() {
        try {
            for (SelectionKey key : selector.keys()) {
                if (key.attachment() instanceof LoopChannel c) {
                    c.closeQuietly(); // wakes its threads, which see the socket closed
                } // one never registered is its own thread's to serve; it fails if it comes to wait
            }
        } catch (RuntimeException e) { // the selector itself is gone: its channels are closed with it
            LOG.log(Level.DEBUG, () -> name + ": closing connections failed: " + e);
        }
    }

    private void ready(SelectionKey key) {
        LoopChannel c = (LoopChannel) key.attachment();
        try {
            int ops = key.readyOps();
            if ((ops & SelectionKey.OP_WRITE) != 0) {
                key.interestOpsAnd(~SelectionKey.OP_WRITE);
                add(c.takeWriter());
            }
            if ((ops & SelectionKey.OP_READ) != 0) {
                add(c.fill(scratch));
            }
        } catch (CancelledKeyException e) {
            // closed meanwhile: its own close woke its threads
        } catch (Throwable e) { // one connection's surprise, even an OutOfMemoryError for its chunk: end that one
            try {
                c.closeQuietly(); // wakes its threads, which see the socket closed
                LOG.log(Level.WARNING, name + ": failed serving " + c + "; closed it", e);
            } catch (Throwable ignored) {
                // the loop goes on: every other connection depends on it
            }
        }
    }

    private void add(Thread t) {
        if (t != null) {
            woken.add(t);
        }
    }

    private void wake() {
        if (woken.size() > 1) {
            toWake.addAll(woken);
            LockSupport.unpark(waker);
        } else {
            LockSupport.unpark(woken.get(0));
        }
        woken.clear();
    }

    /** The waker: unparks a batch from a carrier thread, where an unpark queues locally instead of waking one. */
    private void wakeBatches() {
        while (!stopping) {
            for (Thread t; (t = toWake.poll()) != null; ) {
                LockSupport.unpark(t);
            }
            LockSupport.park(this);
        }
    }

    /** Stops the loop and its waker and waits for both; the server's connections have all ended. */
    void stop() {
        stopping = true;
        selector.wakeup();
        if (thread != null) {
            Engine.joinUninterruptibly(thread);
        } else {
            closeSelector();
        }
        if (waker != null) {
            LockSupport.unpark(waker);
            Engine.joinUninterruptibly(waker);
        }
    }

    private void closeSelector() {
        try {
            selector.close(); // deregisters what is left, and so closes the descriptors of closed channels
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> name + ": close failed: " + e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
