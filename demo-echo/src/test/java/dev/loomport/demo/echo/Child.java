package dev.loomport.demo.echo;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process the test talks to line by line: its stdout and stderr are read into queues by two
 * threads the child owns, so a test can wait for a line with a timeout and never hangs on a pipe.
 * Closing it ends the process (SIGTERM, then SIGKILL) and its reader threads.
 */
final class Child implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String END = "\u0000end of stream";

    private final Process process;
    private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
    private final BlockingQueue<String> out = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> err = new LinkedBlockingQueue<>();
    private final StringBuffer errText = new StringBuffer();

    private Child(Process process) {
        this.process = process;
        readers.execute(() -> pump(process.getInputStream(), out, null));
        readers.execute(() -> pump(process.getErrorStream(), err, errText));
    }

    static Child start(List<String> command, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        return new Child(builder.start());
    }

    private static void pump(InputStream in, BlockingQueue<String> lines, StringBuffer all) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                lines.add(line);
                if (all != null) {
                    all.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            // the process ended
        } finally {
            lines.add(END);
        }
    }

    /** The next line of stdout; fails the test after the timeout or at end of stream. */
    String line() throws InterruptedException {
        String line = out.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null || line.equals(END)) {
            throw new AssertionError((line == null ? "no line on stdout within " + TIMEOUT : "stdout ended")
                    + "; stderr so far:\n" + stderr());
        }
        return line;
    }

    /** The next line of stderr that contains {@code text}; fails the test after the timeout. */
    String errLine(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            String line = err.poll(left, TimeUnit.NANOSECONDS);
            if (line == null || line.equals(END)) {
                break;
            }
            if (line.contains(text)) {
                return line;
            }
        }
        throw new AssertionError("no line with '" + text + "' on stderr; it was:\n" + stderr());
    }

    void send(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(UTF_8));
        in.flush();
    }

    /** Closes stdin and waits for the exit code. */
    int exit() throws IOException, InterruptedException {
        process.getOutputStream().close();
        if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("process did not exit within " + TIMEOUT + "; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /** Everything the process has written to stderr so far. */
    String stderr() {
        return errText.toString();
    }

    long pid() {
        return process.pid();
    }

    /** Sends a signal with the shell's kill, such as {@code HUP}. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + process.pid()).inheritIO().start();
        if (!kill.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        readers.close(); // the pipes are closed now: the readers end
    }
}
