package dev.loomport.bench;

import java.util.List;

/** A named load, the same for every server: what the generator is told, less the port. */
record Workload(String name, String kind, int connections, int size, double rate, double warmup, double measure) {

    LoadSpec spec(int port, int threads, int sources) {
        return new LoadSpec(kind, "127.0.0.1", port, connections, size, rate, warmup, measure, threads, sources);
    }

    boolean isHold() {
        return name.startsWith("hold");
    }

    /** The workloads: ping-pong 64 B at 100, 1,000, 10,000 and 16 KiB at 100; churn; hold 19,000. */
    static List<Workload> full() {
        double warm = 2;
        double measure = 4;
        return List.of(
                new Workload("pingpong-64B-100", "pingpong", 100, 64, 0, warm, measure),
                new Workload("pingpong-64B-1000", "pingpong", 1_000, 64, 0, warm, measure),
                new Workload("pingpong-64B-10000", "pingpong", 10_000, 64, 0, warm, measure),
                new Workload("pingpong-16KiB-100", "pingpong", 100, 16 * 1024, 0, warm, measure),
                new Workload("churn-64B", "churn", 64, 64, 0, warm, measure),
                new Workload("hold-19000", "rate", 19_000, 64, 19_000, 3, 5),
                new Workload("rate-1000-20k", "rate", 1_000, 64, 20_000, warm, measure));
    }

    /** Every kind of workload, small and short: proves the harness works, measures nothing. */
    static List<Workload> quick() {
        double warm = 1; // half a second left some servers' first window empty on a loaded 2-core machine
        double measure = 1;
        return List.of(
                new Workload("pingpong-64B-100", "pingpong", 100, 64, 0, warm, measure),
                new Workload("pingpong-64B-1000", "pingpong", 1_000, 64, 0, warm, measure),
                new Workload("pingpong-16KiB-20", "pingpong", 20, 16 * 1024, 0, warm, measure),
                new Workload("churn-64B", "churn", 16, 64, 0, warm, measure),
                new Workload("hold-1000", "rate", 1_000, 64, 1_000, warm, measure),
                new Workload("rate-100-2k", "rate", 100, 64, 2_000, warm, measure));
    }
}
