package dev.loomport.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What every other process on the machine spent while a run was measured: the noise. A snapshot of each
 * process's user + system time (/proc/PID/stat) at the start of the window, another at its end; a process
 * born meanwhile counts whole, one that died meanwhile is missed (so this is a lower bound).
 */
final class OtherCpu {
    private final Set<Long> excluded;
    private final Map<Long, Long> start;

    private OtherCpu(Set<Long> excluded) {
        this.excluded = excluded;
        this.start = snapshot();
    }

    /** Starts counting now, leaving out the given processes (the server, the generator, this runner). */
    static OtherCpu start(Set<Long> excluded) {
        return new OtherCpu(excluded);
    }

    /** CPU seconds the other processes used since {@link #start}. */
    double seconds() {
        long ticks = 0;
        for (Map.Entry<Long, Long> e : snapshot().entrySet()) {
            if (!excluded.contains(e.getKey())) {
                ticks += Math.max(0, e.getValue() - start.getOrDefault(e.getKey(), 0L));
            }
        }
        return ticks / 100.0;
    }

    private static Map<Long, Long> snapshot() {
        Map<Long, Long> cpu = new HashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                    cpu.put(Long.parseLong(p.getFileName().toString()), Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (IOException | RuntimeException gone) {
                    // ended between listing and reading: nothing to count
                }
            }
        } catch (IOException e) {
            // no /proc: the figure stays 0
        }
        return cpu;
    }
}
