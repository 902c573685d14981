package dev.loomport.demo.echo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The accept loop survives running out of file descriptors. The launcher runs in a child JVM under
 * {@code ulimit -n 256} (a JVM cannot lower its own limit, and exhausting the test JVM's would break
 * it); the test opens clients until the server's accepts fail with "Too many open files", checks that a
 * newcomer waits unserved, frees every descriptor, and sees the newcomer and a fresh client echoed.
 * The child's log must show one WARNING for the burst and one line when accepting resumes.
 */
class AcceptUnderFileLimitIT {
    private static final int FILE_LIMIT = 256;
    private static final int MAX_CLIENTS = 2 * FILE_LIMIT; // bounded: far more than the child can accept
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("listening echo (\\S+):(\\d+)");

    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();

    @Test
    void acceptingResumesOnceDescriptorsAreFreeAgain() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "ulimit and EMFILE as on Linux");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash for ulimit");
        String modules = System.getProperty("loomport.modules");
        assertNotNull(modules, "system property loomport.modules (set by the failsafe configuration)");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // "$0" "$@": the JVM's arguments pass through bash untouched.
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", "-c", "ulimit -n " + FILE_LIMIT + " && exec \"$0\" \"$@\"",
                java, "-p", modules, "-m", "dev.loomport.demo.echo", "--metrics", "off", "--listen", "echo@127.0.0.1:0");
        Process child = builder.start();
        List<Socket> clients = new ArrayList<>();
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            readers.submit(() -> collect(child.getInputStream(), out));
            readers.submit(() -> collect(child.getErrorStream(), err));
            try {
                exhaustAndRecover(child, clients);
            } finally {
                closeAll(clients);
                child.destroy(); // SIGTERM: the launcher stops gracefully
                if (!child.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)) {
                    child.destroyForcibly().waitFor();
                }
            } // the readers end with the child's streams
        }
        assertEquals(0, child.exitValue(), () -> "the launcher exits 0 on SIGTERM; its log:\n" + log());
    }

    private void exhaustAndRecover(Process child, List<Socket> clients) throws Exception {
        await().atMost(BOUND).until(() -> out.stream().anyMatch(l -> LISTENING.matcher(l).find()) || !child.isAlive());
        Matcher listening = out.stream().map(LISTENING::matcher).filter(Matcher::find).findFirst()
                .orElseThrow(() -> new AssertionError("the launcher did not start; its log:\n" + log()));
        InetSocketAddress address = new InetSocketAddress(listening.group(1), Integer.parseInt(listening.group(2)));

        // Fill the child's descriptor table: every client it accepts holds one. The kernel completes the
        // handshakes it cannot accept and keeps them in the backlog.
        while (clients.size() < MAX_CLIENTS && !acceptFailed()) {
            clients.add(connect(address));
        }
        await().atMost(BOUND).untilAsserted(() -> assertTrue(acceptFailed(),
                () -> clients.size() + " clients and no failed accept yet; the log:\n" + log()));
        assertTrue(child.isAlive(), "the server is still up");

        // A newcomer now waits, unserved, in the backlog.
        Socket newcomer = connect(address);
        clients.add(newcomer);
        byte[] hello = "hello after EMFILE\n".getBytes(StandardCharsets.US_ASCII);
        newcomer.getOutputStream().write(hello);
        newcomer.setSoTimeout(1_000);
        assertThrows(SocketTimeoutException.class, () -> newcomer.getInputStream().read(),
                "not served while the server has no descriptor to accept it with");

        // Free every descriptor: each accepted client's handler sees end of stream and closes its socket.
        closeAll(clients.subList(0, clients.size() - 1));
        newcomer.setSoTimeout((int) BOUND.toMillis());
        assertArrayEquals(hello, newcomer.getInputStream().readNBytes(hello.length),
                "the newcomer is accepted once descriptors are free, with nothing lost");
        try (Socket fresh = connect(address)) {
            fresh.getOutputStream().write(hello);
            assertArrayEquals(hello, fresh.getInputStream().readNBytes(hello.length), "and new clients are served");
        }

        await().atMost(BOUND).untilAsserted(() -> assertTrue(err.stream().anyMatch(l -> l.contains("accepting again after")),
                () -> "the end of the burst is logged; the log:\n" + log()));
        long warnings = err.stream().filter(l -> l.contains(" WARNING ") && l.contains("accept failed")).count();
        assertEquals(1, warnings, () -> "one WARNING for the one burst; the log:\n" + log());
        assertTrue(err.stream().anyMatch(l -> l.contains("Too many open files")), () -> "the cause is named:\n" + log());
    }

    private boolean acceptFailed() {
        return err.stream().anyMatch(l -> l.contains("accept failed"));
    }

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, (int) BOUND.toMillis());
        s.setSoTimeout((int) BOUND.toMillis());
        return s;
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    private static Void collect(InputStream stream, List<String> lines) throws IOException {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                lines.add(line);
            }
        }
        return null;
    }

    private String log() {
        return String.join("\n", out) + "\n" + String.join("\n", err);
    }
}
