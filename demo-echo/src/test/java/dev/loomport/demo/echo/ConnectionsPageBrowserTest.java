package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomport.Server;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connections page in a real browser: headless Chromium loads {@code /} from the demo's endpoint
 * (a real echo server's listener, first with 10,000 made-up open connections, then with the server's
 * own), runs its script for a few seconds of virtual time, and the DOM it leaves shows the listener,
 * the cap, the newest rows, the chart, and the real connections' rows.
 * A screenshot of the same page is left in {@code target/connections-page.png} (docs/observability.md
 * shows one). Skipped, saying so, where no Chromium is installed ({@code .ci/run} installs Debian's).
 */
@Timeout(180)
class ConnectionsPageBrowserTest {
    private static final long BROWSER_SECONDS = 90;

    @TempDir
    Path dir;

    @Test
    void thePageShowsListenersTheCapTheNewestConnectionsAndTheChart() throws Exception {
        Optional<Path> chromium = chromium();
        assumeTrue(chromium.isPresent(), "no chromium on PATH (apt-get install chromium, or set CHROMIUM): "
                + "the connections page is not tested in a browser");
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0));
                Server server = ConnectionsPageTest.echoServer("browser")) {
            InetSocketAddress address = server.listeners().getFirst().address();
            byte[] data = Sockets.payload(64, 3);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(data, Sockets.roundTrip(address, data));
            }
            endpoint.show(new FakeConnections(server.listeners(), 10_000));
            // Four real connections held open, so the listener's meters (the table's "open", the chart)
            // show some; the 10,000 rows are made up, to show the cap; then the server's own rows.
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket socket = Sockets.connect(address);
                    held.add(socket);
                    byte[] hello = Sockets.payload(100 * (i + 1), i);
                    socket.getOutputStream().write(hello);
                    assertArrayEquals(hello, socket.getInputStream().readNBytes(hello.length));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> server.activeConnections() == 4);
                checkCapped(chromium.get(), endpoint, address);
                endpoint.show(ConnectionSource.of(server));
                checkReal(chromium.get(), endpoint, held);
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }

    private void checkCapped(Path chromium, MetricsEndpoint endpoint, InetSocketAddress address) throws Exception {
        String dom = browse(chromium, endpoint.pageUrl(), "--dump-dom");

        assertTrue(dom.contains("<tr data-listener=\"browser\"><td class=\"text\">browser</td>"
                + "<td class=\"text\">echo</td><td class=\"text\">127.0.0.1:" + address.getPort() + "</td>"
                + "<td>4</td><td>7</td>"), dom);
        assertTrue(dom.contains("client-closed 3"), dom);
        assertTrue(dom.contains("showing the newest 500 of 10000 open connections (at most 500)"), dom);
        assertEquals(500, count(Pattern.compile("<tr data-id=\"\\d+\">"), dom), "rows shown");
        assertTrue(dom.contains("<tr data-id=\"10000\"><td>10000</td><td class=\"text\">browser</td>"
                + "<td class=\"text\">127.0.0.1</td><td>30000</td>"), dom);
        assertTrue(dom.contains("<tr data-id=\"9501\">") && !dom.contains("<tr data-id=\"9500\">"), "newest 500");
        assertTrue(Pattern.compile("<polyline points=\"[\\d.]+,[\\d.]+").matcher(dom).find(), "a chart line");
        assertTrue(dom.contains("updated ") && dom.contains("JSON at /connections.json"), dom);
    }

    /** The server's own rows: the four held connections, newest first, each blocked reading. */
    private void checkReal(Path chromium, MetricsEndpoint endpoint, List<Socket> held) throws Exception {
        String dom = browse(chromium, endpoint.pageUrl(), "--dump-dom");

        assertTrue(dom.contains("showing all 4 open connections"), dom);
        assertEquals(4, count(Pattern.compile("<tr data-id=\"\\d+\">"), dom), "rows shown");
        int newest = dom.indexOf("<td>" + held.getLast().getLocalPort() + "</td>");
        int oldest = dom.indexOf("<td>" + held.getFirst().getLocalPort() + "</td>");
        assertTrue(newest > 0 && oldest > newest, "newest first, by the clients' ports: " + dom);
        assertTrue(dom.contains("<td>400</td><td>400</td>"), "bytes in and out of the newest: " + dom);
        assertEquals(4, count(Pattern.compile(">reading</td>"), dom), "each handler blocked in a read: " + dom);

        Path png = Path.of("target", "connections-page.png").toAbsolutePath();
        Files.deleteIfExists(png);
        browse(chromium, endpoint.pageUrl(), "--screenshot=" + png, "--window-size=1100,900",
                "--hide-scrollbars");
        assertTrue(Files.size(png) > 10_000, "a screenshot in " + png);
    }

    /** Chromium's stdout after loading {@code url} with a fresh profile and 6 s of virtual time. */
    private String browse(Path chromium, String url, String... what) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(dir, "profile");
        Path out = dir.resolve("stdout-" + System.nanoTime());
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--mute-audio",
                "--user-data-dir=" + profile, "--virtual-time-budget=6000"));
        command.addAll(List.of(what));
        command.add(url);
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(dir.resolve("stderr-" + System.nanoTime()).toFile()).start();
        try {
            assertTrue(process.waitFor(BROWSER_SECONDS, TimeUnit.SECONDS), "chromium ended within the time");
            assertEquals(0, process.exitValue(), () -> "chromium failed: " + command);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        return Files.readString(out);
    }

    /** {@code $CHROMIUM}, else chromium, chromium-browser or google-chrome on PATH. */
    static Optional<Path> chromium() {
        String configured = System.getenv("CHROMIUM");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator)).filter(s -> !s.isEmpty())
                .flatMap(d -> Stream.of("chromium", "chromium-browser", "google-chrome").map(n -> Path.of(d, n)))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static int count(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
