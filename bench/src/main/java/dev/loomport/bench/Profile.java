package dev.loomport.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A profile of the server over the measured window, for the I/O-path experiment: {@code perf stat} with the
 * syscall and scheduler tracepoints (syscalls, context switches and wake-ups per message), or {@code strace -c
 * -f} (every syscall by name; ptrace slows the server a lot, so only its counts mean anything). Either runs
 * under {@code timeout -s INT} for the window's length, then its counts are read back. The tool attaches some
 * time after the window opens (longer on a loaded machine), so counts are per message the server wrote
 * ({@code write}, {@code writev}, {@code sendto}, {@code sendmsg} in the same profile), not per operation the
 * generator counted over the whole window: an echo of 64 B writes each message once.
 */
final class Profile {
    static final List<String> PERF_EVENTS = List.of("task-clock", "context-switches", "cpu-migrations",
            "sched:sched_wakeup", "raw_syscalls:sys_enter", "syscalls:sys_enter_read", "syscalls:sys_enter_write", "syscalls:sys_enter_writev",
            "syscalls:sys_enter_recvfrom", "syscalls:sys_enter_sendto", "syscalls:sys_enter_epoll_ctl",
            "syscalls:sys_enter_epoll_wait", "syscalls:sys_enter_epoll_pwait", "syscalls:sys_enter_futex");

    private final String tool;
    private final Process process;
    private final Path output;

    private Profile(String tool, Process process, Path output) {
        this.tool = tool;
        this.process = process;
        this.output = output;
    }

    /** Starts {@code tool} (perf or strace) on process {@code pid} for {@code seconds}, its report into {@code output}. */
    static Profile start(String tool, long pid, double seconds, Path output) throws IOException {
        List<String> command = new ArrayList<>(List.of("timeout", "-s", "INT", String.format(Locale.ROOT, "%.1f", seconds)));
        if (tool.equals("perf")) {
            command.addAll(List.of("perf", "stat", "-x", ",", "-o", output.toString(), "-p", Long.toString(pid), "-e",
                    String.join(",", PERF_EVENTS)));
        } else {
            command.addAll(List.of("strace", "-c", "-f", "-o", output.toString(), "-p", Long.toString(pid)));
        }
        return new Profile(tool, new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start(), output);
    }

    /** The messages the server wrote while profiled: the denominator of every per-message figure. */
    static long writes(Map<String, Long> counts) {
        return List.of("write", "writev", "sendto", "sendmsg").stream().mapToLong(k -> counts.getOrDefault(k, 0L)).sum();
    }

    /** Waits for the tool to finish (bounded) and returns its counts: event or syscall name to count. */
    Map<String, Long> counts() throws IOException, InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        if (!Files.exists(output)) {
            return counts;
        }
        for (String line : Files.readAllLines(output)) {
            if (tool.equals("perf")) {
                String[] f = line.split(",");
                if (f.length > 2 && f[0].matches("[0-9.]+")) {
                    counts.put(f[2].replace("syscalls:sys_enter_", "").replace("raw_syscalls:sys_enter", "syscalls"),
                            (long) Double.parseDouble(f[0]));
                }
            } else {
                // "% time     seconds  usecs/call     calls    errors syscall": calls is the 4th column, name last
                String[] f = line.trim().split("\\s+");
                if (f.length >= 5 && f[0].matches("[0-9.]+") && f[3].matches("\\d+")) {
                    counts.put(f[f.length - 1], Long.parseLong(f[3]));
                } else if (f.length >= 4 && f[f.length - 1].equals("total") && f[2].matches("\\d+")) {
                    counts.put("syscalls", Long.parseLong(f[2]));
                }
            }
        }
        return counts;
    }
}
