package dev.loomport.hostile;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The echo demo's launcher in a child JVM, started as a user starts it ({@code java -p MODULES -m
 * dev.loomport.demo.echo}), with its metrics endpoint on a free loopback port. It knows the child's
 * listeners, scrapes its metrics and reads its resident memory from {@code /proc}.
 *
 * <p>The child's heap is capped ({@link #HEAP}) so that "RSS bounded" means something: without a cap
 * the JVM sizes its heap from the machine's memory and RSS would say more about the GC than the server.
 */
final class Demo implements AutoCloseable {
    static final String HEAP = "-Xmx256m";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String END = "\u0000end";

    private final Process process;
    private final List<InetSocketAddress> listeners = new ArrayList<>();
    private final URI metrics;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private Demo(Process process, int listenerCount) throws IOException, InterruptedException {
        this.process = process;
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        drain(process.inputReader(UTF_8), lines);
        drain(process.errorReader(UTF_8), new LinkedBlockingQueue<>());
        URI found = null;
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (found == null) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(END)) {
                process.destroyForcibly();
                throw new IOException("the demo did not start within " + START_TIMEOUT + ": " + log);
            }
            if (line.startsWith("listening ")) {
                String where = line.split(" ")[2];
                int colon = where.lastIndexOf(':');
                listeners.add(new InetSocketAddress(where.substring(0, colon).replace("[", "").replace("]", ""),
                        Integer.parseInt(where.substring(colon + 1))));
            } else if (line.startsWith("metrics ")) {
                found = URI.create(line.substring("metrics ".length()));
            }
        }
        metrics = found;
        if (listeners.size() != listenerCount) {
            close();
            throw new IOException("expected " + listenerCount + " listeners, the demo printed " + log);
        }
    }

    /**
     * Starts the demo from {@code modules} with {@code grace} and one {@code --listen} per spec, and waits
     * until it prints its metrics URL (after every listener accepts).
     */
    static Demo start(Path javaHome, Path modules, Duration grace, String... specs)
            throws IOException, InterruptedException {
        if (!Files.isDirectory(modules)) {
            throw new IOException("the demo's module path is not a directory: " + modules
                    + " (build it with ./build -q -B -DskipTests package)");
        }
        List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString(), HEAP,
                "-p", modules.toString(), "-m", "dev.loomport.demo.echo",
                "--metrics", "127.0.0.1:0", "--grace", grace.toMillis() + "ms"));
        for (String spec : specs) {
            command.add("--listen");
            command.add(spec);
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put(Tls.PASSWORD_ENV, Tls.PASSWORD);
        return new Demo(builder.start(), specs.length);
    }

    private void drain(BufferedReader reader, BlockingQueue<String> lines) {
        Thread.ofVirtual().name("demo output").start(() -> {
            try (reader) {
                for (String line; (line = reader.readLine()) != null; ) {
                    log.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            } finally {
                lines.add(END);
            }
        });
    }

    /** The {@code i}th listener's address, in the order of the specs. */
    InetSocketAddress listener(int i) {
        return listeners.get(i);
    }

    InetSocketAddress metricsAddress() {
        return new InetSocketAddress(metrics.getHost(), metrics.getPort());
    }

    long pid() {
        return process.pid();
    }

    /** The metrics endpoint's answer now, parsed. */
    Scrape scrape() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(20)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + metrics + " answered " + response.statusCode());
        }
        return Scrape.parse(response.body());
    }

    /** The child's resident memory now, in bytes (VmRSS in /proc/PID/status), or 0 once it has exited. */
    long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // exited
        }
        return 0;
    }

    /** SIGTERM, as a service manager sends it. */
    void terminate() {
        process.destroy();
    }

    /** Waits up to {@code timeout} for the child to exit; its exit code, or -1 if it still runs. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS) ? process.exitValue() : -1;
    }

    String log() {
        return String.join("\n", log);
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
