package dev.loomport.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs the comparison: every server in a fresh JVM of its own, on a fresh port, under every workload
 * from a fresh generator JVM with the same settings; the server order rotates each repeat so no server
 * always runs first (or just after the heaviest). Writes the raw CSV as it goes, then the summary
 * markdown and the chart. See docs/performance.md.
 *
 * <pre>
 * Runner [--quick] [--out DIR] [--repeats N] [--servers a,b] [--workloads a,b] [--loomport-metrics auto|both|default]
 *        [--server-jvm 'FLAGS'] [--loomport-jvm 'FLAGS'] [--generator native|java] [--jdk HOME[,HOME...]]
 *        [--proto VARIANT[,VARIANT...]] [--profile none|perf|strace] [--loomport-variant NAME=KEY=VALUE,...]...
 * </pre>
 * System properties: {@code loomport.modules} (default {@code demo-echo/target/modules}), {@code bench.classpath}
 * (default: this JVM's class path), {@code bench.classpath.file} (more class path, read from a file),
 * {@code bench.out} (default {@code docs}) and {@code bench.logs} (the servers' and generators' output;
 * default OUT/logs).
 */
public final class Runner {
    /** The same for every server JVM (unless --server-jvm replaces them for all); the table prints them. */
    static final List<String> SERVER_JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC");
    /** The same for every generator JVM. */
    static final List<String> GENERATOR_JVM = List.of("-Xms512m", "-Xmx512m", "-XX:+UseParallelGC");
    static final int GENERATOR_THREADS = 2;
    static final int SOURCE_ADDRESSES = 8;

    private Runner() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Runs the comparison; 0 when every run's generator reported, 1 when some run failed. */
    public static int run(String... args) throws Exception {
        Options o = Options.parse(args);
        installReaper();
        Jdk jdk = Jdk.current();
        Path java = jdk.java();
        List<Jdk> extraJdks = new ArrayList<>();
        for (Path home : o.jdks()) {
            extraJdks.add(Jdk.at(home));
        }
        String classpath = classpath();
        Path modules = Path.of(System.getProperty("loomport.modules", "demo-echo/target/modules"));
        if (!Files.isDirectory(modules)) {
            throw new IllegalStateException("no loomport module path at " + modules.toAbsolutePath()
                    + ": build first (bin/bench does)");
        }
        Path logs = Path.of(System.getProperty("bench.logs", o.out().resolve("logs").toString()));
        Files.createDirectories(logs);
        Files.createDirectories(o.out());
        boolean metricsOption = switch (o.loomportMetrics()) {
            case "both" -> true;     // --metrics off and --metrics 127.0.0.1:0
            case "default" -> false; // no --metrics argument: as the launcher starts by default (metrics on)
            default -> launcherKnowsMetrics(java, modules);
        };
        Path nativeDir = logs.resolve("native");
        List<String> generator = o.generator().equals("native")
                ? List.of(Native.loadGenerator(nativeDir).toString())
                : concat(List.of(java.toString()), GENERATOR_JVM, List.of("-cp", classpath, LoadGenerator.class.getName()));
        boolean cWanted = o.servers().isEmpty() || o.servers().contains("c-epoll");
        ServerKind.Setup setup = new ServerKind.Setup(jdk, extraJdks, classpath, modules, metricsOption, o.serverJvm(),
                o.loomportFlags(), cWanted ? Native.echoServer(nativeDir) : null, o.proto(), o.loomportVariants());
        List<ServerKind> servers = ServerKind.all(setup).stream()
                .filter(s -> o.servers().isEmpty() || o.servers().contains(s.name())).toList();
        List<Workload> workloads = (o.quick() ? Workload.quick() : Workload.full()).stream()
                .filter(w -> o.workloads().isEmpty() || o.workloads().contains(w.name())).toList();
        if (servers.isEmpty() || workloads.isEmpty()) {
            throw new IllegalArgumentException("nothing to run: servers " + servers + ", workloads " + workloads);
        }

        Environment env = Environment.read(metricsOption);
        List<String> profiles = new ArrayList<>();
        List<RunResult> results = new ArrayList<>();
        Path csv = o.out().resolve(o.prefix() + "-runs.csv");
        int total = o.repeats() * workloads.size() * servers.size();
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
            w.println(RunResult.CSV_HEADER);
            int n = 0;
            for (int repeat = 1; repeat <= o.repeats(); repeat++) {
                List<ServerKind> order = new ArrayList<>(servers);
                Collections.rotate(order, -(repeat - 1));
                for (Workload workload : workloads) {
                    for (int i = 0; i < order.size(); i++) {
                        ServerKind server = order.get(i);
                        RunResult r = runOne(generator, logs, server, workload, repeat, i + 1, o.profile(), profiles);
                        results.add(r);
                        w.println(r.csv());
                        w.flush();
                        System.out.printf("[%d/%d] %s%n", ++n, total, line(r));
                    }
                }
            }
        }
        env = env.ended();
        if (!profiles.isEmpty()) {
            Files.write(o.out().resolve(o.prefix() + "-profile.csv"), profiles);
        }
        Report.write(o.out().resolve(o.prefix() + "-results.md"), results, servers, workloads, env, o, profiles);
        Chart.write(o.out().resolve(o.prefix() + ".png"), results, servers, workloads);
        System.out.println("wrote " + csv + ", " + o.prefix() + "-results.md, " + o.prefix() + ".png in " + o.out());
        return results.stream().allMatch(RunResult::produced) ? 0 : 1;
    }

    private static String line(RunResult r) {
        return String.format(java.util.Locale.ROOT, "%-18s %-16s %10.0f ops/s  p50 %8.1f  p99 %8.1f  p99.9 %8.1f us"
                        + "  cpu %5.2f s  others %5.2f s  peak %6d MiB  errors %d%s",
                r.workload(), r.server(), r.opsPerSecond(), r.p50(), r.p99(), r.p999(), r.serverCpu(), r.otherCpu(),
                r.peakRssKb() / 1024, r.errors(), r.firstError().equals("-") ? "" : "  (" + r.firstError() + ")");
    }

    static RunResult runOne(List<String> generator, Path logs, ServerKind server, Workload workload, int repeat,
                            int order, String profileTool, List<String> profiles) {
        Path log = logs.resolve(server.name() + ".log");
        try (ServerProcess sp = ServerProcess.start(server.command(), log)) {
            CHILDREN.add(sp.handle());
            int port = sp.awaitPort(60);
            long rssIdle = sp.rssKb();
            List<String> gen = concat(generator, List.of(workload.spec(port, GENERATOR_THREADS, SOURCE_ADDRESSES).words()));
            Process g = new ProcessBuilder(gen)
                    .redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve("generator.log").toFile()))
                    .start();
            CHILDREN.add(g.toHandle());
            long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(
                    (long) (workload.warmup() + workload.measure()) + 2 * Driver.CONNECT_TIMEOUT_NS / 1_000_000_000 + 60);
            double cpuStart = Double.NaN;
            double cpuEnd = Double.NaN;
            OtherCpu others = null;
            double otherCpu = Double.NaN;
            Map<String, String> result = null;
            Profile profile = null;
            Thread killer = watchdog(g, limit);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(g.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) {
                    if (l.equals("phase measure-start")) {
                        cpuStart = sp.cpuSeconds();
                        others = OtherCpu.start(Set.of(sp.pid(), g.pid(), ProcessHandle.current().pid()));
                        if (!profileTool.equals("none")) {
                            profile = Profile.start(profileTool, sp.pid(), workload.measure(), logs.resolve(
                                    profileTool + "-" + server.name() + "-" + workload.name() + "-" + repeat + ".txt"));
                        }
                    } else if (l.equals("phase measure-end")) {
                        cpuEnd = sp.cpuSeconds();
                        otherCpu = others != null ? others.seconds() : Double.NaN;
                    } else if (l.startsWith("result ")) {
                        result = words(l.substring("result ".length()));
                    }
                }
            } finally {
                killer.interrupt();
                if (!g.waitFor(10, TimeUnit.SECONDS)) {
                    g.destroyForcibly();
                }
            }
            if (result == null) {
                return RunResult.failed(repeat, order, server.name(), workload,
                        "generator gave no result (exit " + g.exitValue() + "), see " + logs.resolve("generator.log"));
            }
            if (!sp.isAlive()) {
                return RunResult.failed(repeat, order, server.name(), workload, "server died, see " + log);
            }
            RunResult r = RunResult.of(repeat, order, server.name(), workload, result, cpuEnd - cpuStart,
                    otherCpu, rssIdle, sp.peakRssKb());
            if (profile != null) {
                if (profiles.isEmpty()) {
                    profiles.add("tool,repeat,server,workload,messages_written,event,count,per_message");
                }
                Map<String, Long> counts = profile.counts();
                long written = Profile.writes(counts);
                for (Map.Entry<String, Long> e : counts.entrySet()) {
                    profiles.add(String.format(java.util.Locale.ROOT, "%s,%d,%s,%s,%d,%s,%d,%.3f", profileTool, repeat,
                            server.name(), workload.name(), written, e.getKey(), e.getValue(),
                            written > 0 ? (double) e.getValue() / written : Double.NaN));
                }
            }
            return r;
        } catch (IOException | RuntimeException e) {
            return RunResult.failed(repeat, order, server.name(), workload, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RunResult.failed(repeat, order, server.name(), workload, "interrupted");
        }
    }

    /** Servers and generators started so far: killed if the runner is stopped half-way. */
    private static final Set<ProcessHandle> CHILDREN = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static boolean reaperInstalled;

    private static synchronized void installReaper() {
        if (!reaperInstalled) {
            reaperInstalled = true;
            Runtime.getRuntime().addShutdownHook(new Thread(
                    () -> CHILDREN.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly),
                    "bench reaper"));
        }
    }

    @SafeVarargs
    static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) {
            all.addAll(p);
        }
        return all;
    }

    /** Kills the generator if it outlives its time: no run can hang the comparison. */
    private static Thread watchdog(Process g, long deadline) {
        return Thread.ofVirtual().name("generator watchdog").start(() -> {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0 && g.waitFor(left, TimeUnit.NANOSECONDS)) {
                    return;
                }
                g.destroyForcibly();
            } catch (InterruptedException e) {
                // the run ended first
            }
        });
    }

    static Map<String, String> words(String line) {
        Map<String, String> m = new HashMap<>();
        for (String w : line.trim().split(" ")) {
            int eq = w.indexOf('=');
            if (eq > 0) {
                m.put(w.substring(0, eq), w.substring(eq + 1));
            }
        }
        return m;
    }

    private static String classpath() throws IOException {
        String cp = System.getProperty("bench.classpath", System.getProperty("java.class.path"));
        String file = System.getProperty("bench.classpath.file");
        if (file != null) {
            cp = cp + java.io.File.pathSeparator + Files.readString(Path.of(file)).trim();
        }
        return cp;
    }

    /** Whether the echo launcher has the {@code --metrics} option yet (it says so in --help). */
    static boolean launcherKnowsMetrics(Path java, Path modules) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java.toString(), "-p", modules.toString(), "-m", ServerKind.LOOMPORT_MODULE,
                "--help").redirectErrorStream(true).start();
        String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return help.contains("--metrics");
    }

    record Options(boolean quick, Path out, String prefix, int repeats, List<String> servers, List<String> workloads,
                   String loomportMetrics, List<String> serverJvm, List<String> loomportFlags, String generator,
                   List<Path> jdks, List<String> proto, String profile, Map<String, String> loomportVariants) {
        static Options parse(String... args) {
            boolean quick = false;
            Path out = Path.of(System.getProperty("bench.out", "docs"));
            Integer repeats = null;
            List<String> servers = List.of();
            List<String> workloads = List.of();
            String metrics = "auto";
            List<String> serverJvm = SERVER_JVM;
            List<String> loomportFlags = List.of();
            String generator = "native";
            List<Path> jdks = List.of();
            List<String> proto = List.of();
            String profile = "none";
            Map<String, String> variants = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> quick = true;
                    case "--out" -> out = Path.of(value(args, ++i, "--out"));
                    case "--repeats" -> repeats = Integer.parseInt(value(args, ++i, "--repeats"));
                    case "--servers" -> servers = List.of(value(args, ++i, "--servers").split(","));
                    case "--workloads" -> workloads = List.of(value(args, ++i, "--workloads").split(","));
                    case "--loomport-metrics" -> metrics = value(args, ++i, "--loomport-metrics");
                    case "--server-jvm" -> serverJvm = List.of(value(args, ++i, "--server-jvm").trim().split("\\s+"));
                    case "--loomport-jvm" -> loomportFlags = List.of(value(args, ++i, "--loomport-jvm").trim().split("\\s+"));
                    case "--generator" -> generator = value(args, ++i, "--generator");
                    case "--jdk" -> jdks = java.util.Arrays.stream(value(args, ++i, "--jdk").split(",")).map(Path::of).toList();
                    case "--proto" -> proto = List.of(value(args, ++i, "--proto").split(","));
                    case "--profile" -> profile = value(args, ++i, "--profile");
                    case "--loomport-variant" -> {
                        String v = value(args, ++i, "--loomport-variant");
                        int eq = v.indexOf('=');
                        if (eq < 1 || eq == v.length() - 1 || !v.substring(0, eq).matches("[a-z0-9-]+")) {
                            throw new IllegalArgumentException("--loomport-variant must be NAME=KEY=VALUE[,KEY=VALUE...]"
                                    + " with NAME of a-z, 0-9 and '-': '" + v + "'");
                        }
                        variants.put(v.substring(0, eq), v.substring(eq + 1));
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'; options: --quick"
                            + " --out DIR --repeats N --servers a,b --workloads a,b --loomport-metrics auto|both|default"
                            + " --server-jvm 'FLAGS' (instead of the default flags, for every server)"
                            + " --loomport-jvm 'FLAGS' (for experiments: the report names them)"
                            + " --generator native|java --jdk HOME[,HOME...] (loomport and Netty on each, beside the"
                            + " default JDK) --proto VARIANT[,VARIANT...] (" + ProtoEchoServer.Variant.names() + ")"
                            + " --profile none|perf|strace (the server over the measured window; slows it)"
                            + " --loomport-variant NAME=KEY=VALUE,... (repeatable: loomport-NAME, loomport with these"
                            + " listener options, on every JDK)");
                }
            }
            if (!List.of("auto", "both", "default").contains(metrics)) {
                throw new IllegalArgumentException("--loomport-metrics must be auto, both or default: '" + metrics + "'");
            }
            if (!List.of("native", "java").contains(generator)) {
                throw new IllegalArgumentException("--generator must be native or java: '" + generator + "'");
            }
            proto.forEach(ProtoEchoServer.Variant::parse);
            if (!List.of("none", "perf", "strace").contains(profile)) {
                throw new IllegalArgumentException("--profile must be none, perf or strace: '" + profile + "'");
            }
            int r = repeats != null ? repeats : quick ? 1 : 3;
            if (r < 1 || r > 20) {
                throw new IllegalArgumentException("--repeats out of range 1..20: " + r);
            }
            return new Options(quick, out, quick ? "performance-quick" : "performance", r, servers, workloads, metrics,
                    serverJvm, loomportFlags, generator, jdks, proto, profile, Map.copyOf(variants));
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }

    /** When and where the comparison ran, for the report's first lines. */
    record Environment(Instant started, Instant finished, String loadBefore, String loadAfter, String javaVersion,
                       int cores, boolean metricsOption) {
        static Environment read(boolean metricsOption) throws IOException {
            return new Environment(Instant.now(), null, load(), null, Runtime.version().toString(),
                    Runtime.getRuntime().availableProcessors(), metricsOption);
        }

        Environment ended() throws IOException {
            return new Environment(started, Instant.now(), loadBefore, load(), javaVersion, cores, metricsOption);
        }

        private static String load() throws IOException {
            Path p = Path.of("/proc/loadavg");
            return Files.exists(p) ? String.join(" ", List.of(Files.readString(p).trim().split(" ")).subList(0, 3)) : "?";
        }
    }
}
