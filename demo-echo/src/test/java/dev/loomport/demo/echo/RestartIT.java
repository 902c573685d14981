package dev.loomport.demo.echo;

import static dev.loomport.demo.echo.SocketHolder.awaitHolder;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart that refuses no one (issue 17): socket-holder plays the service manager and holds the
 * listening socket; launchers on {@code echo@stdin} are SIGTERMed and replaced, twice, while a steady,
 * bounded stream of clients connects, echoes a few bytes and checks them. No connect may be refused or
 * reset and no byte lost; a client that connects while no launcher accepts waits in the held socket's
 * backlog and is served by the next launcher.
 *
 * <p>The gap, from the old launcher's last accepted connection to the new one's first, is read from the
 * launchers' own log (each connection's TRACE "open" line, with the client's port, at millisecond
 * resolution) and printed, with the longest any client waited for its echo: docs/deploy.md quotes them.
 */
@Tag("io-path") // also run on the non-default I/O path: see demo-echo/pom.xml
class RestartIT {
    private static final int CLIENTS = 16;               // connecting at once, each one connection at a time
    private static final Duration PAUSE = Duration.ofMillis(25); // between one client's connections: steady
    private static final int RESTARTS = 2;
    private static final int SERVED_PER_LAUNCHER = 150;  // echoes served before a launcher is replaced
    private static final int MAX_CONNECTIONS = 20_000;   // the bound, whatever happens
    /** A connection's TRACE line: time, level, logger, [listener#id] open /peer:port -> local. */
    private static final Pattern OPEN = Pattern.compile("^(\\S+) \\S+ \\S+ \\[echo#(\\d+)] open /[^ ]*:(\\d+) -> ");

    /** One client connection as the client saw it. */
    private record Sent(int localPort, long connectedMillis, long echoedMillis) {
    }

    @TempDir
    Path work;

    @Test
    @Timeout(180)
    void stoppingAndStartingTheLauncherOnAHeldSocketLosesNoClient() throws Exception {
        Path logging = work.resolve("logging.properties");
        Files.writeString(logging, """
                handlers=java.util.logging.ConsoleHandler
                java.util.logging.ConsoleHandler.level=FINER
                dev.loomport.internal.SocketConnection.level=FINER
                """);
        try (Child manager = SocketHolder.holdingLauncher(
                List.of("-Djava.util.logging.config.file=" + logging), "--listen", "echo@stdin", "--grace", "20s")) {
            InetSocketAddress held = new InetSocketAddress("127.0.0.1",
                    Integer.parseInt(awaitHolder(manager, "holder listening ")));
            manager.send("start\n");
            awaitHolder(manager, "holder starting");
            assertEquals(held, manager.awaitListening("echo"));

            AtomicBoolean stop = new AtomicBoolean();
            List<Long> stops = new ArrayList<>();  // ms from SIGTERM to the holder reporting the exit
            List<Long> starts = new ArrayList<>(); // ms from "start" to the launcher's listening line
            AtomicInteger started = new AtomicInteger();
            Queue<Sent> served = new ConcurrentLinkedQueue<>();
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < CLIENTS; c++) {
                    clients.submit(() -> {
                        for (int n; !stop.get() && (n = started.incrementAndGet()) <= MAX_CONNECTIONS; ) {
                            echoOnce(held, n, served, failures);
                            Thread.sleep(PAUSE); // pacing, not synchronisation: a steady stream
                        }
                        return null;
                    });
                }
                for (int launcher = 1; launcher <= RESTARTS + 1; launcher++) {
                    int target = launcher * SERVED_PER_LAUNCHER;
                    await().atMost(Child.TIMEOUT).until(() -> served.size() >= target || !failures.isEmpty());
                    assertTrue(failures.isEmpty(), () -> failures.size() + " failed: " + failures.peek());
                    long term = System.nanoTime();
                    manager.send("term\n"); // SIGTERM; the holder waits for the exit and reports it
                    assertEquals("0", awaitHolder(manager, "holder exited "), "a graceful stop exits 0");
                    stops.add(Duration.ofNanos(System.nanoTime() - term).toMillis());
                    if (launcher <= RESTARTS) {
                        long start = System.nanoTime();
                        manager.send("start\n");
                        awaitHolder(manager, "holder starting");
                        manager.awaitListening("echo");
                        starts.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
                    } else { // the last one is stopped, so its end is in the log too: stop the clients first
                        break;
                    }
                }
                stop.set(true);
                // The clients' last connections wait in the backlog, with no launcher: serve them with one more.
                manager.send("start\n");
                awaitHolder(manager, "holder starting");
                manager.awaitListening("echo"); // a SIGTERM before the launcher's handler is in would kill it (143)
            }
            manager.send("term\n");
            assertEquals("0", awaitHolder(manager, "holder exited "));
            assertEquals(0, manager.awaitExit());

            assertEquals(List.of(), List.copyOf(failures), "refused, reset or short connections");
            int total = served.size() + failures.size();
            report(manager.stderr(), List.copyOf(served), total);
            System.out.println("restart: SIGTERM to exit " + stops + " ms; start to listening " + starts + " ms");
        }
    }

    /** One connection: connect, send a few bytes, half-close, read them back; any difference is a failure. */
    private static void echoOnce(InetSocketAddress held, int n, Queue<Sent> served, Queue<String> failures) {
        byte[] sent = ("client " + n + " says hello").getBytes(UTF_8);
        try (Socket socket = new Socket()) {
            socket.connect(held, (int) Child.TIMEOUT.toMillis());
            long connected = System.currentTimeMillis();
            socket.setSoTimeout((int) Child.TIMEOUT.toMillis());
            socket.getOutputStream().write(sent);
            socket.shutdownOutput();
            byte[] back = socket.getInputStream().readAllBytes();
            if (!Arrays.equals(sent, back)) {
                failures.add("connection " + n + ": sent " + sent.length + " bytes, got " + back.length + " back: '"
                        + new String(back, UTF_8) + "'");
                return;
            }
            served.add(new Sent(socket.getLocalPort(), connected, System.currentTimeMillis()));
        } catch (ConnectException e) {
            failures.add("connection " + n + ": refused: " + e);
        } catch (SocketException e) {
            failures.add("connection " + n + ": reset: " + e);
        } catch (IOException e) {
            failures.add("connection " + n + ": " + e);
        }
    }

    /**
     * Splits the launchers' "open" lines by launcher (a connection id seen again starts the next one: ids
     * count from 1 in each process, and the old process has exited before the new one writes), and
     * prints each gap and the clients that waited through it.
     */
    private static void report(List<String> stderr, List<Sent> served, int total) {
        List<List<long[]>> launchers = new ArrayList<>(); // per launcher: {time, id, port}
        Set<Long> ids = new HashSet<>();
        for (String line : stderr) {
            Matcher m = OPEN.matcher(line);
            if (!m.find()) {
                continue;
            }
            long id = Long.parseLong(m.group(2));
            if (launchers.isEmpty() || !ids.add(id)) {
                launchers.add(new ArrayList<>());
                ids.clear();
                ids.add(id);
            }
            long time = LocalDateTime.parse(m.group(1)).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
            launchers.getLast().add(new long[] {time, id, Long.parseLong(m.group(3))});
        }
        assertEquals(RESTARTS + 2, launchers.size(), "launchers seen in the log");
        assertEquals(served.size(), launchers.stream().mapToInt(List::size).sum(), "connections opened = echoed");
        Map<Long, Sent> byPort = served.stream().collect(Collectors.toMap(s -> (long) s.localPort(), s -> s, (a, b) -> b));
        int queuedInAll = 0;
        StringBuilder text = new StringBuilder("restart: " + served.size() + " connections echoed of " + total
                + " made, none refused, reset or short; " + (RESTARTS + 2) + " launchers\n");
        for (int i = 0; i + 1 < launchers.size(); i++) {
            long lastOld = launchers.get(i).stream().mapToLong(o -> o[0]).max().orElseThrow();
            long firstNew = launchers.get(i + 1).stream().mapToLong(o -> o[0]).min().orElseThrow();
            // Clients that connected before the new launcher's first accept and were served by it: they
            // waited in the held socket's backlog while no launcher accepted.
            List<Sent> queued = launchers.get(i + 1).stream().map(o -> byPort.get(o[2]))
                    .filter(s -> s != null && s.connectedMillis() < firstNew).toList();
            queuedInAll += queued.size();
            long longestWait = queued.stream().mapToLong(s -> s.echoedMillis() - s.connectedMillis()).max().orElse(0);
            text.append("restart gap ").append(i + 1).append(": ").append(firstNew - lastOld)
                    .append(" ms from the old launcher's last accept to the new one's first; ")
                    .append(queued.size()).append(" clients waited in the backlog, the longest ")
                    .append(longestWait).append(" ms for its echo\n");
        }
        System.out.print(text);
        assertTrue(queuedInAll > 0, "no client connected while no launcher accepted: " + text);
    }
}
