package dev.loomport.hostile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Where the attacks run: which JDK and demo build, full or short scale, the TLS key store; and, per
 * attack, a {@link Session}: a fresh demo with the attack's listeners, a canary on its first listener,
 * and a sampler of the demo's resident memory.
 */
final class Lab {
    /** A server whose resident memory passes this under attack has failed the "RSS bounded" verdict. */
    static final long RSS_LIMIT = 512L * 1024 * 1024;

    final Path javaHome;
    final Path modules;
    final boolean full;
    final Tls tls;

    Lab(Path javaHome, Path modules, boolean full, Tls tls) {
        this.javaHome = javaHome;
        this.modules = modules;
        this.full = full;
        this.tls = tls;
    }

    /** {@code full} at full scale, {@code small} in the short suite. */
    int scale(int full, int small) {
        return this.full ? full : small;
    }

    long scale(long full, long small) {
        return this.full ? full : small;
    }

    Duration scale(Duration full, Duration small) {
        return this.full ? full : small;
    }

    /** A demo serving {@code specs}, with a canary on the first (sending {@code preamble}, over TLS if given). */
    Session session(Duration grace, byte[] preamble, Tls canaryTls, String... specs)
            throws IOException, InterruptedException {
        Session session = new Session(Demo.start(javaHome, modules, grace, specs), preamble, canaryTls);
        if (session.canary != null && !session.canary.awaitFirstRound(Duration.ofSeconds(60))) {
            session.close();
            throw new IOException("the canary was not answered within 60 s: " + session.demo.log());
        }
        return session;
    }

    Session session(String... specs) throws IOException, InterruptedException {
        return session(Duration.ofSeconds(10), new byte[0], null, specs);
    }

    /** One attack's demo, canary and memory sampler; closing it kills the demo. */
    static final class Session implements AutoCloseable {
        final Demo demo;
        private final Canary canary;
        private final AtomicLong peakRss = new AtomicLong();
        private final Thread sampler;
        private volatile boolean sampling = true;
        private Canary.Result canaryResult;

        private Session(Demo demo, byte[] preamble, Tls canaryTls) {
            this.demo = demo;
            this.canary = preamble == null ? null : Canary.start(demo.listener(0), preamble, canaryTls);
            sampler = Thread.ofVirtual().name("rss sampler").start(() -> {
                while (sampling) {
                    peakRss.accumulateAndGet(demo.rss(), Math::max);
                    LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                }
            });
        }

        Scrape scrape() throws IOException, InterruptedException {
            return demo.scrape();
        }

        /**
         * Polls the metrics every 100 ms until {@code condition} holds; how long that took, or null if it
         * did not hold within {@code timeout}.
         */
        Duration await(Predicate<Scrape> condition, Duration timeout) throws InterruptedException {
            long began = System.nanoTime();
            while (true) {
                try {
                    if (condition.test(demo.scrape())) {
                        return Duration.ofNanos(System.nanoTime() - began);
                    }
                } catch (IOException e) {
                    // a scrape that failed under attack: try again until the timeout
                }
                if (System.nanoTime() - began > timeout.toNanos()) {
                    return null;
                }
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
        }

        /** Waits until only the canary (and {@code others}) remain open; how long that took, or null. */
        Duration awaitActive(long others, Duration timeout) throws InterruptedException {
            long expected = others + (canary == null ? 0 : 1);
            return await(s -> s.active() <= expected, timeout);
        }

        long peakRss() {
            return peakRss.get();
        }

        /** Stops the canary and the sampler; the verdicts every attack shares: canary served, RSS bounded. */
        List<Row.Check> commonChecks() throws InterruptedException {
            List<Row.Check> checks = new ArrayList<>();
            if (canary != null && canaryResult == null) {
                canaryResult = canary.stop();
            }
            if (canaryResult != null) {
                checks.add(canaryResult.check());
            }
            peakRss.accumulateAndGet(demo.rss(), Math::max);
            sampling = false;
            checks.add(Row.Check.of("RSS bounded", peakRss() <= RSS_LIMIT,
                    "peak " + Net.mib(peakRss()) + ", limit " + Net.mib(RSS_LIMIT) + " with " + Demo.HEAP));
            return checks;
        }

        @Override
        public void close() {
            sampling = false;
            try {
                if (canary != null) {
                    canary.stop();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                demo.close();
            }
        }
    }
}
