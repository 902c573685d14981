package dev.loomport;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM's JSON thread dump (what {@code jcmd <pid> Thread.dump_to_file -format=json} writes), read as
 * thread names by container. Unlike {@link Thread#getAllStackTraces()} it lists virtual threads.
 */
record ThreadDump(Map<String, List<String>> byContainer) {
    private static final Pattern CONTAINER = Pattern.compile("^\\s*\"container\": \"(.*)\",?$");
    private static final Pattern NAME = Pattern.compile("^\\s*\"name\": \"(.*)\",?$");

    static ThreadDump take() {
        try {
            Path file = Files.createTempFile("loomport-threads", ".json");
            Files.delete(file); // dumpThreads refuses to overwrite
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                return parse(Files.readAllLines(file));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The dump has one key per line: a thread's "name" belongs to the last "container" above it. */
    private static ThreadDump parse(List<String> lines) {
        Map<String, List<String>> byContainer = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : lines) {
            Matcher c = CONTAINER.matcher(line);
            if (c.matches()) {
                current = byContainer.computeIfAbsent(c.group(1), k -> new ArrayList<>());
                continue;
            }
            Matcher n = NAME.matcher(line);
            if (n.matches() && current != null) {
                current.add(n.group(1));
            }
        }
        return new ThreadDump(byContainer);
    }

    /** Every thread whose name contains {@code text}, in any container. */
    List<String> threadsNamed(String text) {
        return byContainer.values().stream().flatMap(List::stream).filter(n -> n.contains(text)).toList();
    }

    /** The containers holding a thread whose whole name matches {@code regex}. */
    List<String> containersOf(String regex) {
        return byContainer.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(n -> n.matches(regex)))
                .map(Map.Entry::getKey)
                .toList();
    }
}
