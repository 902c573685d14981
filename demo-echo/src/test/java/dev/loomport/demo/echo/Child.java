package dev.loomport.demo.echo;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process a test talks to line by line: above all the demo's launcher in a JVM of its own,
 * started as a user starts it ({@link #launcher()}), but any command too ({@code openssl s_client}).
 *
 * <p>Two virtual threads read its stdout and stderr until end of stream, so the child never blocks on
 * a full pipe and a test waits for a line with a timeout instead of hanging on one. The readers end
 * with the process: {@link #awaitExit()} waits for them, so that {@link #stdout()} and {@link #stderr()}
 * are then complete. {@link #close()} kills the process (SIGKILL) and waits for both.
 *
 * {@snippet :
 * try (Child demo = Child.launcher().start("--listen", "echo@127.0.0.1:0")) {
 *     InetSocketAddress echo = demo.awaitListening("echo");
 *     // ... talk to it ...
 *     demo.terminate(); // SIGTERM: a graceful stop
 *     assertEquals(0, demo.awaitExit());
 * }
 * }
 */
final class Child implements AutoCloseable {
    /** The longest any wait on a child lasts: generous, the machine may be loaded. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String END = "\u0000end of stream"; // queued after a stream's last line

    private final Process process;
    private final BlockingQueue<String> outQueue = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> errQueue = new LinkedBlockingQueue<>();
    private final List<String> outLines = new CopyOnWriteArrayList<>();
    private final List<String> errLines = new CopyOnWriteArrayList<>();
    private final Thread outReader;
    private final Thread errReader;

    private Child(Process process) {
        this.process = process;
        outReader = Thread.ofVirtual().name("child " + process.pid() + " stdout")
                .start(() -> read(process.inputReader(UTF_8), outQueue, outLines));
        errReader = Thread.ofVirtual().name("child " + process.pid() + " stderr")
                .start(() -> read(process.errorReader(UTF_8), errQueue, errLines));
    }

    /** Starts {@code command} with {@code environment} added to the test's own. */
    static Child start(List<String> command, Map<String, String> environment) throws IOException {
        return start(command, environment, null);
    }

    /**
     * Starts {@code command} in {@code directory} (the test's own when {@code null}) with
     * {@code environment} added to the test's own.
     */
    static Child start(List<String> command, Map<String, String> environment, Path directory) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory == null ? null : directory.toFile());
        builder.environment().putAll(environment);
        return new Child(builder.start());
    }

    static Child start(List<String> command) throws IOException {
        return start(command, Map.of());
    }

    /** The demo's launcher: say how to run it, then {@link Launcher#start start} it. */
    static Launcher launcher() {
        return new Launcher();
    }

    /**
     * The system property (set by the build's second failsafe execution) that forces the I/O path of every
     * launcher the ITs start, {@code jdk} or {@code loop}; unset, each launcher takes its JDK's default.
     */
    static final String IO_PATH = "dev.loomport.it.io";

    /**
     * The launcher's JVM options that force the I/O path {@link #IO_PATH} names ({@code -Ddev.loomport.io=...},
     * as a user would), or none when it names none.
     */
    static List<String> ioPathOptions() {
        String path = System.getProperty(IO_PATH, "");
        return switch (path) {
            case "" -> List.of();
            case "jdk", "loop" -> List.of("-Ddev.loomport.io=" + path);
            default -> throw new AssertionError("system property " + IO_PATH + " must be jdk or loop, not '" + path + "'");
        };
    }

    /** The demo's packaged module path, which the build passes as system property {@code loomport.modules}. */
    static Path modules() {
        String modules = System.getProperty("loomport.modules");
        if (modules == null || !Files.isDirectory(Path.of(modules))) {
            throw new AssertionError("system property loomport.modules (set by the build) is not a directory: "
                    + modules);
        }
        return Path.of(modules);
    }

    /**
     * How to run the launcher: {@code [prefix...] java [jvmArgs...] -p MODULES[:jars...] -m
     * dev.loomport.demo.echo args...}, or on the class path {@code java -cp MODULES/*[:jars...]
     * dev.loomport.demo.echo.Main args...}, with the test's own java, forcing the I/O path the build asks
     * for ({@link #IO_PATH}) unless told {@link #onDefaultIoPath()}.
     */
    static final class Launcher {
        private final List<String> prefix = new ArrayList<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<Path> jars = new ArrayList<>();
        private final Map<String, String> environment = new HashMap<>();
        private boolean classPath;
        private boolean jdkDefaultPath;

        private Launcher() {
        }

        /**
         * A command that runs the JVM, given java and its arguments after its own, such as
         * {@code bash -c 'ulimit -n 256 && exec "$0" "$@"'}. It must exec the JVM, so that signals and
         * the exit code are the JVM's own.
         */
        Launcher prefix(String... command) {
            prefix.addAll(List.of(command));
            return this;
        }

        Launcher jvmArgs(String... args) {
            jvmArgs.addAll(List.of(args));
            return this;
        }

        /** Jars next to the demo's modules on the module (or class) path: plug-ins. */
        Launcher jars(List<Path> more) {
            jars.addAll(more);
            return this;
        }

        /** Everything on the class path, started by its main class, as users without JPMS run it. */
        Launcher onClassPath() {
            classPath = true;
            return this;
        }

        /** On the JDK's default I/O path, whatever the build forces ({@link #IO_PATH}): to compare with it. */
        Launcher onDefaultIoPath() {
            jdkDefaultPath = true;
            return this;
        }

        Launcher env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /**
         * Starts the launcher with {@code args}, and {@code --metrics off} unless they say {@code --metrics}:
         * the default metrics port, 9464, is one per machine, and other builds run tests beside this one.
         */
        Child start(String... args) throws IOException {
            StringBuilder path = new StringBuilder((classPath ? modules().resolve("*") : modules()).toString());
            jars.forEach(jar -> path.append(File.pathSeparator).append(jar));
            List<String> command = new ArrayList<>(prefix);
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            if (!jdkDefaultPath) {
                command.addAll(ioPathOptions()); // before the test's own options, which may force another
            }
            command.addAll(jvmArgs);
            command.addAll(classPath ? List.of("-cp", path.toString(), "dev.loomport.demo.echo.Main")
                    : List.of("-p", path.toString(), "-m", "dev.loomport.demo.echo"));
            command.addAll(List.of(args));
            if (List.of(args).stream().noneMatch(a -> a.equals("--metrics") || a.startsWith("--metrics="))) {
                command.addAll(List.of("--metrics", "off"));
            }
            return Child.start(command, environment);
        }
    }

    /** A launcher's {@code listening HANDLER HOST:PORT} line. */
    record Listening(String handler, InetSocketAddress address) {
    }

    private static void read(BufferedReader reader, BlockingQueue<String> queue, List<String> all) {
        try (reader) {
            for (String line; (line = reader.readLine()) != null; ) {
                all.add(line);
                queue.add(line);
            }
        } catch (IOException e) {
            // the process is gone
        } finally {
            queue.add(END);
        }
    }

    /** The next line of stdout; fails the test after {@link #TIMEOUT} or at end of stream. */
    String line() throws InterruptedException {
        return next(outQueue, line -> true, "a line on stdout");
    }

    /** The next line of stderr that contains {@code text}; the lines before it are passed over. */
    String errLine(String text) throws InterruptedException {
        return next(errQueue, line -> line.contains(text), "a line with '" + text + "' on stderr");
    }

    /** Waits for the launcher's next {@code listening HANDLER HOST:PORT} line; other lines are passed over. */
    Listening awaitListening() throws InterruptedException {
        return listening(next(outQueue, l -> l.startsWith("listening "), "a 'listening HANDLER HOST:PORT' line"));
    }

    private static Listening listening(String line) {
        String[] words = line.split(" ");
        int colon = words[2].lastIndexOf(':');
        String host = words[2].substring(0, colon).replace("[", "").replace("]", "");
        return new Listening(words[1], new InetSocketAddress(host, Integer.parseInt(words[2].substring(colon + 1))));
    }

    /** Waits for the next {@code listening} line, which must be {@code handler}'s, and returns its address. */
    InetSocketAddress awaitListening(String handler) throws InterruptedException {
        return awaitListening(handler, TIMEOUT);
    }

    /**
     * {@link #awaitListening(String)}, waiting up to {@code timeout} instead of {@link #TIMEOUT}: for a
     * command that builds the launcher before it starts it ({@code ./run-echo}).
     */
    InetSocketAddress awaitListening(String handler, Duration timeout) throws InterruptedException {
        String line = next(outQueue, l -> l.startsWith("listening "), "a 'listening HANDLER HOST:PORT' line", timeout);
        Listening listening = listening(line);
        if (!listening.handler().equals(handler)) {
            throw new AssertionError("expected 'listening " + handler + " HOST:PORT', got " + listening + "; " + log());
        }
        return listening.address();
    }

    /** Waits for the launcher's {@code metrics http://HOST:PORT/metrics} line, printed after the listeners'. */
    URI awaitMetrics() throws InterruptedException {
        return URI.create(next(outQueue, l -> l.startsWith("metrics "), "a 'metrics URL' line").substring(8));
    }

    private String next(BlockingQueue<String> queue, Predicate<String> wanted, String what)
            throws InterruptedException {
        return next(queue, wanted, what, TIMEOUT);
    }

    private String next(BlockingQueue<String> queue, Predicate<String> wanted, String what, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            String line = queue.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            if (line.equals(END)) {
                queue.add(END); // for the next caller: the stream stays ended
                throw new AssertionError("the stream ended before " + what + "; " + log());
            }
            if (wanted.test(line)) {
                return line;
            }
        }
        throw new AssertionError("no " + what + " within " + timeout + "; " + log());
    }

    /**
     * The names the child's threads have in the kernel ({@code /proc/PID/task/TID/comm}): HotSpot gives
     * each platform thread its Java name there, cut to 15 bytes; virtual threads have none.
     */
    List<String> nativeThreadNames() throws IOException {
        List<String> names = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    names.add(Files.readString(task.resolve("comm"), UTF_8).strip());
                } catch (NoSuchFileException e) {
                    // the thread ended while we listed
                }
            }
        }
        return names;
    }

    /** Every line on stdout so far. */
    List<String> stdout() {
        return List.copyOf(outLines);
    }

    /** Every line on stderr so far. */
    List<String> stderr() {
        return List.copyOf(errLines);
    }

    /** Both streams so far, for a failure message. */
    String log() {
        return "stdout:\n" + String.join("\n", outLines) + "\nstderr:\n" + String.join("\n", errLines);
    }

    void send(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(UTF_8));
        in.flush();
    }

    /**
     * Closes stdin (a client such as s_client ends there), waits for the process to exit by itself and
     * for its output to be read to the end, and returns the exit code; fails after {@link #TIMEOUT}.
     */
    int awaitExit() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // the process has closed its end already
        }
        if (!process.waitFor(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("pid " + process.pid() + " did not exit within " + TIMEOUT + "; " + log());
        }
        awaitReaders();
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, as a service manager sends it. */
    void terminate() {
        process.destroy();
    }

    /** Sends a signal by name, such as {@code HUP}, with kill(1). */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    private void awaitReaders() throws InterruptedException {
        if (!outReader.join(TIMEOUT) || !errReader.join(TIMEOUT)) {
            throw new AssertionError("pid " + process.pid() + " has exited but its output has not ended:"
                    + " a process it started holds its pipes");
        }
    }

    /**
     * SIGKILL to the process and to every process it started (a script's build, say), then waits for the
     * process and its readers to end.
     */
    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("pid " + process.pid() + " still runs " + TIMEOUT + " after SIGKILL");
        }
        awaitReaders();
    }
}
