package dev.loomport.demo.echo;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.util.Map;
import java.util.TreeMap;

/**
 * What loomport counted in a test's registry: counters summed by name and tags. Public for the tests of
 * both packages of the module (echo and relay).
 */
public final class Meters {
    private Meters() {
    }

    /** The sum of every counter named {@code name} that has these tags ({@code key, value, ...}). */
    public static double count(MeterRegistry registry, String name, String... tags) {
        return Search.in(registry).name(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** The counters named {@code name} that counted anything, summed by their value of {@code tag}. */
    public static Map<String, Long> byTag(MeterRegistry registry, String name, String tag) {
        Map<String, Long> counts = new TreeMap<>();
        for (Counter c : Search.in(registry).name(name).counters()) {
            if (c.count() > 0) {
                counts.merge(c.getId().getTag(tag), (long) c.count(), Long::sum);
            }
        }
        return counts;
    }
}
