package dev.loomport.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * SIGTERM while clients are mid-transfer (every transfer that fits in the grace must finish exact), and
 * the grace cut-off (defect 4: a connection closed at the deadline should see a reset, not an end).
 */
final class ShutdownAttacks {
    private ShutdownAttacks() {
    }

    static List<Attack> all() {
        return List.of(new Attack("sigterm-mid-transfer", ShutdownAttacks::sigterm),
                new Attack("grace-cut-off", ShutdownAttacks::graceCutOff));
    }

    static Row sigterm(Lab lab) throws Exception {
        int n = lab.scale(500, 50);
        long each = lab.scale(2L << 20, 512L << 10);
        Duration grace = lab.scale(Duration.ofSeconds(10), Duration.ofSeconds(6));
        long rate = each / 6; // each transfer takes about 6 s, inside the grace, outlasting the connects
        try (Lab.Session s = lab.session(grace, null, null, "echo@127.0.0.1:0")) { // no canary: it would hold the grace
            AtomicLong bytes = new AtomicLong();
            long[] exitedAfter = {-1};
            int[] exitCode = {-1};
            long[] openAtTerm = {0};
            CountDownLatch connected = new CountDownLatch(n);
            AtomicInteger finished = new AtomicInteger();
            AtomicInteger unserved = new AtomicInteger(); // connected, but no byte came back: still in the backlog
            AtomicLong unservedEnd = new AtomicLong();
            long[] terminatedAt = {0};
            Thread terminator = Thread.ofVirtual().name("terminator").start(() -> {
                try {
                    // the clients say when they are all connected: scraping may lag under this load
                    if (connected.await(60, TimeUnit.SECONDS)) {
                        openAtTerm[0] = n - finished.get();
                        long t = System.nanoTime();
                        terminatedAt[0] = t;
                        s.demo.terminate();
                        exitCode[0] = s.demo.awaitExit(grace.plusSeconds(30));
                        exitedAfter[0] = System.nanoTime() - t;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Crowd.Result r = Crowd.all(n, grace.plusSeconds(60), i -> {
                Socket c = Net.connect(s.demo.listener(0));
                c.setSoTimeout(30_000);
                connected.countDown();
                Streams.Echoed e = Streams.exchange(c, i, each, rate);
                finished.incrementAndGet();
                bytes.addAndGet(e.bytes());
                if (e.bytes() == 0) {
                    unserved.incrementAndGet();
                    unservedEnd.accumulateAndGet(System.nanoTime(), Math::max);
                } else if (!e.exact()) {
                    throw new IOException(e.ended());
                }
            });
            terminator.join(grace.plusSeconds(60));
            Duration exit = exitedAfter[0] < 0 ? null : Duration.ofNanos(exitedAfter[0]);
            List<Row.Check> checks = new ArrayList<>(s.commonChecks());
            checks.add(Row.Check.of("SIGTERM came mid-transfer", openAtTerm[0] >= n / 2,
                    openAtTerm[0] + " of " + n + " transfers under way at SIGTERM"));
            checks.add(Row.Check.of("every transfer the server had begun finished, bytes exact", r.ok() == n,
                    r.summary() + "; begun: " + (n - unserved.get())));
            Duration waited = unserved.get() == 0 || terminatedAt[0] == 0 ? Duration.ZERO
                    : Duration.ofNanos(unservedEnd.get() - terminatedAt[0]);
            checks.add(Row.Check.of("clients still in the backlog at SIGTERM not held past the grace",
                    waited.compareTo(grace) <= 0, unserved.get() + " connected but never served, the last ended "
                            + Net.secs(waited) + " after SIGTERM"));
            // slack for closing hundreds of sockets and exiting on a loaded machine
            checks.add(Row.Check.of("exited 0 within the grace (+5 s)", exitCode[0] == 0 && exit != null
                    && exit.compareTo(grace.plusSeconds(5)) <= 0, "exit code " + exitCode[0] + " after " + Net.secs(exit)));
            return new Row("SIGTERM mid-transfer", "--grace " + grace.toSeconds() + "s, each " + Net.mib(each)
                    + " read at " + Net.mib(rate) + "/s", n, bytes.get(), s.peakRss(), exit, checks);
        }
    }

    static Row graceCutOff(Lab lab) throws Exception {
        int n = lab.scale(20, 5);
        Duration grace = Duration.ofSeconds(1);
        try (Lab.Session s = lab.session(grace, null, null, "echo@127.0.0.1:0")) {
            ConcurrentHashMap<String, Integer> ends = new ConcurrentHashMap<>();
            AtomicLong bytes = new AtomicLong();
            AtomicLong latest = new AtomicLong();
            long[] terminated = {0};
            Thread terminator = Thread.ofVirtual().start(() -> {
                try {
                    if (s.await(m -> m.accepted() >= n, Duration.ofSeconds(60)) != null) {
                        terminated[0] = System.nanoTime();
                        s.demo.terminate();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Crowd.all(n, Duration.ofSeconds(60), i -> {
                // a client without framing of its own: it streams until the server ends the connection
                try (Socket c = Net.connect(s.demo.listener(0))) {
                    c.setSoTimeout(10_000);
                    OutputStream out = c.getOutputStream();
                    InputStream in = c.getInputStream();
                    byte[] buf = new byte[1024];
                    String end;
                    long began = System.nanoTime();
                    try {
                        while (true) {
                            out.write(buf);
                            if (in.readNBytes(buf, 0, buf.length) < buf.length) {
                                end = "EOF";
                                break;
                            }
                            bytes.addAndGet(buf.length);
                            if (System.nanoTime() - began > Duration.ofSeconds(40).toNanos()) {
                                end = "still open";
                                break;
                            }
                            LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // a steady, modest stream
                        }
                    } catch (IOException e) {
                        end = e.getMessage() != null && e.getMessage().contains("reset") ? "RST"
                                : e.getMessage() != null && e.getMessage().contains("Broken pipe") ? "RST" : e.toString();
                    }
                    latest.accumulateAndGet(System.nanoTime(), Math::max);
                    ends.merge(end, 1, Integer::sum);
                }
            });
            terminator.join(Duration.ofSeconds(60));
            int code = s.demo.awaitExit(Duration.ofSeconds(30));
            Duration close = terminated[0] == 0 ? null : Duration.ofNanos(latest.get() - terminated[0]);
            List<Row.Check> checks = new ArrayList<>(s.commonChecks());
            checks.add(Row.Check.of("cut at the grace deadline, exit 0", code == 0 && close != null
                    && close.compareTo(grace.plusSeconds(3)) <= 0, "closed " + Net.secs(close) + " after SIGTERM, exit " + code));
            checks.add(Row.Check.known(KnownDefect.GRACE_CUT_IS_EOF, "the client sees the cut as an abort (RST)",
                    ends.getOrDefault("RST", 0) == n, "client saw " + ends));
            return new Row("grace cut-off", "--grace 1s, clients streaming", n, bytes.get(), s.peakRss(), close, checks);
        }
    }
}
