package dev.loomport.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One generator thread: a selector and its share of the connections. Every loop stops at the deadline
 * the {@link Timeline} gives, whatever the server does; every byte that comes back is checked.
 */
final class Driver implements Runnable {
    static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final int MAX_PENDING_CONNECTS = 256;

    private final LoadSpec spec;
    private final int index;
    private final int count; // connections (or churn lanes) of this thread
    private final Timeline timeline;
    private final InetSocketAddress server;
    private final ByteBuffer pattern;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
    private final List<Conn> conns = new ArrayList<>();
    final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    long ops;
    long errors;
    int connected;
    String firstError;
    private Selector selector;

    Driver(LoadSpec spec, int index, Timeline timeline, ByteBuffer pattern) {
        this.spec = spec;
        this.index = index;
        this.count = spec.connections() / spec.threads() + (index < spec.connections() % spec.threads() ? 1 : 0);
        this.timeline = timeline;
        this.server = new InetSocketAddress(spec.host(), spec.port());
        this.pattern = pattern;
    }

    @Override
    public void run() {
        try (Selector s = Selector.open()) {
            selector = s;
            if (!spec.workload().equals("churn")) {
                connectAll();
            }
            timeline.connected(connected);
            if (!timeline.awaitStart()) {
                return;
            }
            switch (spec.workload()) {
                case "pingpong" -> pingPong();
                case "churn" -> churn();
                default -> rate();
            }
        } catch (IOException | RuntimeException e) {
            error(e);
        } finally {
            for (Conn c : conns) {
                closeQuietly(c);
            }
        }
    }

    // ---- setup ----

    private void connectAll() throws IOException {
        long deadline = System.nanoTime() + CONNECT_TIMEOUT_NS;
        int opened = 0;
        List<Conn> pending = new ArrayList<>();
        while ((opened < count || !pending.isEmpty()) && System.nanoTime() < deadline) {
            while (opened < count && pending.size() < MAX_PENDING_CONNECTS) {
                Conn c = new Conn(conns.size() + pending.size());
                // Several source addresses: one (source, destination) pair has only ~28k ephemeral ports.
                int global = opened * spec.threads() + index;
                int state = open(c, "127.0.0." + (1 + global % spec.sources()));
                if (state > 0) {
                    conns.add(c);
                } else if (state == 0) {
                    pending.add(c);
                }
                opened++;
            }
            selector.select(100);
            for (SelectionKey key : selector.selectedKeys()) {
                Conn c = (Conn) key.attachment();
                if (finish(c)) {
                    key.interestOps(0);
                    pending.remove(c);
                    conns.add(c);
                } else if (!c.channel.isOpen()) {
                    pending.remove(c);
                }
            }
            selector.selectedKeys().clear();
        }
        for (Conn c : pending) {
            closeQuietly(c);
        }
        errors += pending.size() + (count - opened);
        connected = conns.size();
        for (int i = 0; i < conns.size(); i++) {
            conns.get(i).index = i; // the schedule needs indexes 0..n-1 in order
        }
        if (connected < count) {
            note("connected " + connected + " of " + count + " within " + CONNECT_TIMEOUT_NS / 1_000_000_000 + " s");
        }
    }

    /** Starts a connect: 1 connected already, 0 under way, -1 failed (counted). */
    private int open(Conn c, String source) {
        try {
            SocketChannel ch = SocketChannel.open();
            c.channel = ch;
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (source != null) {
                ch.bind(new InetSocketAddress(source, 0));
            }
            c.out = pattern.duplicate();
            c.started = System.nanoTime();
            boolean done = ch.connect(server);
            c.key = ch.register(selector, done ? 0 : SelectionKey.OP_CONNECT, c);
            return done ? 1 : 0;
        } catch (IOException e) {
            error(e);
            closeQuietly(c);
            return -1;
        }
    }

    private boolean finish(Conn c) {
        try {
            return c.channel.finishConnect();
        } catch (IOException e) {
            error(e);
            closeQuietly(c);
            return false;
        }
    }

    // ---- ping-pong: closed loop ----

    private void pingPong() throws IOException {
        for (Conn c : conns) {
            send(c, System.nanoTime());
        }
        closedLoop((c, t, more) -> {
            if (more) {
                send(c, t);
            }
        });
    }

    /** What a closed loop does with a connection whose echo is complete: {@code more} while time is left. */
    private interface Next {
        void accept(Conn c, long now, boolean more) throws IOException;
    }

    /** Until the end of the timeline: every completed echo is timed (inside the window), then handed on. */
    private void closedLoop(Next next) throws IOException {
        long end = timeline.end();
        long now;
        while ((now = System.nanoTime()) < end) {
            selector.select(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(end - now))));
            handleReady(c -> {
                long t = System.nanoTime();
                if (timeline.inWindow(t)) {
                    latency.recordValue(Math.min(t - c.started, latency.getHighestTrackableValue()));
                    ops++;
                }
                next.accept(c, t, t < end);
            });
        }
    }

    // ---- churn: connect, one echo, close ----

    private void churn() throws IOException {
        for (int i = 0; i < count; i++) {
            Conn c = new Conn(i);
            conns.add(c);
            startLane(c);
        }
        closedLoop((c, t, more) -> {
            closeQuietly(c); // the client closes first, as a short-lived client does
            if (more) {
                startLane(c);
            }
        });
    }

    private void startLane(Conn c) {
        c.received = 0;
        c.inFlight = false;
        // No bind: the kernel picks a port per destination and, on loopback, reuses TIME_WAIT ones.
        if (open(c, null) > 0) {
            send(c, c.started);
        }
    }

    // ---- rate: open loop on a fixed schedule ----

    private void rate() throws IOException {
        int n = conns.size();
        if (n == 0) {
            return;
        }
        // This thread's messages are every threads-th of the global schedule: message k of this thread
        // goes to connection k % n and is due at start + (k * threads + index) / rate.
        double gapNs = 1e9 * spec.threads() / spec.rate();
        long first = timeline.start() + (long) (1e9 * index / spec.rate());
        long end = timeline.end();
        // select() sleeps in whole milliseconds and parking would leave replies unread, so a ticker
        // thread sleeps (to ~50 µs) until each message is due and wakes the selector.
        Thread ticker = new Thread(() -> tick(first, gapNs, end), "load-" + index + " ticker");
        ticker.setDaemon(true);
        ticker.start();
        try {
            long k = 0;
            long now;
            while ((now = System.nanoTime()) < end) {
                long nextDue;
                while ((nextDue = first + (long) (k * gapNs)) <= now && nextDue < end) {
                    Conn c = conns.get((int) (k % n));
                    c.due++;
                    if (!c.inFlight && c.channel.isOpen()) {
                        sendScheduled(c, now);
                    }
                    k++;
                }
                long wait = Math.min(nextDue, end) - now;
                if (wait > 0) {
                    selector.select(Math.max(1, Math.min(100, (wait + 999_999) / 1_000_000)));
                } else {
                    selector.selectNow();
                }
                handleReady(c -> {
                    long t = System.nanoTime();
                    long intended = intended(first, gapNs, n, c, c.sent - 1);
                    if (timeline.inWindow(t) && intended >= timeline.measureStart()) {
                        latency.recordValue(Math.min(t - intended, latency.getHighestTrackableValue()));
                        ops++;
                        c.served = true;
                    }
                    if (c.sent < c.due && t < end) {
                        sendScheduled(c, t);
                    }
                });
            }
        } finally {
            ticker.interrupt();
            try {
                ticker.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Messages due in the window but never answered count as answered at the end: a server that
        // stalls is charged for the whole stall, not just for the messages it happened to answer.
        for (Conn c : conns) {
            for (long m = c.inFlight ? c.sent - 1 : c.sent; m < c.due; m++) {
                long intended = intended(first, gapNs, n, c, m);
                if (intended >= timeline.measureStart()) {
                    latency.recordValue(Math.min(end - intended, latency.getHighestTrackableValue()));
                }
            }
        }
    }

    /** Wakes the selector when each of this thread's messages is due; ends at {@code end}. */
    private void tick(long first, double gapNs, long end) {
        for (long k = 0; !Thread.currentThread().isInterrupted(); k++) {
            long due = first + (long) (k * gapNs);
            if (due >= end) {
                return;
            }
            long left;
            while ((left = due - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(left);
            }
            selector.wakeup();
        }
    }

    private long intended(long first, double gapNs, int n, Conn c, long message) {
        return first + (long) ((message * n + c.index) * gapNs);
    }

    private void sendScheduled(Conn c, long now) {
        c.sent++;
        send(c, now);
    }

    int served() {
        int s = 0;
        for (Conn c : conns) {
            s += c.served ? 1 : 0;
        }
        return s;
    }

    // ---- bytes ----

    private interface Completion {
        void complete(Conn c) throws IOException;
    }

    private void handleReady(Completion done) throws IOException {
        for (SelectionKey key : selector.selectedKeys()) {
            Conn c = (Conn) key.attachment();
            if (!key.isValid()) {
                continue;
            }
            try {
                if (key.isConnectable()) {
                    if (!c.channel.finishConnect()) {
                        continue;
                    }
                    send(c, c.started);
                    continue;
                }
                if (key.isWritable()) {
                    c.channel.write(c.out);
                    if (!c.out.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
                if (key.isReadable() && read(c)) {
                    done.complete(c);
                }
            } catch (IOException e) {
                error(e);
                closeQuietly(c);
                if (spec.workload().equals("churn") && System.nanoTime() < timeline.end()) {
                    startLane(c);
                }
            }
        }
        selector.selectedKeys().clear();
    }

    private void send(Conn c, long started) {
        c.started = started;
        c.received = 0;
        c.inFlight = true;
        c.out.clear();
        try {
            c.channel.write(c.out);
            c.key.interestOps(c.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        } catch (IOException e) {
            error(e);
            closeQuietly(c);
        }
    }

    /** Reads what is there; true once the whole message is back. Checks every byte against what was sent. */
    private boolean read(Conn c) throws IOException {
        scratch.clear().limit(Math.min(scratch.capacity(), spec.size() - c.received));
        int n = c.channel.read(scratch);
        if (n < 0) {
            throw new IOException("server closed the connection mid-message (" + c.received + " of "
                    + spec.size() + " bytes back)");
        }
        scratch.flip();
        if (scratch.mismatch(pattern.slice(c.received, n)) != -1) {
            throw new IOException("echo differs from what was sent at byte " + c.received);
        }
        c.received += n;
        if (c.received < spec.size()) {
            return false;
        }
        c.inFlight = false;
        return true;
    }

    private void error(Exception e) {
        errors++;
        note(e.toString());
    }

    private void note(String what) {
        if (firstError == null) {
            firstError = what;
        }
    }

    private static void closeQuietly(Conn c) {
        if (c.channel != null) {
            try {
                c.channel.close();
            } catch (IOException ignored) {
                // closing a benchmark's client socket: nothing to do about a failure
            }
        }
    }
}
