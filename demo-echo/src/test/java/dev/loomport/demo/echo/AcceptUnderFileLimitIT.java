package dev.loomport.demo.echo;

import static dev.loomport.demo.echo.Sockets.connect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The accept loop survives running out of file descriptors. The launcher runs in a child JVM under
 * {@code ulimit -n 256} (a JVM cannot lower its own limit, and exhausting the test JVM's would break
 * it); the test opens clients until the server's accepts fail with "Too many open files", checks that a
 * newcomer waits unserved, frees every descriptor, and sees the newcomer and a fresh client echoed.
 * The child's log must show one WARNING for the burst and one line when accepting resumes.
 */
@Tag("io-path") // also run on the non-default I/O path: see demo-echo/pom.xml
class AcceptUnderFileLimitIT {
    private static final int FILE_LIMIT = 256;
    private static final int MAX_CLIENTS = 2 * FILE_LIMIT; // bounded: far more than the child can accept
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void acceptingResumesOnceDescriptorsAreFreeAgain() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "ulimit and EMFILE as on Linux");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash for ulimit");
        // "$0" "$@": the JVM's arguments pass through bash untouched.
        String ulimit = "ulimit -n " + FILE_LIMIT + " && exec \"$0\" \"$@\"";
        try (Child child = Child.launcher().prefix("/bin/bash", "-c", ulimit).start("--listen", "echo@127.0.0.1:0")) {
            List<Socket> clients = new ArrayList<>();
            try {
                exhaustAndRecover(child, clients);
            } finally {
                closeAll(clients);
            }
            child.terminate(); // SIGTERM: the launcher stops gracefully
            assertEquals(0, child.awaitExit(), () -> "the launcher exits 0 on SIGTERM; its log:\n" + child.log());
        }
    }

    private static void exhaustAndRecover(Child child, List<Socket> clients) throws Exception {
        InetSocketAddress address = child.awaitListening("echo");

        // Fill the child's descriptor table: every client it accepts holds one. The kernel completes the
        // handshakes it cannot accept and keeps them in the backlog.
        while (clients.size() < MAX_CLIENTS && !logged(child, "accept failed")) {
            clients.add(connect(address));
        }
        await().atMost(BOUND).untilAsserted(() -> assertTrue(logged(child, "accept failed"),
                () -> clients.size() + " clients and no failed accept yet; the log:\n" + child.log()));
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

        await().atMost(BOUND).untilAsserted(() -> assertTrue(logged(child, "accepting again after"),
                () -> "the end of the burst is logged; the log:\n" + child.log()));
        long warnings = child.stderr().stream().filter(l -> l.contains(" WARNING ") && l.contains("accept failed"))
                .count();
        assertEquals(1, warnings, () -> "one WARNING for the one burst; the log:\n" + child.log());
        assertTrue(logged(child, "Too many open files"), () -> "the cause is named:\n" + child.log());
    }

    private static boolean logged(Child child, String text) {
        return child.stderr().stream().anyMatch(l -> l.contains(text));
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }
}
