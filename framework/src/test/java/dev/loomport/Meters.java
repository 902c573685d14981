package dev.loomport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;

/** Reads loomport's counters from a test's registry, as maps a test can compare whole. */
final class Meters {
    private Meters() {
    }

    /** {@code loomport.closed.connections} by outcome, leaving out the outcomes that never happened. */
    static Map<String, Long> closed(MeterRegistry registry) {
        return byTag(registry, "loomport.closed.connections", "outcome");
    }

    /** Connections that ended with this outcome tag ({@code client-closed}, {@code shutdown}, ...). */
    static long closed(MeterRegistry registry, String outcome) {
        return closed(registry).getOrDefault(outcome, 0L);
    }

    /** {@code loomport.rejected.connections} by reason, leaving out the reasons that never happened. */
    static Map<String, Long> rejected(MeterRegistry registry) {
        return byTag(registry, "loomport.rejected.connections", "reason");
    }

    static long accepted(MeterRegistry registry) {
        return count(registry, "loomport.accepted.connections");
    }

    static long count(MeterRegistry registry, String name) {
        return registry.find(name).counters().stream().mapToLong(c -> (long) c.count()).sum();
    }

    private static Map<String, Long> byTag(MeterRegistry registry, String name, String tag) {
        Map<String, Long> counts = new TreeMap<>();
        for (Counter c : registry.find(name).counters()) {
            long n = (long) c.count();
            if (n > 0) {
                counts.merge(c.getId().getTag(tag), n, Long::sum);
            }
        }
        return counts;
    }
}
