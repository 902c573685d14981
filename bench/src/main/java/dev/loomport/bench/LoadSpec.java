package dev.loomport.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One load: what the generator does, against which port, for how long. Parsed from and written as
 * {@code key=value} words, so the runner can hand it to a generator JVM on the command line.
 *
 * <ul>
 *   <li>{@code pingpong}: {@code connections} persistent connections, each sends {@code size} bytes and
 *       waits for them back, again and again (closed loop). Latency: send to last byte back.</li>
 *   <li>{@code churn}: {@code connections} lanes, each connects, echoes one {@code size}-byte message,
 *       closes, and starts over. Latency: connect to echo back.</li>
 *   <li>{@code rate}: {@code connections} persistent connections sharing {@code rate} messages a second,
 *       sent on a fixed schedule spread evenly over them (open loop). Latency is measured from the time
 *       each message was due, so a slow server is charged for the messages it delayed (no coordinated
 *       omission). {@code hold} is this with one message per connection per second.</li>
 * </ul>
 */
record LoadSpec(String workload, String host, int port, int connections, int size, double rate,
                double warmupSeconds, double measureSeconds, int threads, int sources) {

    LoadSpec {
        if (!workload.equals("pingpong") && !workload.equals("churn") && !workload.equals("rate")) {
            throw new IllegalArgumentException("workload must be pingpong, churn or rate: '" + workload + "'");
        }
        check("port", port, 1, 65535);
        check("connections", connections, 1, 19_500);
        check("size", size, 1, 1 << 20);
        check("threads", threads, 1, 64);
        check("sources", sources, 1, 250);
        if (workload.equals("rate") && !(rate > 0)) {
            throw new IllegalArgumentException("rate mode needs rate > 0 messages a second: " + rate);
        }
        if (!(warmupSeconds >= 0 && warmupSeconds <= 600) || !(measureSeconds > 0 && measureSeconds <= 600)) {
            throw new IllegalArgumentException("warmup must be 0..600 s and measure 0..600 s: "
                    + warmupSeconds + ", " + measureSeconds);
        }
    }

    private static void check(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " out of range " + min + ".." + max + ": " + value);
        }
    }

    static LoadSpec parse(String... words) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + w + "'");
            }
            m.put(w.substring(0, eq), w.substring(eq + 1));
        }
        LoadSpec spec = new LoadSpec(m.remove("workload"), m.getOrDefault("host", "127.0.0.1"),
                Integer.parseInt(req(m, "port")), Integer.parseInt(m.getOrDefault("connections", "100")),
                Integer.parseInt(m.getOrDefault("size", "64")), Double.parseDouble(m.getOrDefault("rate", "0")),
                Double.parseDouble(m.getOrDefault("warmup", "3")), Double.parseDouble(m.getOrDefault("measure", "5")),
                Integer.parseInt(m.getOrDefault("threads", "2")), Integer.parseInt(m.getOrDefault("sources", "8")));
        m.keySet().removeAll(java.util.List.of("host", "port", "connections", "size", "rate", "warmup", "measure",
                "threads", "sources"));
        if (!m.isEmpty()) {
            throw new IllegalArgumentException("unknown load keys: " + m.keySet());
        }
        return spec;
    }

    private static String req(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key + "=");
        }
        return v;
    }

    String[] words() {
        return new String[] {"workload=" + workload, "host=" + host, "port=" + port, "connections=" + connections,
            "size=" + size, "rate=" + rate, "warmup=" + warmupSeconds, "measure=" + measureSeconds,
            "threads=" + threads, "sources=" + sources};
    }
}
