package dev.loomport.demo.echo;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher in a child JVM, as it would run in production: {@code java -p <modules> -m
 * dev.loomport.demo.echo}, serving {@code echo} and {@code whoami} on ephemeral loopback ports behind a
 * PROXY protocol sender.
 */
record Backend(String name, Process process, int echoPort, int whoamiPort, Path log) implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening (\\w+) 127\\.0\\.0\\.1:(\\d+)");

    /** Starts a launcher and waits for both its {@code listening} lines. */
    static Backend launch(Path dir, String name, String proxyProtocol) throws IOException, InterruptedException {
        String modules = System.getProperty("loomport.modules");
        if (modules == null) {
            throw new IllegalStateException("system property loomport.modules is not set (failsafe sets it)");
        }
        String proxy = ",proxy-protocol=" + proxyProtocol + ",proxy-trusted=127.0.0.0/8;::1/128";
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-p", modules, "-m", "dev.loomport.demo.echo",
                "--listen", "echo@127.0.0.1:0" + proxy,
                "--listen", "whoami@127.0.0.1:0" + proxy,
                "--grace", "30s", "--metrics", "off"));
        Path log = dir.resolve(name + ".err");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        // Reads the child's stdout until it exits, so the child never blocks on a full pipe.
        Thread.ofVirtual().name("backend " + name + " stdout").start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(stdout failed: " + e + ")");
            }
        });
        int echo = 0;
        int whoami = 0;
        while (echo == 0 || whoami == 0) {
            String line = lines.poll(60, TimeUnit.SECONDS);
            if (line == null) {
                process.destroyForcibly();
                throw new IllegalStateException("backend " + name + " printed no 'listening' line within 60s; stderr: "
                        + Files.readString(log));
            }
            Matcher m = LISTENING.matcher(line);
            if (m.matches() && m.group(1).equals("echo")) {
                echo = Integer.parseInt(m.group(2));
            } else if (m.matches() && m.group(1).equals("whoami")) {
                whoami = Integer.parseInt(m.group(2));
            }
        }
        return new Backend(name, process, echo, whoami, log);
    }

    /** SIGTERM: the launcher stops gracefully (stops accepting, drains, exits 0). */
    void terminate() {
        process.destroy();
    }

    /** Waits for the exit and returns its code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("backend " + name + " still running 60s after SIGTERM");
        }
        return process.exitValue();
    }

    String stderr() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
