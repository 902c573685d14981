package dev.loomport.demo.echo;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomport.demo.echo.Haproxy.Backend;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real thing: Debian's haproxy on loopback in front of two launchers (child JVMs), sending the PROXY
 * protocol. Checks that bytes echo through the balancer, that a handler sees the client's real address
 * and port, that both backends get connections, and that a backend taken out of rotation and stopped
 * with SIGTERM drains without any client seeing an error.
 *
 * <p>Why the backend is set to {@code drain} in haproxy before SIGTERM: when a listening socket closes,
 * the kernel resets connections it has completed but the server has not accepted yet, and haproxy has
 * already sent them their first bytes, so it cannot retry them. Every server has that window; the way
 * round it is to stop the balancer sending first (haproxy's runtime API here, a Kubernetes preStop
 * delay, a cloud balancer's deregistration delay), then SIGTERM. docs/deploy.md says the same.
 */
@Tag("io-path") // also run on the non-default I/O path: see demo-echo/pom.xml
class HaproxyIT {
    @TempDir
    Path dir;

    @BeforeAll
    static void haproxyIsInstalled() {
        assumeTrue(Haproxy.executable() != null, "haproxy is not installed, so the load-balancer test is skipped"
                + " (.ci/run installs Debian's package; locally: apt-get install haproxy)");
    }

    @ParameterizedTest(name = "haproxy {0}, loomport proxy-protocol={1}")
    @CsvSource({
        "send-proxy-v2 proxy-v2-options crc32c+unique-id, v2",
        "send-proxy, any",
    })
    void behindHaproxy(String serverOptions, String proxyProtocol) throws Exception {
        String options = serverOptions.replace('+', ',');
        String version = options.startsWith("send-proxy-v2") ? "v2" : "v1";
        try (Backend a = backend(proxyProtocol);
             Backend b = backend(proxyProtocol);
             Haproxy haproxy = Haproxy.start(dir, a, b, options)) {
            for (String row : new String[] {"echo/a", "echo/b", "whoami/a", "whoami/b"}) {
                await().atMost(Haproxy.TIMEOUT).until(() -> haproxy.status(row).equals("UP"));
            }

            // Bytes echo through the balancer, byte for byte, both ways.
            for (int i = 0; i < 10; i++) {
                byte[] data = pattern(1 + i * 7919);
                assertArrayEquals(data, echo(haproxy.echoPort, data), "round trip " + i);
            }

            // The handler sees the client: its address and ephemeral port, and the address it dialled.
            Set<Integer> backends = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                try (Socket client = connect(haproxy.whoamiPort)) {
                    Map<String, String> who = parse(readAll(client));
                    assertEquals("127.0.0.1:" + client.getLocalPort(), who.get("remote"), who.toString());
                    assertEquals("127.0.0.1:" + haproxy.whoamiPort, who.get("local"), who.toString());
                    assertEquals(version, who.get("proxy"), who.toString());
                    backends.add(port(who.get("proxy-local")));
                }
            }
            assertEquals(Set.of(a.whoamiPort(), b.whoamiPort()), backends, "round robin reaches both backends");

            gracefulStop(haproxy, a, b, version);
            redispatchAroundADeadBackend(haproxy, a, b);

            b.child().terminate();
            assertEquals(0, b.child().awaitExit(), b.child().log());
        }
    }

    /**
     * A launcher as it would run in production, serving {@code echo} and {@code whoami} on ephemeral
     * loopback ports behind a PROXY protocol sender, in a small JVM.
     */
    private static Backend backend(String proxyProtocol) throws IOException, InterruptedException {
        String proxy = ",proxy-protocol=" + proxyProtocol + ",proxy-trusted=127.0.0.0/8;::1/128";
        Child child = Child.launcher().jvmArgs("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                .start("--listen", "echo@127.0.0.1:0" + proxy, "--listen", "whoami@127.0.0.1:0" + proxy,
                        "--grace", "30s");
        try {
            return new Backend(child, child.awaitListening("echo").getPort(), child.awaitListening("whoami").getPort());
        } catch (AssertionError e) {
            child.close();
            throw e;
        }
    }

    /**
     * Backend a leaves: out of rotation in haproxy, then SIGTERM. Two long connections (one on each
     * backend) stay open across it and keep working; a stream of new clients never fails and, once a is
     * out of rotation, only ever reaches b; a exits 0 once its last connection is done.
     */
    private void gracefulStop(Haproxy haproxy, Backend a, Backend b, String version) throws Exception {
        await().atMost(Haproxy.TIMEOUT).until(() -> haproxy.stat("echo/a", "scur") == 0
                && haproxy.stat("echo/b", "scur") == 0);
        try (Socket first = connect(haproxy.echoPort); Socket second = connect(haproxy.echoPort)) {
            for (Socket s : new Socket[] {first, second}) {
                assertArrayEquals(bytes("hold"), exchange(s, bytes("hold")));
            }
            // Round robin put one on each: whichever is on a must outlive a's SIGTERM.
            await().atMost(Haproxy.TIMEOUT).until(() -> haproxy.stat("echo/a", "scur") == 1
                    && haproxy.stat("echo/b", "scur") == 1);

            Traffic traffic = Traffic.start(haproxy);
            try (traffic) {
                await().atMost(Haproxy.TIMEOUT).until(() -> traffic.iterations.get() >= 20);
                haproxy.command("set server echo/a state drain");
                haproxy.command("set server whoami/a state drain");
                traffic.drained = true;
                // Nothing but our long connection is left on a, and nothing new is on its way there.
                await().atMost(Haproxy.TIMEOUT).until(() -> haproxy.stat("echo/a", "scur") == 1
                        && haproxy.stat("whoami/a", "scur") == 0);

                a.child().terminate();
                await().atMost(Haproxy.TIMEOUT).untilAsserted(() ->
                        assertThrows(ConnectException.class, () -> connect(a.echoPort()).close()));
                assertTrue(a.child().isAlive(),
                        "a drains its open connection instead of exiting: " + a.child().log());
                for (Socket s : new Socket[] {first, second}) {
                    assertArrayEquals(bytes("after SIGTERM"), exchange(s, bytes("after SIGTERM")));
                    s.shutdownOutput();
                    assertEquals(-1, s.getInputStream().read());
                }
                assertEquals(0, a.child().awaitExit(), "a stops with exit code 0 once drained: " + a.child().log());

                int before = traffic.afterDrain.get();
                await().atMost(Haproxy.TIMEOUT).until(() -> traffic.afterDrain.get() >= before + 20);
            }
            System.out.printf("HaproxyIT PROXY %s: %d clients during a's stop, %d of them after a left rotation,"
                    + " %d errors%n", version, traffic.iterations.get(), traffic.afterDrain.get(), traffic.errors.size());
            assertEquals(Set.of(), Set.copyOf(traffic.errors), "no client saw an error");
            assertEquals(Set.of(b.whoamiPort()), Set.copyOf(traffic.backendsAfterDrain),
                    "after a was drained, new connections went only to b");
        }
    }

    /**
     * a is dead but haproxy is told it is up and unchecked, as if a backend died between two health
     * checks: half the connects are refused, and every one is retried on b at once.
     */
    private void redispatchAroundADeadBackend(Haproxy haproxy, Backend a, Backend b) throws Exception {
        for (String row : new String[] {"echo/a", "whoami/a"}) {
            haproxy.command("disable health " + row);
            // A row the checks have already marked DOWN stays DOWN without this (haproxy 2.6), and a
            // backend no connection is sent to redispatches none.
            haproxy.command("set server " + row + " health up");
            haproxy.command("set server " + row + " state ready");
        }
        long redispatchedBefore = haproxy.stat("whoami/a", "wredis") + haproxy.stat("echo/a", "wredis");
        for (int i = 0; i < 10; i++) {
            byte[] data = pattern(100 + i);
            assertArrayEquals(data, echo(haproxy.echoPort, data));
            try (Socket client = connect(haproxy.whoamiPort)) {
                Map<String, String> who = parse(readAll(client));
                assertEquals(b.whoamiPort(), port(who.get("proxy-local")), who.toString());
                assertEquals("127.0.0.1:" + client.getLocalPort(), who.get("remote"));
            }
        }
        long redispatched = haproxy.stat("whoami/a", "wredis") + haproxy.stat("echo/a", "wredis") - redispatchedBefore;
        System.out.printf("HaproxyIT: %d connects to the dead backend redispatched to the live one%n", redispatched);
        assertTrue(redispatched > 0, "connections meant for the dead a were redispatched to b: " + redispatched);
    }

    /** A stream of new clients, one after another: an echo round trip and a whoami, until closed. */
    private static final class Traffic implements AutoCloseable {
        final Queue<String> errors = new ConcurrentLinkedQueue<>();
        final Queue<Integer> backendsAfterDrain = new ConcurrentLinkedQueue<>();
        final AtomicInteger iterations = new AtomicInteger();
        final AtomicInteger afterDrain = new AtomicInteger();
        volatile boolean drained;
        private volatile boolean stop;
        private Thread thread;

        static Traffic start(Haproxy haproxy) {
            Traffic t = new Traffic();
            t.thread = Thread.ofVirtual().name("traffic").start(() -> t.run(haproxy));
            return t;
        }

        private void run(Haproxy haproxy) {
            long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            for (int i = 0; !stop && i < 20_000 && System.nanoTime() < end; i++) {
                boolean afterDrainStarted = drained; // read before connecting: the connection is newer
                try {
                    byte[] data = pattern(1 + i % 4096);
                    if (!Arrays.equals(data, echo(haproxy.echoPort, data))) {
                        errors.add("echo " + i + ": wrong bytes");
                    }
                    try (Socket client = connect(haproxy.whoamiPort)) {
                        Map<String, String> who = parse(readAll(client));
                        if (!("127.0.0.1:" + client.getLocalPort()).equals(who.get("remote"))) {
                            errors.add("whoami " + i + ": " + who);
                        }
                        if (afterDrainStarted) {
                            backendsAfterDrain.add(port(who.get("proxy-local")));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    errors.add("iteration " + i + (afterDrainStarted ? " (after drain)" : "") + ": " + e);
                }
                iterations.incrementAndGet();
                if (afterDrainStarted) {
                    afterDrain.incrementAndGet();
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            if (!thread.join(Sockets.TIMEOUT.multipliedBy(2))) {
                throw new IllegalStateException("traffic did not stop");
            }
        }
    }

    // ---- clients ----

    private static Socket connect(int port) throws IOException {
        return Sockets.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    private static byte[] echo(int port, byte[] data) throws IOException {
        return Sockets.roundTrip(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), data);
    }

    /** Writes, then reads back exactly as many bytes. */
    private static byte[] exchange(Socket s, byte[] data) throws IOException {
        s.getOutputStream().write(data);
        byte[] back = s.getInputStream().readNBytes(data.length);
        if (back.length != data.length) {
            throw new IOException("EOF after " + back.length + " of " + data.length + " bytes");
        }
        return back;
    }

    private static String readAll(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), US_ASCII);
    }

    /** {@code key=value key=value\n} as whoami writes it. */
    private static Map<String, String> parse(String line) throws IOException {
        if (!line.endsWith("\n")) {
            throw new IOException("whoami answered no whole line: '" + line + "'");
        }
        Map<String, String> out = new HashMap<>();
        for (String pair : line.strip().split(" ")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return out;
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(US_ASCII);
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + n);
        }
        return b;
    }
}
