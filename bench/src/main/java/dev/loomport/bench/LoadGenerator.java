package dev.loomport.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The load generator, a JVM of its own per run so every server meets the same fresh generator. Arguments
 * are {@link LoadSpec} words. It prints, one per line, for the runner to follow:
 * <pre>
 * phase connected N          all persistent connections are open (N of them)
 * phase measure-start        warm-up over: the measured window begins
 * phase measure-end          the window is over
 * result key=value ...       what it measured (latencies in microseconds)
 * </pre>
 */
public final class LoadGenerator {
    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        LoadSpec spec = LoadSpec.parse(args);
        PrintStream out = System.out;
        ByteBuffer pattern = ByteBuffer.allocateDirect(spec.size());
        for (int i = 0; i < spec.size(); i++) {
            pattern.put(i, (byte) (i * 31 + 7));
        }
        Timeline timeline = new Timeline(spec.threads());
        List<Driver> drivers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < spec.threads(); i++) {
            Driver d = new Driver(spec, i, timeline, pattern.asReadOnlyBuffer());
            drivers.add(d);
            Thread t = new Thread(d, "load-" + i);
            t.setDaemon(true); // bounded by the timeline anyway; never keep the JVM up
            threads.add(t);
        }
        threads.forEach(Thread::start);
        int connected = timeline.awaitConnected(Driver.CONNECT_TIMEOUT_NS + TimeUnit.SECONDS.toNanos(5));
        out.println("phase connected " + connected);
        out.flush();
        timeline.start(spec.warmupSeconds(), spec.measureSeconds());
        sleepUntil(timeline.measureStart());
        long cpuStart = cpuNanos();
        out.println("phase measure-start");
        out.flush();
        sleepUntil(timeline.end());
        long cpu = cpuNanos() - cpuStart;
        out.println("phase measure-end");
        out.flush();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        out.println(result(spec, drivers, connected, cpu));
        out.flush();
        System.exit(0);
    }

    static String result(LoadSpec spec, List<Driver> drivers, int connected, long cpuNanos) {
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long ops = 0;
        long errors = 0;
        int served = 0;
        String firstError = null;
        for (Driver d : drivers) {
            all.add(d.latency);
            ops += d.ops;
            errors += d.errors;
            served += d.served();
            if (firstError == null) {
                firstError = d.firstError;
            }
        }
        return String.format(Locale.ROOT,
                "result ops=%d seconds=%.3f connected=%d served=%d errors=%d p50=%.1f p90=%.1f p99=%.1f "
                        + "p999=%.1f max=%.1f mean=%.1f gen_cpu=%.3f first_error=%s",
                ops, spec.measureSeconds(), connected, served, errors, us(all.getValueAtPercentile(50)),
                us(all.getValueAtPercentile(90)), us(all.getValueAtPercentile(99)), us(all.getValueAtPercentile(99.9)),
                us(all.getMaxValue()), all.getMean() / 1000, cpuNanos / 1e9,
                firstError == null ? "-" : firstError.replaceAll("\\s+", "_"));
    }

    private static double us(long nanos) {
        return nanos / 1000.0;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
