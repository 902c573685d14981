package dev.loomport.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** The summary: medians, ranges and ratios against Netty epoll, as markdown tables. */
final class Report {
    private Report() {
    }

    static Stats stats(List<RunResult> results, String server, String workload, ToDoubleFunction<RunResult> f) {
        return Stats.of(results.stream().filter(r -> r.server().equals(server) && r.workload().equals(workload))
                .toList(), f);
    }

    static double cpuPerOp(RunResult r) {
        return r.ops() > 0 ? r.serverCpu() * 1e6 / r.ops() : Double.NaN;
    }

    /** The generator's CPU per operation in the window, µs: what the load itself costs, beside the server's. */
    static double generatorCpuPerOp(RunResult r) {
        return r.ops() > 0 ? r.generatorCpu() * 1e6 / r.ops() : Double.NaN;
    }

    static void write(Path file, List<RunResult> results, List<ServerKind> servers, List<Workload> workloads,
                      Runner.Environment env, Runner.Options o, List<String> profiles) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            DateTimeFormatter t = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
            w.println("# Benchmark results" + (o.quick() ? " (--quick: proves the harness, measures nothing)" : ""));
            w.println();
            w.println("Written by `bin/bench" + (o.quick() ? " --quick" : "") + "`; see [performance.md](performance.md)"
                    + " for the method and what the figures mean. Raw runs: `" + o.prefix() + "-runs.csv`.");
            w.println();
            w.printf(Locale.ROOT, "- ran %s for %d min; %d cores; JDK %s; load average (1/5/15 min) %s before, %s after%n",
                    t.format(env.started()), Duration.between(env.started(), env.finished()).toMinutes(), env.cores(),
                    env.javaVersion(), env.loadBefore(), env.loadAfter());
            w.println("- server JVMs: `" + String.join(" ", o.serverJvm()) + "`, all alike; generator: "
                    + (o.generator().equals("native")
                            ? "native C on epoll (`loadgen.c`, built with gcc `" + String.join(" ", Native.GCC_FLAGS) + "`)"
                            : "Java NIO, JVM `" + String.join(" ", Runner.GENERATOR_JVM) + "`")
                    + ", " + Runner.GENERATOR_THREADS + " threads, source addresses 127.0.0.1-" + Runner.SOURCE_ADDRESSES);
            w.println("- " + o.repeats() + " repeat(s), server order rotated each repeat; figures are medians, "
                    + "[min-max] the range; \"× epoll\" is the median over Netty epoll's median; CPU is measured over"
                    + " the measured window only; \"others' CPU\" is what every other process on the machine used meanwhile"
                    + " (user + system time, /proc), the run's noise");
            w.println("- loomport metrics: " + (env.metricsOption()
                    ? "`--metrics off` (loomport) and `--metrics 127.0.0.1:0` (loomport-metrics)"
                    : "the launcher has no `--metrics` option yet: loomport runs as started by default"));
            w.println();
            w.println("| server | what |");
            w.println("|---|---|");
            servers.forEach(s -> w.println("| " + s.name() + " | " + s.description() + " |"));
            w.println();
            headline(w, results, servers, workloads);
            everyServer(w, results, servers, workloads);
            for (Workload wl : workloads) {
                workload(w, results, servers, wl);
            }
            if (servers.stream().anyMatch(s -> s.name().equals("loomport-metrics"))) {
                metricsCost(w, results, workloads);
            }
            if (!profiles.isEmpty()) {
                profile(w, profiles);
            }
        }
    }

    private static void headline(PrintWriter w, List<RunResult> results, List<ServerKind> servers,
                                 List<Workload> workloads) {
        w.println("## loomport ÷ Netty epoll (medians)");
        w.println();
        w.println("Throughput: higher is better, target ≥ 1.00. Latency, CPU per operation, memory: lower is "
                + "better, target ≤ 1.00.");
        w.println();
        w.println("| workload | throughput | p50 | p99 | p99.9 | server CPU per op | peak RSS | KiB per held connection |");
        w.println("|---|---|---|---|---|---|---|---|");
        String ref = ServerKind.REFERENCE;
        for (Workload wl : workloads) {
            String n = wl.name();
            w.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", n,
                    x(stats(results, "loomport", n, RunResult::opsPerSecond).ratio(stats(results, ref, n, RunResult::opsPerSecond))),
                    x(stats(results, "loomport", n, RunResult::p50).ratio(stats(results, ref, n, RunResult::p50))),
                    x(stats(results, "loomport", n, RunResult::p99).ratio(stats(results, ref, n, RunResult::p99))),
                    x(stats(results, "loomport", n, RunResult::p999).ratio(stats(results, ref, n, RunResult::p999))),
                    x(stats(results, "loomport", n, Report::cpuPerOp).ratio(stats(results, ref, n, Report::cpuPerOp))),
                    x(stats(results, "loomport", n, r -> r.peakRssKb()).ratio(stats(results, ref, n, r -> r.peakRssKb()))),
                    wl.isHold() ? x(stats(results, "loomport", n, RunResult::kbPerConnection)
                            .ratio(stats(results, ref, n, RunResult::kbPerConnection))) : "");
        }
        w.println();
    }

    /**
     * Every server against Netty epoll on the default JDK, throughput and p99 in one cell: the JDK matrix
     * ({@code loomport@21}) and the prototypes side by side, from the same run.
     */
    private static void everyServer(PrintWriter w, List<RunResult> results, List<ServerKind> servers,
                                    List<Workload> workloads) {
        w.println("## Every server ÷ Netty epoll on the default JDK (medians: throughput / p99)");
        w.println();
        StringBuilder head = new StringBuilder("| workload |");
        StringBuilder rule = new StringBuilder("|---|");
        for (ServerKind s : servers) {
            head.append(' ').append(s.name()).append(" |");
            rule.append("---|");
        }
        w.println(head);
        w.println(rule);
        for (Workload wl : workloads) {
            String n = wl.name();
            StringBuilder row = new StringBuilder("| " + n + " |");
            for (ServerKind s : servers) {
                row.append(' ').append(x(stats(results, s.name(), n, RunResult::opsPerSecond)
                                .ratio(stats(results, ServerKind.REFERENCE, n, RunResult::opsPerSecond))))
                        .append(" / ").append(x(stats(results, s.name(), n, RunResult::p99)
                                .ratio(stats(results, ServerKind.REFERENCE, n, RunResult::p99)))).append(" |");
            }
            w.println(row);
        }
        w.println();
    }

    private static void workload(PrintWriter w, List<RunResult> results, List<ServerKind> servers, Workload wl) {
        String n = wl.name();
        w.printf(Locale.ROOT, "## %s%n%n", n);
        w.printf(Locale.ROOT, "%s, %,d connections, %,d-byte messages%s; %.0f s warm-up, %.0f s measured.%n%n",
                switch (wl.kind()) {
                    case "pingpong" -> "Ping-pong (closed loop)";
                    case "churn" -> "Churn: connect, echo once, close (concurrent lanes)";
                    default -> "Open loop, latency from each message's due time";
                }, wl.connections(), wl.size(),
                wl.kind().equals("rate") ? String.format(Locale.ROOT, ", %,.0f messages/s in all", wl.rate()) : "",
                wl.warmup(), wl.measure());
        boolean hold = wl.kind().equals("rate");
        w.println("| server | ops/s | × epoll | p50 µs | p99 µs | × epoll | p99.9 µs | server CPU s | CPU µs/op | × epoll"
                + " | generator CPU µs/op | peak RSS MiB | × epoll |" + (hold ? " served | KiB/conn | × epoll |" : "")
                + " errors | others' CPU s |");
        w.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|" + (hold ? "---|---|---|" : "") + "---|---|");
        String ref = ServerKind.REFERENCE;
        for (ServerKind s : servers) {
            String sn = s.name();
            Stats ops = stats(results, sn, n, RunResult::opsPerSecond);
            Stats p99 = stats(results, sn, n, RunResult::p99);
            Stats cpuOp = stats(results, sn, n, Report::cpuPerOp);
            Stats rss = stats(results, sn, n, r -> r.peakRssKb() / 1024.0);
            long errors = results.stream().filter(r -> r.server().equals(sn) && r.workload().equals(n))
                    .mapToLong(RunResult::errors).sum();
            StringBuilder row = new StringBuilder();
            row.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", sn,
                    range(ops, "%,.0f"), x(ops.ratio(stats(results, ref, n, RunResult::opsPerSecond))),
                    range(stats(results, sn, n, RunResult::p50), "%,.0f"), range(p99, "%,.0f"),
                    x(p99.ratio(stats(results, ref, n, RunResult::p99))),
                    range(stats(results, sn, n, RunResult::p999), "%,.0f"),
                    range(stats(results, sn, n, RunResult::serverCpu), "%.2f"), range(cpuOp, "%.1f"),
                    x(cpuOp.ratio(stats(results, ref, n, Report::cpuPerOp))),
                    range(stats(results, sn, n, Report::generatorCpuPerOp), "%.1f"), range(rss, "%,.0f"),
                    x(rss.ratio(stats(results, ref, n, r -> r.peakRssKb() / 1024.0)))));
            if (hold) {
                Stats kb = stats(results, sn, n, RunResult::kbPerConnection);
                row.append(String.format(Locale.ROOT, " %s | %s | %s |",
                        range(stats(results, sn, n, r -> r.served()), "%,.0f") + " / " + String.format(Locale.ROOT,
                                "%,d", wl.connections()),
                        range(kb, "%.1f"), x(kb.ratio(stats(results, ref, n, RunResult::kbPerConnection)))));
            }
            row.append(' ').append(errors).append(" | ")
                    .append(range(stats(results, sn, n, RunResult::otherCpu), "%.1f")).append(" |");
            w.println(row);
        }
        w.println();
        results.stream().filter(r -> r.workload().equals(n) && !r.ok()).forEach(r -> w.printf(Locale.ROOT,
                "- run %d of %s produced nothing: %s%n", r.repeat(), r.server(), r.firstError()));
        results.stream().filter(r -> r.workload().equals(n) && r.ok() && r.errors() > 0).forEach(r -> w.printf(
                Locale.ROOT, "- run %d of %s: %d error(s), first: %s%n", r.repeat(), r.server(), r.errors(),
                r.firstError()));
        w.println();
    }

    private static void metricsCost(PrintWriter w, List<RunResult> results, List<Workload> workloads) {
        w.println("## Cost of metrics: loomport-metrics ÷ loomport (medians)");
        w.println();
        w.println("| workload | throughput | p99 | server CPU per op | peak RSS |");
        w.println("|---|---|---|---|---|");
        for (Workload wl : workloads) {
            String n = wl.name();
            w.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", n,
                    x(stats(results, "loomport-metrics", n, RunResult::opsPerSecond).ratio(stats(results, "loomport", n, RunResult::opsPerSecond))),
                    x(stats(results, "loomport-metrics", n, RunResult::p99).ratio(stats(results, "loomport", n, RunResult::p99))),
                    x(stats(results, "loomport-metrics", n, Report::cpuPerOp).ratio(stats(results, "loomport", n, Report::cpuPerOp))),
                    x(stats(results, "loomport-metrics", n, r -> r.peakRssKb()).ratio(stats(results, "loomport", n, r -> r.peakRssKb()))));
        }
        w.println();
    }

    /** The profile CSV's per-message figures, one row per run, one column per event, in the tool's order. */
    private static void profile(PrintWriter w, List<String> profiles) {
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        Set<String> events = new LinkedHashSet<>();
        for (String line : profiles.subList(1, profiles.size())) {
            String[] f = line.split(",");
            String run = f[0] + " | " + f[2] + " | " + f[3] + " | " + f[1] + " | " + f[4];
            events.add(f[5]);
            rows.computeIfAbsent(run, k -> new LinkedHashMap<>()).put(f[5], f[7]);
        }
        w.println("## Profile: per message the server wrote (" + profiles.get(1).split(",")[0] + ")");
        w.println();
        w.println("| tool | server | workload | repeat | messages | " + String.join(" | ", events) + " |");
        w.println("|---|---|---|---|---|" + "---|".repeat(events.size()));
        rows.forEach((run, counts) -> w.println("| " + run + " | " + events.stream()
                .map(e -> counts.getOrDefault(e, "")).collect(Collectors.joining(" | ")) + " |"));
        w.println();
    }

    static String range(Stats s, String format) {
        if (!s.present()) {
            return "—";
        }
        String m = String.format(Locale.ROOT, format, s.median());
        return s.n() == 1 ? m : m + " [" + String.format(Locale.ROOT, format, s.min()) + "-"
                + String.format(Locale.ROOT, format, s.max()) + "]";
    }

    static String x(double ratio) {
        return Double.isNaN(ratio) ? "—" : String.format(Locale.ROOT, "%.2f×", ratio);
    }
}
