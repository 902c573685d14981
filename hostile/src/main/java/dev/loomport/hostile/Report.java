package dev.loomport.hostile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The suite's table (attack | setting | connections | bytes | RSS | time to close | verdict) and the
 * "## Hostile clients" section of docs/reliability.md that holds it. Only that section is rewritten;
 * whatever else the file holds (other sections, before or after it) stays as it is.
 */
final class Report {
    static final String HEADING = "## Hostile clients";

    private Report() {
    }

    static String table(List<Row> rows) {
        StringBuilder t = new StringBuilder();
        t.append("| attack | setting | connections | bytes | RSS (peak) | time to close | verdict |\n");
        t.append("|---|---|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            t.append("| ").append(r.attack()).append(" | ").append(r.setting().replace("|", "\\|")).append(" | ")
                    .append(String.format("%,d", r.connections())).append(" | ").append(Net.mib(r.bytes()))
                    .append(" | ").append(Net.mib(r.peakRss())).append(" | ").append(Net.secs(r.timeToClose()))
                    .append(" | ").append(r.verdict().replace("|", "\\|")).append(" |\n");
        }
        return t.toString();
    }

    static String details(List<Row> rows) {
        StringBuilder d = new StringBuilder();
        for (Row r : rows) {
            d.append("- **").append(r.attack()).append("**\n");
            for (Row.Check c : r.checks()) {
                d.append("  - ").append(c.describe().replace("|", "\\|")).append('\n');
            }
        }
        return d.toString();
    }

    static String section(List<Row> rows, boolean full, Duration took) {
        return HEADING + "\n\n"
                + "`bin/hostile` starts the echo demo (`demo-echo/target/modules`, heap capped at `" + Demo.HEAP
                + "`)\nin a child JVM for each attack, attacks it over loopback from the suite's own JVM (plain\n"
                + "and TLS sockets on virtual threads, PROXY and TLS records built by hand), and checks each\n"
                + "attack's verdicts: bytes exact, the close counted under the right outcome or reason (scraped from\n"
                + "the metrics endpoint), resident memory bounded (VmRSS, sampled every 100 ms), a canary client\n"
                + "echoing 512 bytes every 100 ms on the attacked listener served throughout, and how long the server\n"
                + "took to close what it should. It takes about five minutes and rewrites this section;\n"
                + "`bin/hostile --short` runs the small scale of the build's `HostileIT` (which runs three attacks at\n"
                + "a time), `--only NAME,...` some attacks. Kernel TCP memory is read from `/proc/net/sockstat`, which\n"
                + "counts every TCP socket of the machine (the clients' too), so the figure is the rise over the\n"
                + "level before the attack. Verdicts that prove a defect of issue 15 not yet fixed are listed in one place,\n"
                + "`hostile/src/main/java/dev/loomport/hostile/KnownDefect.java`: they are expected to fail and do\n"
                + "not fail the run; when a fix lands, flip its `open` flag and the verdict counts.\n\n"
                + "Last run: " + Instant.now().truncatedTo(ChronoUnit.MINUTES) + ", " + (full ? "full" : "short")
                + " scale, JDK " + Runtime.version().feature() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, load average " + loadAverage() + " when it ended (other builds share the machine), "
                + Net.secs(took) + " in all.\n\n"
                + table(rows) + "\nEvery verdict, with what it measured:\n\n" + details(rows);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Replaces (or appends) the "## Hostile clients" section of {@code file} with {@code section}. */
    static void write(Path file, String section) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : "# Reliability\n\n";
        int start = text.indexOf(HEADING + "\n");
        String updated;
        if (start < 0) {
            updated = text.stripTrailing() + "\n\n" + section;
        } else {
            int end = text.indexOf("\n## ", start + HEADING.length());
            updated = text.substring(0, start) + section + (end < 0 ? "" : "\n" + text.substring(end + 1));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, updated);
    }
}
