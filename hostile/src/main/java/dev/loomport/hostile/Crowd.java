package dev.loomport.hostile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many attacking clients at once, one virtual thread each, owned by the attack that starts them: at
 * most {@code parallel} run at a time, and whatever still runs at the deadline is interrupted (which
 * closes its socket), so no attack outlives its time bound.
 */
final class Crowd {
    /** One client's work; {@code i} is its number, 0..n-1. Returns normally for success. */
    interface Client {
        void run(int i) throws Exception;
    }

    /** How the crowd fared: clients that succeeded, failed (with a first failure), or ran out of time. */
    record Result(int ok, int failed, int timedOut, String firstFailure) {
        String summary() {
            return ok + " ok, " + failed + " failed, " + timedOut + " timed out"
                    + (firstFailure == null ? "" : " (first: " + firstFailure + ")");
        }
    }

    private Crowd() {
    }

    /** Runs {@code n} clients, {@code parallel} at a time, all ended within {@code within}. */
    static Result run(int n, int parallel, Duration within, Client client) throws InterruptedException {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<String> first = new ArrayList<>(1);
        Semaphore slots = new Semaphore(parallel);
        long deadline = System.nanoTime() + within.toNanos();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
                int number = i;
                threads.execute(() -> {
                    try {
                        client.run(number);
                        ok.incrementAndGet();
                    } catch (Exception | AssertionError e) {
                        if (failed.getAndIncrement() == 0) {
                            first.add(e.toString());
                        }
                    } finally {
                        slots.release();
                    }
                });
            }
            threads.shutdown();
            if (!threads.awaitTermination(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                threads.shutdownNow();
                threads.awaitTermination(30, TimeUnit.SECONDS);
            }
        }
        int done = ok.get() + failed.get();
        return new Result(ok.get(), failed.get(), n - done, first.isEmpty() ? null : first.get(0));
    }

    /** Runs every client at once. */
    static Result all(int n, Duration within, Client client) throws InterruptedException {
        return run(n, n, within, client);
    }
}
