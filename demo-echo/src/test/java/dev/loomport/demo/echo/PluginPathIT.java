package dev.loomport.demo.echo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.testkit.TestClient;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/plugins.md's "Your own plug-in in five commands", run as the page says, so that the page cannot
 * drift from what works: the commands are read from the page itself (the block after the marker
 * {@code <!-- plugin-path:commands}) and run one by one, as written, in a copy of this source tree
 * (never in the reactor's own target/ directories), then the transcript after {@code <!-- plugin-path:talk}
 * is played against the launcher the last command started, which must then stop on SIGTERM with exit 0.
 *
 * <p>What differs from a user's run: Maven runs offline and installs into a repository of this test's
 * own, reading what this build has fetched from the build's local repository as a read-only tail (Maven
 * 3.9's {@code maven.repo.local.tail}), so the install never touches ~/.m2; the launcher listens on port
 * 0 instead of the page's fixed port, which other builds on the machine may hold, and serves no metrics
 * (the default metrics port is one per machine too); and without {@code nc} on the PATH (.ci/run
 * installs it) the transcript is played over a socket of this test's own, saying so. The JDK is this
 * test's, through JAVA_HOME, which ./build and ./run-echo take first.
 */
class PluginPathIT {
    /** Far longer than any command takes (the install, the longest, builds and documents two modules). */
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern LOOPBACK_PORT = Pattern.compile("127\\.0\\.0\\.1:(\\d+)");
    /** Left out of the copy: build output, the repository, and plug-ins a developer dropped in. */
    private static final Set<String> NOT_COPIED = Set.of("target", ".git", ".idea", ".vscode");

    @TempDir
    static Path dir;

    @Test
    void theDocsPathFromAFreshTreeToAPlugInThatAnswers() throws Exception {
        Path root = Path.of(System.getProperty("loomport.root"));
        Path tree = copy(root, dir.resolve("loomport"));
        String page = Files.readString(tree.resolve("docs/plugins.md"));
        List<String> commands = commands(block(page, "<!-- plugin-path:commands"));
        List<String> talk = block(page, "<!-- plugin-path:talk");
        Map<String, String> environment = environment();

        for (String command : commands.subList(0, commands.size() - 1)) {
            run(command, tree, environment);
        }
        String launcher = commands.getLast();
        Matcher port = LOOPBACK_PORT.matcher(launcher);
        assertTrue(port.find(), "the page's last command listens on 127.0.0.1:PORT: " + launcher);
        String handler = launcher.replaceAll(".*--listen ([^@ ]+)@.*", "$1");
        List<String> words = new ArrayList<>(Arrays.asList(launcher.replace(port.group(), "127.0.0.1:0").split(" +")));
        words.set(0, tree.resolve(words.getFirst()).toString()); // ./run-echo, from the tree's root
        words.addAll(List.of("--metrics", "off"));
        long started = System.nanoTime();
        try (Child echo = Child.start(words, environment, tree)) {
            InetSocketAddress address = echo.awaitListening(handler, COMMAND_TIMEOUT);
            report(launcher + " (build and start)", started);
            assertTrue(echo.stdout().stream().anyMatch(line -> line.matches("plugin plugins/\\S+\\.jar \\(1 jar\\): "
                    + Pattern.quote(handler))), echo.log());
            play(talk, port.group(1), address, environment);
            echo.terminate();
            assertEquals(0, echo.awaitExit(), echo.log());
        }
    }

    /** The lines of the fenced block after the line that starts with {@code marker}. */
    private static List<String> block(String page, String marker) {
        List<String> lines = page.lines().toList();
        int at = 0;
        while (at < lines.size() && !lines.get(at).startsWith(marker)) {
            at++;
        }
        while (at < lines.size() && !lines.get(at).startsWith("```")) {
            at++;
        }
        int end = at + 1;
        while (end < lines.size() && !lines.get(end).startsWith("```")) {
            end++;
        }
        if (end >= lines.size()) {
            throw new AssertionError("docs/plugins.md has no fenced block after '" + marker + "'");
        }
        return lines.subList(at + 1, end);
    }

    /** Shell lines as commands: a line ending in a backslash goes on in the next. */
    private static List<String> commands(List<String> lines) {
        List<String> commands = new ArrayList<>();
        StringBuilder command = new StringBuilder();
        for (String line : lines) {
            boolean goesOn = line.endsWith("\\");
            command.append(goesOn ? line.substring(0, line.length() - 1) : line).append(goesOn ? " " : "");
            if (!goesOn) {
                if (!command.toString().isBlank()) {
                    commands.add(command.toString().strip().replaceAll("\\s+", " "));
                }
                command.setLength(0);
            }
        }
        return commands;
    }

    private static Map<String, String> environment() {
        Path repository = dir.resolve("repository");
        String tail = System.getProperty("loomport.m2");
        return Map.of("JAVA_HOME", System.getProperty("java.home"),
                "MAVEN_ARGS", "-B -ntp -o -Dmaven.repo.local=" + repository + " -Dmaven.repo.local.tail=" + tail);
    }

    /** Runs one command of the page with sh in {@code tree}; its output goes to a log, shown if it fails. */
    private static void run(String command, Path tree, Map<String, String> environment) throws Exception {
        Path log = Files.createTempFile(dir, "command-", ".log");
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).directory(tree.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        long started = System.nanoTime();
        Process process = builder.start();
        try {
            if (!process.waitFor(COMMAND_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("docs/plugins.md: '" + command + "' still runs after " + COMMAND_TIMEOUT
                        + "; its output ends:\n" + tail(log));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("docs/plugins.md: '" + command + "' exited " + process.exitValue()
                        + "; its output ends:\n" + tail(log));
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        report(command, started);
    }

    /**
     * The transcript: its first line is the command ({@code $ nc 127.0.0.1 7010}), then each line typed
     * is followed by the line the plug-in answers.
     */
    private static void play(List<String> talk, String documentedPort, InetSocketAddress address,
            Map<String, String> environment) throws Exception {
        assertTrue(talk.size() >= 3 && talk.size() % 2 == 1 && talk.getFirst().startsWith("$ "),
                "the talk block is '$ command' then pairs of a line typed and its answer: " + talk);
        List<String> command = List.of(talk.getFirst().substring(2).replace(documentedPort,
                Integer.toString(address.getPort())).split(" +"));
        if (onPath(command.getFirst())) {
            try (Child client = Child.start(command, environment)) {
                for (int i = 1; i < talk.size(); i += 2) {
                    client.send(talk.get(i) + "\n");
                    assertEquals(talk.get(i + 1), client.line(), client.log());
                }
            }
        } else {
            System.err.println("PluginPathIT: " + command.getFirst() + " is not on the PATH (.ci/run installs it):"
                    + " the transcript is played over a socket of the test's own");
            try (TestClient client = TestClient.connect(address, Child.TIMEOUT)) {
                for (int i = 1; i < talk.size(); i += 2) {
                    assertEquals(talk.get(i + 1), client.sendLine(talk.get(i)).readLine());
                }
            }
        }
    }

    private static boolean onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(entry -> !entry.isEmpty() && Files.isExecutable(Path.of(entry, program)));
    }

    /** Copies the source tree, without build output and version control, keeping file modes (./build). */
    private static Path copy(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attributes) throws IOException {
                Path relative = from.relativize(d);
                if (NOT_COPIED.contains(d.getFileName().toString()) || relative.toString().equals("plugins")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(relative));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (!NOT_COPIED.contains(file.getFileName().toString())) { // .git is a file in a worktree
                    Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return to;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    /** Each step's time, in the test's output: what the docs path costs the test command. */
    private static void report(String step, long startedNanos) {
        System.out.printf("PluginPathIT: %5.1f s  %s%n", (System.nanoTime() - startedNanos) / 1e9, step);
    }
}
