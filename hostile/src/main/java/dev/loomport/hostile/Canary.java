package dev.loomport.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The well-behaved client that must be served throughout an attack: one connection from its own source
 * address (127.0.0.250, so no per-source limit counts it with the attackers), {@link #ROUND} bytes sent
 * about every 100 ms and read back exact within {@link #ROUND_TIMEOUT}. A round is large enough that one
 * round pays for a whole window of the slowest minimum receive rate an attack sets (64 B/s over 5 s), so
 * the canary stays a fast client even when this JVM, busy with 2,000 drips, runs it late. Any failure, slow answer or wrong byte is a
 * failed round; the verdict is "every round answered". The attack starts once a first round has been
 * answered.
 */
final class Canary implements AutoCloseable {
    static final String SOURCE = "127.0.0.250";
    static final Duration ROUND_TIMEOUT = Duration.ofSeconds(5);
    static final int ROUND = 512;
    private static final long PERIOD_NANOS = Duration.ofMillis(100).toNanos();

    /** What the canary saw: rounds answered, rounds failed, the first failure, the slowest round. */
    record Result(int rounds, int failures, String firstFailure, Duration slowest) {
        Row.Check check() {
            return Row.Check.of("canary served throughout", failures == 0 && rounds > 0,
                    rounds + " rounds, " + failures + " failed, slowest " + Net.secs(slowest)
                            + (firstFailure == null ? "" : ", first failure: " + firstFailure));
        }
    }

    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch firstRound = new CountDownLatch(1);
    private final Thread thread;
    private volatile Result result = new Result(0, 0, null, Duration.ZERO);

    private Canary(InetSocketAddress to, byte[] preamble, Tls tls) {
        thread = Thread.ofVirtual().name("canary").start(() -> run(to, preamble, tls));
    }

    /** Starts echoing to {@code to}: first {@code preamble} (a PROXY header, or nothing), over TLS if given. */
    static Canary start(InetSocketAddress to, byte[] preamble, Tls tls) {
        return new Canary(to, preamble, tls);
    }

    private void run(InetSocketAddress to, byte[] preamble, Tls tls) {
        int rounds = 0;
        int failures = 0;
        String first = null;
        long slowest = 0;
        byte[] sent = new byte[ROUND];
        byte[] got = new byte[ROUND];
        Socket socket = null;
        long next = System.nanoTime();
        while (!stop.get()) {
            long began = System.nanoTime();
            try {
                if (socket == null) {
                    socket = Net.connect(SOURCE, to);
                    socket.setSoTimeout((int) ROUND_TIMEOUT.toMillis());
                    socket.setTcpNoDelay(true);
                    socket.getOutputStream().write(preamble);
                    if (tls != null) {
                        socket = tls.handshake(socket);
                        socket.setSoTimeout((int) ROUND_TIMEOUT.toMillis());
                    }
                }
                Net.fill(rounds, 0, sent, sent.length);
                OutputStream out = socket.getOutputStream();
                out.write(sent);
                out.flush();
                InputStream in = socket.getInputStream();
                for (int n = 0; n < got.length; ) {
                    int r = in.read(got, n, got.length - n);
                    if (r < 0) {
                        throw new IOException("end of stream after " + n + " bytes");
                    }
                    n += r;
                }
                if (Net.mismatch(rounds, 0, got, got.length) >= 0) {
                    throw new IOException("wrong bytes echoed");
                }
                rounds++;
                slowest = Math.max(slowest, System.nanoTime() - began);
                firstRound.countDown();
            } catch (IOException e) {
                if (stop.get()) {
                    break;
                }
                if (rounds == 0) { // warming up: a cold JVM's first TLS handshake can take seconds here
                    Net.closeQuietly(socket);
                    socket = null;
                    LockSupport.parkNanos(PERIOD_NANOS);
                    continue;
                }
                failures++;
                first = first != null ? first : e.toString();
                Net.closeQuietly(socket);
                socket = null;
            }
            result = new Result(rounds, failures, first, Duration.ofNanos(slowest));
            next += PERIOD_NANOS;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait); // pacing, not synchronisation
            } else {
                next = System.nanoTime();
            }
        }
        Net.closeQuietly(socket);
    }

    /**
     * Waits until the first round has been answered (failures before it are the server warming up, not
     * the attack); false if none was within {@code timeout}.
     */
    boolean awaitFirstRound(Duration timeout) throws InterruptedException {
        return firstRound.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops the canary and returns what it saw. */
    Result stop() throws InterruptedException {
        stop.set(true);
        thread.interrupt();
        thread.join(ROUND_TIMEOUT.multipliedBy(2));
        return result;
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
