package dev.loomport.hostile;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The short hostile-client suite ({@code bin/hostile --short}) in the build: every attack at small scale
 * against the demo in a child JVM. A verdict that must hold today fails the test; a verdict that proves
 * an open {@link KnownDefect} and fails skips it, with the figure it measured, until the fix flips it.
 */
class HostileIT {
    private static Lab lab;

    @BeforeAll
    static void lab(@TempDir Path dir) throws Exception {
        String modules = System.getProperty("loomport.modules");
        if (modules == null || !Files.isDirectory(Path.of(modules))) {
            throw new AssertionError("system property loomport.modules (set by the build) is not a directory: " + modules);
        }
        Path javaHome = Path.of(System.getProperty("java.home"));
        lab = new Lab(javaHome, Path.of(modules), false, Tls.create(javaHome, dir));
    }

    static List<String> attacks() {
        return Suite.all().stream().map(Attack::name).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void attack(String name) {
        Row row = Main.run(lab, Suite.select(Set.of(name)).get(0));
        String all = row.checks().stream().map(Row.Check::describe).collect(Collectors.joining("\n  "));
        System.out.println(name + ": " + row.verdict() + "\n  " + all);
        switch (row.status()) {
            case FAIL -> fail(name + " failed a verdict that must hold:\n  " + all);
            case KNOWN_DEFECT -> abort(name + ": " + row.verdict());
            case PASS -> { }
        }
    }
}
