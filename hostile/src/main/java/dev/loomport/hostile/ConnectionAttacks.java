package dev.loomport.hostile;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Attacks on connection slots: a connect storm, limits exceeded (max-connections with reject, and
 * max-per-source), and rejected clients that send before they read (defect 5).
 */
final class ConnectionAttacks {
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final String BUSY = "busy";
    private static final int SENT = 8 * 1024 * 1024;
    private static final byte[] ZEROS = new byte[64 * 1024];

    private ConnectionAttacks() {
    }

    static List<Attack> all() {
        return List.of(new Attack("connect-storm", ConnectionAttacks::connectStorm),
                new Attack("limits", ConnectionAttacks::limits),
                new Attack("reject-sends-first", ConnectionAttacks::rejectSendsFirst));
    }

    static Row connectStorm(Lab lab) throws Exception {
        int n = lab.scale(5000, 500);
        try (Lab.Session s = lab.session("echo@127.0.0.1:0")) {
            long began = System.nanoTime();
            Crowd.Result r = Crowd.run(n, 200, SETTLE, i -> {
                Socket c = Net.connect(Net.source(i % 20), s.demo.listener(0));
                if (i % 2 == 0) {
                    c.close();
                } else {
                    Net.reset(c);
                }
            });
            Duration close = s.await(m -> m.closedTotal() >= n && m.active() <= 1, SETTLE);
            Duration total = Duration.ofNanos(System.nanoTime() - began);
            Scrape m = s.scrape();
            List<Row.Check> checks = new ArrayList<>(s.commonChecks());
            checks.add(Row.Check.of("every connect accepted", r.ok() == n && m.accepted() == n + 1,
                    r.summary() + "; accepted " + m.accepted() + " (with the canary)"));
            checks.add(Row.Check.of("every close counted, none an error", close != null && m.closed("error") == 0,
                    m.closedTotal() + " closed: client-closed " + m.closed("client-closed") + ", client-reset "
                            + m.closed("client-reset") + ", error " + m.closed("error")));
            return new Row("connect storm", "defaults, 200 at a time, half end in RST", n, 0, s.peakRss(),
                    close == null ? null : total, checks);
        }
    }

    /** Reads what a rejected client is told: the reject message, then how the connection ended. */
    static String told(Socket c) throws IOException {
        c.setSoTimeout(10_000);
        byte[] got = new byte[64];
        int n = 0;
        try {
            for (int r; n < got.length && (r = c.getInputStream().read(got, n, got.length - n)) > 0; ) {
                n += r;
            }
            return new String(got, 0, n, US_ASCII) + "|EOF";
        } catch (IOException e) {
            return new String(got, 0, n, US_ASCII) + "|" + (e.getMessage() != null && e.getMessage().contains("reset")
                    ? "RST" : e.toString());
        }
    }

    static Row limits(Lab lab) throws Exception {
        int max = lab.scale(100, 20);
        int extra = lab.scale(100, 20);
        int perSource = 5;
        String first = "max-connections=" + max + ",overflow=reject,reject-message=" + BUSY;
        String second = "max-per-source=" + perSource + ",reject-message=" + BUSY;
        try (Lab.Session s = lab.session(Duration.ofSeconds(10), new byte[0], null,
                "echo@127.0.0.1:0," + first, "echo@127.0.0.1:0," + second)) {
            List<Socket> holders = new CopyOnWriteArrayList<>();
            try {
                for (int i = 0; i < max - 1; i++) { // the canary holds the last slot
                    holders.add(Net.connect(s.demo.listener(0)));
                }
                s.await(m -> m.active() == max, SETTLE);
                List<String> answers = new CopyOnWriteArrayList<>();
                Crowd.Result over = Crowd.all(extra, SETTLE, i -> {
                    try (Socket c = Net.connect(s.demo.listener(0))) {
                        answers.add(told(c));
                    }
                });
                for (int i = 0; i < perSource; i++) {
                    holders.add(Net.connect(Net.source(7), s.demo.listener(1)));
                }
                s.await(m -> m.active() == max + perSource, SETTLE);
                Crowd.Result sameSource = Crowd.all(perSource, SETTLE, i -> {
                    try (Socket c = Net.connect(Net.source(7), s.demo.listener(1))) {
                        answers.add(told(c));
                    }
                });
                AtomicInteger served = new AtomicInteger();
                for (Socket h : holders) {
                    h.setSoTimeout(10_000);
                    h.getOutputStream().write('!');
                    served.addAndGet(h.getInputStream().read() == '!' ? 1 : 0);
                }
                Scrape m = s.scrape();
                long told = answers.stream().filter((BUSY + "|EOF")::equals).count();
                List<Row.Check> checks = new ArrayList<>(s.commonChecks());
                checks.add(Row.Check.of("every client over a limit told '" + BUSY + "', then EOF",
                        told == extra + perSource, told + " of " + (extra + perSource) + " (" + over.summary() + "; "
                                + sameSource.summary() + ")" + (told < answers.size() ? "; e.g. " + answers.stream()
                                .filter(a -> !a.equals(BUSY + "|EOF")).findFirst().orElse("") : "")));
                checks.add(Row.Check.of("counted as max-connections and per-source",
                        m.rejected("max-connections") == extra && m.rejected("per-source") == perSource,
                        m.rejected("max-connections") + " of " + extra + ", " + m.rejected("per-source") + " of " + perSource));
                checks.add(Row.Check.of("the connections holding the slots still served", served.get() == holders.size(),
                        served.get() + " of " + holders.size()));
                return new Row("limits exceeded", first + "; " + second, max + extra + 2 * perSource, 0,
                        s.peakRss(), null, checks);
            } finally {
                holders.forEach(Net::closeQuietly);
            }
        }
    }

    static Row rejectSendsFirst(Lab lab) throws Exception {
        int n = lab.scale(200, 50);
        String setting = "max-connections=1,overflow=reject,reject-message=" + BUSY;
        try (Lab.Session s = lab.session("echo@127.0.0.1:0," + setting)) { // the canary holds the one slot
            s.await(m -> m.active() == 1, SETTLE);
            List<String> answers = new CopyOnWriteArrayList<>();
            Crowd.Result r = Crowd.run(n, 50, SETTLE, i -> {
                try (Socket c = Net.connect(s.demo.listener(0))) {
                    String write = "";
                    try {
                        int size = i % 2 == 0 ? 1024 : SENT; // small: read by the server; large: not
                        for (int sent = 0; sent < size; sent += ZEROS.length) {
                            c.getOutputStream().write(ZEROS, 0, Math.min(ZEROS.length, size - sent));
                        }
                    } catch (IOException e) {
                        write = " (write: " + e.getMessage() + ")"; // as a client would, it reads what it was told
                    }
                    answers.add(told(c) + write);
                }
            });
            Scrape m = s.scrape();
            long told = answers.stream().filter(a -> a.startsWith(BUSY + "|EOF")).count();
            long resets = answers.stream().filter(a -> a.contains("|RST")).count();
            long writeFailed = answers.stream().filter(a -> a.contains("(write: ")).count();
            List<Row.Check> checks = new ArrayList<>(s.commonChecks());
            checks.add(Row.Check.of("counted as max-connections", m.rejected("max-connections") == n,
                    m.rejected("max-connections") + " of " + n + " (" + r.summary() + ")"));
            checks.add(Row.Check.known(KnownDefect.REJECT_RESET, "every rejected client told '" + BUSY + "', then EOF",
                    told == n, told + " of " + n + " told; " + resets + " reset; " + writeFailed + " saw their write fail first"
                            + answers.stream().filter(a -> !a.startsWith(BUSY + "|EOF")).findFirst().map(a -> ", e.g. " + a)
                            .orElse("")));
            return new Row("rejected client sends first", setting + ", 1 KiB or " + Net.mib(SENT) + " sent at once", n, 0,
                    s.peakRss(), null, checks);
        }
    }
}
