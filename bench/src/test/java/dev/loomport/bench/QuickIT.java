package dev.loomport.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs {@code bin/bench --quick}: every workload, briefly, against every server, each in its own JVM, as
 * the real comparison does. Proves the harness still starts, loads, measures and reports; asserts
 * nothing about how fast anything was.
 */
class QuickIT {

    @Test
    @Timeout(300)
    void quickRunMeasuresEveryWorkloadOnEveryServerAndWritesTheReport() throws Exception {
        Path out = Path.of(System.getProperty("bench.out"));
        Files.createDirectories(out);

        int status = Runner.run("--quick", "--out", out.toString());

        List<String> csv = Files.readAllLines(out.resolve("performance-quick-runs.csv"));
        assertEquals(RunResult.CSV_HEADER, csv.get(0));
        List<String[]> rows = csv.subList(1, csv.size()).stream().map(l -> l.split(",", -1)).toList();
        Set<String> servers = rows.stream().map(r -> r[2]).collect(Collectors.toSet());
        Set<String> workloads = rows.stream().map(r -> r[3]).collect(Collectors.toSet());
        assertTrue(servers.containsAll(Set.of("c-epoll", "netty-epoll", "netty-nio", "threads", "loomport")), servers::toString);
        assertEquals(Workload.quick().stream().map(Workload::name).collect(Collectors.toSet()), workloads);
        assertEquals(servers.size() * workloads.size(), rows.size(), "one run per server and workload");
        for (String[] r : rows) {
            // Every run reported, without a wrong byte, and every server's CPU and memory were read. Whether a
            // one-second window of a given run completed anything depends on the machine's load (a loaded
            // 2-core machine has left a JIT-cold server's first second empty), so that is asked per server.
            assertEquals("0", r[15], () -> "errors: " + String.join(",", r));
            assertTrue(Long.parseLong(r[20]) > 0, () -> "no peak RSS read: " + String.join(",", r));
        }
        for (String server : servers) {
            assertTrue(rows.stream().anyMatch(r -> r[2].equals(server) && Long.parseLong(r[7]) > 0),
                    () -> server + " completed nothing under any workload");
        }
        assertEquals(0, status, "every run's generator reported");

        String report = Files.readString(out.resolve("performance-quick-results.md"));
        for (String w : workloads) {
            assertTrue(report.contains("## " + w), () -> "report lacks " + w);
        }
        assertTrue(report.contains("## loomport ÷ Netty epoll"), report);
        byte[] png = Files.readAllBytes(out.resolve("performance-quick.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG chart");
    }

    @Test
    @Timeout(180)
    void everyPrototypeVariantEchoesExactlyUnderLargeMessagesAndChurn() throws Exception {
        Path out = Path.of(System.getProperty("bench.out")).resolve("proto");
        List<String> variants = List.of("loop", "batch2", "vtread", "poll2", "last2");

        int status = Runner.run("--quick", "--out", out.toString(), "--proto", String.join(",", variants),
                "--servers", variants.stream().map(v -> "proto-" + v).collect(Collectors.joining(",")),
                "--workloads", "pingpong-16KiB-20,churn-64B");

        List<String> csv = Files.readAllLines(out.resolve("performance-quick-runs.csv"));
        assertEquals(1 + variants.size() * 2, csv.size(), () -> String.join("\n", csv));
        for (String line : csv.subList(1, csv.size())) {
            // The generator compares every byte it gets back: errors would mean the path lost or reordered some.
            assertEquals("0", line.split(",", -1)[15], () -> "errors: " + line);
        }
        assertEquals(0, status, "every run's generator reported");
    }
}
