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
        // Each transfer is read over this long from its connect. The server's part ends earlier, by what the
        // buffers hold (each client bounds its own, or the kernel grows it to hold whole transfers), and must
        // outlast accepting them all: 4-5 s for 500 on a loaded 2-core machine. The grace outlasts a transfer.
        int seconds = lab.scale(12, 8);
        long rate = each / seconds;
        Duration grace = Duration.ofSeconds(seconds + 4);
        try (Lab.Session s = lab.session(grace, null, null, "echo@127.0.0.1:0")) { // no canary: it would hold the grace
            AtomicLong bytes = new AtomicLong();
            long[] exitedAfter = {-1};
            int[] exitCode = {-1};
            long[] openAtTerm = {-1};
            long[] atTerm = {-1, -1}; // accepted and open, as the server counted them just before SIGTERM
            CountDownLatch echoing = new CountDownLatch(n); // a client counts down when its first bytes come back
            AtomicInteger finished = new AtomicInteger();
            long began = System.nanoTime();
            long[] echoingAfter = {-1};
            Thread terminator = Thread.ofVirtual().name("terminator").start(() -> {
                try {
                    // Every client echoing means the server accepted each one and each transfer is under way;
                    // the scrape confirms the count from the server's side (it may lag the echo by a moment).
                    if (echoing.await(60, TimeUnit.SECONDS)
                            && s.await(m -> counted(m, atTerm) >= n, Duration.ofSeconds(30)) != null) {
                        openAtTerm[0] = n - finished.get();
                        long t = System.nanoTime();
                        echoingAfter[0] = t - began;
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
                c.setReceiveBufferSize(64 * 1024); // fixed: the server's echo keeps pace with the reading
                Streams.Echoed e;
                try {
                    e = Streams.exchange(c, i, each, rate, echoing::countDown);
                } finally {
                    finished.incrementAndGet();
                }
                bytes.addAndGet(e.bytes());
                if (!e.exact()) {
                    throw new IOException(e.ended());
                }
            });
            terminator.join(grace.plusSeconds(60));
            Duration exit = exitedAfter[0] < 0 ? null : Duration.ofNanos(exitedAfter[0]);
            List<Row.Check> checks = new ArrayList<>(s.commonChecks());
            checks.add(Row.Check.of("SIGTERM only once the server had accepted every client and each had an echo",
                    openAtTerm[0] >= 0, openAtTerm[0] < 0
                            ? "no SIGTERM: " + (n - echoing.getCount()) + " of " + n + " clients echoing, accepted "
                                    + (atTerm[0] < 0 ? "not scraped" : atTerm[0])
                            : atTerm[0] + " accepted, " + n + " of " + n + " echoing, SIGTERM "
                                    + Net.secs(Duration.ofNanos(echoingAfter[0])) + " after the first connect"));
            checks.add(Row.Check.of("SIGTERM came mid-transfer", openAtTerm[0] == n && atTerm[1] == n,
                    Math.max(0, openAtTerm[0]) + " of " + n + " transfers under way at SIGTERM, "
                            + Math.max(0, atTerm[1]) + " open on the server"));
            checks.add(Row.Check.of("every transfer finished, bytes exact", r.ok() == n, r.summary()));
            // slack for closing hundreds of sockets and exiting on a loaded machine
            checks.add(Row.Check.of("exited 0 within the grace (+5 s)", exitCode[0] == 0 && exit != null
                    && exit.compareTo(grace.plusSeconds(5)) <= 0, "exit code " + exitCode[0] + " after " + Net.secs(exit)));
            return new Row("SIGTERM mid-transfer", "--grace " + grace.toSeconds() + "s, each " + Net.mib(each)
                    + " read at " + Net.mib(rate) + "/s", n, bytes.get(), s.peakRss(), exit, checks);
        }
    }

    /** The scrape's accepted count, kept with its open count in {@code seen} for the report. */
    private static long counted(Scrape m, long[] seen) {
        seen[0] = m.accepted();
        seen[1] = m.active();
        return seen[0];
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
