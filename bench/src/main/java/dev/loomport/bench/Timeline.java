package dev.loomport.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The generator's clock, shared by its threads: everyone connects, then load starts at once; the first
 * {@code warmup} seconds are not measured; at {@code end} every thread stops.
 */
final class Timeline {
    private final CountDownLatch connected;
    private final CountDownLatch started = new CountDownLatch(1);
    private final AtomicInteger connections = new AtomicInteger();
    private volatile long start;
    private volatile long measureStart;
    private volatile long end;

    Timeline(int threads) {
        connected = new CountDownLatch(threads);
    }

    void connected(int n) {
        connections.addAndGet(n);
        connected.countDown();
    }

    /** Waits for every thread to have connected (bounded); returns how many connections they made. */
    int awaitConnected(long timeoutNanos) throws InterruptedException {
        connected.await(timeoutNanos, TimeUnit.NANOSECONDS);
        return connections.get();
    }

    void start(double warmupSeconds, double measureSeconds) {
        long now = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
        start = now;
        measureStart = now + (long) (warmupSeconds * 1e9);
        end = measureStart + (long) (measureSeconds * 1e9);
        started.countDown();
    }

    /** False when the start never came (the main thread gave up). */
    boolean awaitStart() {
        try {
            return started.await(Driver.CONNECT_TIMEOUT_NS * 2, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    long start() { return start; }
    long measureStart() { return measureStart; }
    long end() { return end; }

    boolean inWindow(long t) {
        return t >= measureStart && t < end;
    }
}
