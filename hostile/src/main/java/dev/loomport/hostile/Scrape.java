package dev.loomport.hostile;

import java.util.ArrayList;
import java.util.List;

/**
 * One scrape of the demo's metrics endpoint (Prometheus text format 0.0.4), read just far enough to sum
 * a metric's samples by label: {@code sum("loomport_closed_connections_total", "outcome=\"too-slow\"")}.
 * Hand-read because the format is lines of {@code name{labels} value} and the suite takes no
 * dependencies (a Prometheus client parser would be the only one).
 */
record Scrape(List<Sample> samples) {
    record Sample(String name, String labels, double value) {
    }

    static Scrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String key = line.substring(0, space);
            int brace = key.indexOf('{');
            String name = brace < 0 ? key : key.substring(0, brace);
            String labels = brace < 0 ? "" : key.substring(brace);
            samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
        }
        return new Scrape(List.copyOf(samples));
    }

    /** The sum of {@code name}'s samples whose labels contain every one of {@code labels} ({@code k="v"}). */
    long sum(String name, String... labels) {
        double sum = 0;
        for (Sample s : samples) {
            if (s.name().equals(name) && List.of(labels).stream().allMatch(s.labels()::contains)) {
                sum += s.value();
            }
        }
        return Math.round(sum);
    }

    long closed(String outcome) {
        return sum("loomport_closed_connections_total", "outcome=\"" + outcome + "\"");
    }

    long closedTotal() {
        return sum("loomport_closed_connections_total");
    }

    long rejected(String reason) {
        return sum("loomport_rejected_connections_total", "reason=\"" + reason + "\"");
    }

    long active() {
        return sum("loomport_active_connections");
    }

    long accepted() {
        return sum("loomport_accepted_connections_total");
    }
}
