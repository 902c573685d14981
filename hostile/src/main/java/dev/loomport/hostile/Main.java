package dev.loomport.hostile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * bin/hostile: runs the attacks against the echo demo, prints the table, and writes it to
 * docs/reliability.md. Exits 1 if a verdict failed that no open {@link KnownDefect} excuses.
 */
public final class Main {
    private static final String USAGE = """
            usage: bin/hostile [--short] [--only ATTACK,...] [--out FILE|none] [--modules DIR]
              --short     the small scale the build's HostileIT runs (under a minute)
              --only      run only these attacks: %s
              --out       the file whose "## Hostile clients" section gets the table
                          (default docs/reliability.md; none: print only)
              --modules   the demo's module path (default demo-echo/target/modules)
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        boolean full = true;
        Set<String> only = new LinkedHashSet<>();
        Path out = Path.of("docs/reliability.md");
        Path modules = Path.of("demo-echo/target/modules");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (arg) {
                case "--short" -> full = false;
                case "--only" -> only.addAll(List.of(required(arg, value).split(",")));
                case "--out" -> out = required(arg, value).equals("none") ? null : Path.of(value);
                case "--modules" -> modules = Path.of(required(arg, value));
                case "--help" -> {
                    System.out.print(USAGE.formatted(String.join(", ", Suite.all().stream().map(Attack::name).toList())));
                    return;
                }
                default -> fail("unknown option: " + arg);
            }
            if (!arg.equals("--short")) {
                i++;
            }
        }
        List<Attack> attacks;
        try {
            attacks = Suite.select(only);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        Path javaHome = Path.of(System.getProperty("java.home"));
        Lab lab = new Lab(javaHome, modules, full, Tls.create(javaHome, Path.of("hostile/target/tls")));
        long began = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        for (Attack attack : attacks) {
            System.out.println("attack " + attack.name() + " ...");
            Row row = run(lab, attack);
            rows.add(row);
            System.out.println("  " + row.verdict());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        System.out.println();
        System.out.print(Report.table(rows));
        System.out.println();
        System.out.print(Report.details(rows));
        if (out != null) {
            Report.write(out, Report.section(rows, full, took));
            System.out.println("\nwritten to " + out + " (section \"" + Report.HEADING + "\")");
        }
        System.exit(rows.stream().anyMatch(r -> r.status() == Row.Status.FAIL) ? 1 : 0);
    }

    /** Runs one attack; an attack that throws is a failed row, and the suite goes on. */
    static Row run(Lab lab, Attack attack) {
        try {
            return attack.run(lab);
        } catch (Exception | AssertionError e) {
            return new Row(attack.name(), "-", 0, 0, 0, null,
                    List.of(Row.Check.of("the attack ran", false, e.toString())));
        }
    }

    private static String required(String option, String value) {
        if (value == null) {
            fail(option + " needs a value");
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("hostile: " + message + " (see --help)");
        System.exit(2);
    }
}
