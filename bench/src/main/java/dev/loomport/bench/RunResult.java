package dev.loomport.bench;

import java.util.Locale;
import java.util.Map;

/**
 * One run: one server under one workload, one time. One CSV line. CPU figures cover the measured window:
 * {@code serverCpu} the server JVM's, {@code generatorCpu} the generator's, {@code otherCpu} what the rest
 * of the machine (other people's builds) used meanwhile, the measure of how noisy the run was.
 */
record RunResult(int repeat, int order, String server, String workload, int connections, int size, double rate,
                 long ops, double seconds, double opsPerSecond, double p50, double p90, double p99, double p999,
                 double max, long errors, int connected, int served, double serverCpu, long rssIdleKb,
                 long peakRssKb, double generatorCpu, double otherCpu, String firstError) {

    static final String CSV_HEADER = "repeat,order,server,workload,connections,size,rate,ops,seconds,ops_per_s,"
            + "p50_us,p90_us,p99_us,p999_us,max_us,errors,connected,served,server_cpu_s,server_rss_idle_kb,"
            + "server_peak_rss_kb,generator_cpu_s,other_cpu_s,first_error";

    /** From the generator's {@code result} line and what the runner read from /proc. */
    static RunResult of(int repeat, int order, String server, Workload w, Map<String, String> r, double serverCpu,
                        double otherCpu, long rssIdleKb, long peakRssKb) {
        long ops = Long.parseLong(r.get("ops"));
        double seconds = Double.parseDouble(r.get("seconds"));
        return new RunResult(repeat, order, server, w.name(), w.connections(), w.size(), w.rate(), ops, seconds,
                ops / seconds, d(r, "p50"), d(r, "p90"), d(r, "p99"), d(r, "p999"), d(r, "max"),
                Long.parseLong(r.get("errors")), Integer.parseInt(r.get("connected")),
                Integer.parseInt(r.get("served")), serverCpu, rssIdleKb, peakRssKb, d(r, "gen_cpu"),
                otherCpu, r.getOrDefault("first_error", "-"));
    }

    /** A run that produced nothing (server failed to start, generator died): kept, so the table says so. */
    static RunResult failed(int repeat, int order, String server, Workload w, String why) {
        return new RunResult(repeat, order, server, w.name(), w.connections(), w.size(), w.rate(), 0, 0, 0,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1, 0, 0, Double.NaN, 0, 0, Double.NaN,
                Double.NaN, why);
    }

    private static double d(Map<String, String> r, String key) {
        return Double.parseDouble(r.get(key));
    }

    /** Carried traffic in the window: the runs medians are taken over. */
    boolean ok() {
        return ops > 0;
    }

    /** The generator reported (even if the server answered nothing in the window); false for a run that failed. */
    boolean produced() {
        return seconds > 0;
    }

    /** Peak RSS growth over the idle server, per connection, in KiB. */
    double kbPerConnection() {
        return connected > 0 && peakRssKb > 0 ? (double) (peakRssKb - rssIdleKb) / connected : Double.NaN;
    }

    String csv() {
        return String.format(Locale.ROOT, "%d,%d,%s,%s,%d,%d,%.0f,%d,%.3f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%d,%d,%d,"
                        + "%.2f,%d,%d,%.2f,%.2f,%s",
                repeat, order, server, workload, connections, size, rate, ops, seconds, opsPerSecond, p50, p90, p99,
                p999, max, errors, connected, served, serverCpu, rssIdleKb, peakRssKb, generatorCpu, otherCpu,
                firstError.replace(',', ';').replace('"', '\''));
    }
}
