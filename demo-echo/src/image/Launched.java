import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The demo launcher started from a runtime image's {@code bin/loomport-echo}, for the image's training
 * run and its benchmark (bin/image, bin/image-bench; these tools are compiled by those scripts, not by
 * Maven). Reads the launcher's stdout on a virtual thread so it never blocks on a full pipe, and stops
 * it with SIGTERM as a service manager does.
 */
final class Launched implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 120; // generous: the machine may be loaded
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();

    private Launched(Process process) {
        this.process = process;
        Thread.ofVirtual().name("launcher stdout").start(() -> {
            try (BufferedReader reader = process.inputReader(UTF_8)) {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            } finally {
                lines.add("\u0000end");
            }
        });
    }

    /** Starts {@code command} with {@code env} added to this process's; its stderr goes to {@code log}. */
    static Launched start(List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
        builder.environment().putAll(env);
        return new Launched(builder.start());
    }

    long pid() {
        return process.pid();
    }

    /** The address of the next {@code listening HANDLER HOST:PORT} line (or, for "metrics", the URL's). */
    InetSocketAddress await(String prefix) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            String line = lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null || line.equals("\u0000end")) {
                break;
            }
            all.add(line);
            if (line.startsWith(prefix)) {
                String address = line.substring(line.lastIndexOf(' ') + 1).replaceFirst("^http://", "")
                        .replaceFirst("/.*$", "");
                int colon = address.lastIndexOf(':');
                return new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
            }
        }
        throw new IOException("the launcher (pid " + process.pid() + ") printed no '" + prefix + "' line; stdout: " + all);
    }

    /** SIGTERM, then the exit code; fails if it does not exit within the timeout. */
    int terminate() throws IOException, InterruptedException {
        process.destroy(); // SIGTERM on Unix
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IOException("the launcher (pid " + process.pid() + ") did not exit on SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
