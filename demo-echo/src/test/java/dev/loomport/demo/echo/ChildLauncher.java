package dev.loomport.demo.echo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The launcher in a child JVM, as a user runs it: the same java as the test's, the demo's module path
 * (built by Maven into demo-echo/target/modules and passed as system property loomport.modules).
 * Its output lines are collected on two virtual threads that end with the process.
 */
final class ChildLauncher implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final BlockingQueue<String> out = new LinkedBlockingQueue<>();
    private final List<String> err = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread errReader;

    private ChildLauncher(List<String> command) throws IOException {
        if (!command.contains("--metrics")) {
            command.addAll(List.of("--metrics", "off")); // the default port, 9464, is one per machine
        }
        process = new ProcessBuilder(command).start();
        Thread.ofVirtual().name("child stdout").start(() -> lines(process.inputReader(), out::add));
        errReader = Thread.ofVirtual().name("child stderr").start(() -> lines(process.errorReader(), err::add));
    }

    private static void lines(BufferedReader reader, java.util.function.Consumer<String> sink) {
        try (reader) {
            for (String line; (line = reader.readLine()) != null; ) {
                sink.accept(line);
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    static Path modules() {
        return Path.of(System.getProperty("loomport.modules", "target/modules"));
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java [jvmArgs] -p <modules>[:extra...] -m dev.loomport.demo.echo args...} */
    static ChildLauncher onModulePath(List<Path> extraModules, String... args) throws IOException {
        StringBuilder path = new StringBuilder(modules().toString());
        extraModules.forEach(p -> path.append(java.io.File.pathSeparator).append(p));
        List<String> command = new ArrayList<>(List.of(java(), "-p", path.toString(), "-m", "dev.loomport.demo.echo"));
        command.addAll(List.of(args));
        return new ChildLauncher(command);
    }

    /** {@code java -cp <modules>/*:extra... dev.loomport.demo.echo.Main args...} */
    static ChildLauncher onClassPath(List<Path> extraJars, String... args) throws IOException {
        StringBuilder path = new StringBuilder(modules().resolve("*").toString());
        extraJars.forEach(p -> path.append(java.io.File.pathSeparator).append(p));
        List<String> command = new ArrayList<>(List.of(java(), "-cp", path.toString(), "dev.loomport.demo.echo.Main"));
        command.addAll(List.of(args));
        return new ChildLauncher(command);
    }

    /** Waits for the next {@code listening HANDLER HOST:PORT} line and returns its address. */
    InetSocketAddress awaitListening(String handler) throws InterruptedException {
        String line = out.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (line == null || !line.startsWith("listening " + handler + " ")) {
            throw new AssertionError("expected 'listening " + handler + " HOST:PORT', got " + line
                    + "; stderr: " + err);
        }
        String hostPort = line.substring(line.lastIndexOf(' ') + 1);
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("child did not exit; stderr: " + err);
        }
        return process.exitValue();
    }

    /** SIGTERM, as a service manager sends it. */
    void terminate() {
        process.destroy();
    }

    /** Everything the child wrote to stderr, once it has exited. */
    List<String> stderr() throws InterruptedException {
        awaitExit();
        errReader.join(TIMEOUT); // the pipe is drained once its reader has seen EOF
        return List.copyOf(err);
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
