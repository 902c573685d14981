package dev.loomport.demo.echo;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Debian's haproxy on loopback for a test: a generated configuration in a temporary directory, in the
 * foreground ({@code -db}), no logging, an admin socket for the runtime API. Two {@code listen} sections,
 * {@code echo} and {@code whoami}, each balancing over the same two backends {@code a} and {@code b}.
 */
final class Haproxy implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** A launcher behind haproxy: its child JVM, and the two ports haproxy balances over. */
    record Backend(Child child, int echoPort, int whoamiPort) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            child.close();
        }
    }

    final int echoPort;
    final int whoamiPort;
    private final Path dir;
    private final Path adminSocket;
    private final Process process;

    private Haproxy(Path dir, int echoPort, int whoamiPort, Process process) {
        this.dir = dir;
        this.adminSocket = dir.resolve("admin.sock");
        this.echoPort = echoPort;
        this.whoamiPort = whoamiPort;
        this.process = process;
    }

    /** The haproxy on PATH, else Debian's (in /usr/sbin, which a non-root PATH may lack); null if none. */
    static Path executable() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "haproxy"))) {
                return Path.of(dir, "haproxy");
            }
        }
        return null;
    }

    /**
     * The configuration docs/deploy.md shows, with loopback ports. {@code serverOptions} says how to
     * talk to the backends, for example {@code send-proxy-v2}.
     */
    static String config(Path adminSocket, int echoPort, int whoamiPort, Backend a, Backend b, String serverOptions) {
        return """
                global
                    stats socket %s mode 600 level admin
                    # no "log" line: haproxy writes no log, and nothing goes to syslog

                defaults
                    mode tcp
                    timeout connect 2s
                    timeout client 30s
                    timeout server 30s
                    # A connect that fails (a backend that has stopped listening) is tried again on
                    # the other server at once, so the client never notices.
                    retries 3
                    option redispatch 1
                    default-server %s check inter 500ms fall 2 rise 1

                listen echo
                    bind 127.0.0.1:%d
                    balance roundrobin
                    unique-id-format %%{+X}o\\ %%ci:%%cp_%%fi:%%fp_%%Ts_%%rt:%%pid
                    server a 127.0.0.1:%d
                    server b 127.0.0.1:%d

                listen whoami
                    bind 127.0.0.1:%d
                    balance roundrobin
                    unique-id-format %%{+X}o\\ %%ci:%%cp_%%fi:%%fp_%%Ts_%%rt:%%pid
                    server a 127.0.0.1:%d
                    server b 127.0.0.1:%d
                """.formatted(adminSocket, serverOptions, echoPort, a.echoPort(), b.echoPort(),
                whoamiPort, a.whoamiPort(), b.whoamiPort());
    }

    /** Starts haproxy on two free loopback ports and waits until it answers on its admin socket. */
    static Haproxy start(Path dir, Backend a, Backend b, String serverOptions) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int echoPort = freePort();
            int whoamiPort = freePort();
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, config(dir.resolve("admin.sock"), echoPort, whoamiPort, a, b, serverOptions));
            Process p = new ProcessBuilder(executable().toString(), "-db", "-f", cfg.toString())
                    .redirectOutput(dir.resolve("haproxy.out").toFile())
                    .redirectError(dir.resolve("haproxy.err").toFile())
                    .start();
            Haproxy h = new Haproxy(dir, echoPort, whoamiPort, p);
            try {
                await().atMost(TIMEOUT).until(() -> {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("haproxy exited " + p.exitValue() + ": " + h.errors());
                    }
                    try {
                        return h.admin("show info").contains("Name: HAProxy");
                    } catch (IOException notYet) {
                        return false;
                    }
                });
                return h;
            } catch (RuntimeException e) {
                h.close();
                // Another process may have taken a port between our probe and haproxy's bind.
                if (attempt == 3 || !h.errors().contains("cannot bind")) {
                    throw e;
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** One command on the runtime API (non-interactive: haproxy answers and closes). */
    String admin(String command) throws IOException, InterruptedException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(adminSocket))) {
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(US_ASCII)));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            AtomicReference<IOException> failed = new AtomicReference<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                ByteBuffer buffer = ByteBuffer.allocate(8192);
                try {
                    while (channel.read(buffer.clear()) > 0) {
                        answer.write(buffer.array(), 0, buffer.position());
                    }
                } catch (IOException e) {
                    failed.set(e);
                }
            });
            if (!reader.join(Duration.ofSeconds(10))) {
                channel.close(); // unblocks the read
                reader.join();
                throw new IOException("haproxy did not answer '" + command + "' within 10s");
            }
            if (failed.get() != null) {
                throw failed.get();
            }
            return answer.toString(US_ASCII);
        }
    }

    /** A runtime API command that answers nothing when it works. */
    void command(String command) throws IOException, InterruptedException {
        String answer = admin(command).strip();
        if (!answer.isEmpty()) {
            throw new IllegalStateException("haproxy: '" + command + "' answered: " + answer);
        }
    }

    /** {@code show stat} as one map per proxy/server row, keyed by the CSV header's names. */
    Map<String, Map<String, String>> stats() throws IOException, InterruptedException {
        List<String> lines = admin("show stat").lines().filter(l -> !l.isBlank()).toList();
        String[] names = lines.getFirst().replaceFirst("^# ", "").split(",", -1);
        Map<String, Map<String, String>> rows = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",", -1);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < Math.min(names.length, values.length); i++) {
                row.put(names[i], values[i]);
            }
            rows.put(row.get("pxname") + "/" + row.get("svname"), row);
        }
        return rows;
    }

    /** One numeric field of one row, such as {@code stat("echo/a", "scur")}; an empty field is 0. */
    long stat(String row, String field) throws IOException, InterruptedException {
        Map<String, String> r = stats().get(row);
        if (r == null) {
            throw new IllegalStateException("no stats row " + row);
        }
        String v = r.getOrDefault(field, "");
        return v.isEmpty() ? 0 : Long.parseLong(v);
    }

    String status(String row) throws IOException, InterruptedException {
        return stats().get(row).get("status");
    }

    String errors() {
        try {
            return Files.readString(dir.resolve("haproxy.err"));
        } catch (IOException e) {
            return "(no haproxy.err: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
