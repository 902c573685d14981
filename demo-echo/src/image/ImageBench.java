import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * bin/image-bench: the runtime image with and without its AOT cache, side by side in one run.
 * (a) Time from process start to the first echoed byte: a client connects to a port chosen beforehand
 * as soon as the JVM is forked, retrying every millisecond until it is refused no more, and times the
 * echo of one byte; runs alternate with and without the cache. (b) Resident memory per held connection
 * after a burst of {@code CONNECTIONS} connects, each echoing one byte and then held open: the server's
 * VmRSS after the burst minus before it, divided by the count. The clients live in this process, the
 * server in its own, so each stays below a 20,000 open-files cap. Loopback only; every loop bounded.
 *
 * <p>{@code ImageBench IMAGE [START_REPEATS] [MEMORY_REPEATS] [CONNECTIONS]}
 */
public final class ImageBench {
    private static final long DEADLINE_NANOS = 120_000_000_000L; // per wait: generous on a loaded machine

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        int startRepeats = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int memoryRepeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int connections = args.length > 3 ? Integer.parseInt(args[3]) : 19_000;
        Path cache = image.resolve("lib/loomport-echo.aot");
        if (!Files.isRegularFile(cache)) {
            throw new IOException(cache + " does not exist: this image has no AOT cache (built on JDK 21, or --no-aot)");
        }
        Path log = Files.createTempFile("image-bench", ".log");
        List<String> with = List.of("-XX:AOTCache=" + cache);
        List<String> without = List.of();
        long[][] starts = new long[2][startRepeats];
        for (int i = 0; i < startRepeats; i++) { // alternating, so drift in the machine's load hits both
            starts[0][i] = startToFirstEcho(image, with, log);
            starts[1][i] = startToFirstEcho(image, without, log);
        }
        long[][] perConnection = new long[2][memoryRepeats];
        long[][] idle = new long[2][memoryRepeats];
        long[][] full = new long[2][memoryRepeats];
        for (int i = 0; i < memoryRepeats; i++) {
            long[] w = memory(image, with, connections, log);
            long[] wo = memory(image, without, connections, log);
            idle[0][i] = w[0];
            full[0][i] = w[0] + w[1] * connections;
            perConnection[0][i] = w[1];
            idle[1][i] = wo[0];
            full[1][i] = wo[0] + wo[1] * connections;
            perConnection[1][i] = wo[1];
        }
        System.out.printf("| | with the AOT cache | without | ratio |%n|---|---|---|---|%n");
        row("start to first echoed byte, median of " + startRepeats + " (ms)", median(starts[0]) / 1e6,
                median(starts[1]) / 1e6);
        row("RSS before the burst, median of " + memoryRepeats + " (MiB)", median(idle[0]) / 1048576.0,
                median(idle[1]) / 1048576.0);
        row("RSS holding the " + connections + " connections, median (MiB)", median(full[0]) / 1048576.0,
                median(full[1]) / 1048576.0);
        row("RSS per held connection after " + connections + ", median (bytes)", median(perConnection[0]),
                median(perConnection[1]));
        System.out.println("start, every run (ms): with " + ms(starts[0]) + "; without " + ms(starts[1]));
        System.out.println("per connection, every run (bytes): with " + Arrays.toString(perConnection[0])
                + "; without " + Arrays.toString(perConnection[1]));
        Files.deleteIfExists(log);
    }

    private static void row(String what, double with, double without) {
        System.out.printf("| %s | %.1f | %.1f | %.2f |%n", what, with, without, with / without);
    }

    private static String ms(long[] nanos) {
        return Arrays.toString(Arrays.stream(nanos).map(n -> n / 1_000_000).toArray());
    }

    private static List<String> command(Path image, List<String> jvmArgs, String listen) {
        List<String> command = new ArrayList<>(List.of(image.resolve("bin/java").toString()));
        command.addAll(jvmArgs);
        command.addAll(List.of("-p", image.resolve("app").toString(), "-m", "dev.loomport.demo.echo",
                "--listen", listen, "--metrics", "off", "--grace", "1s"));
        return command;
    }

    /** Nanoseconds from just before the fork to the echo of the first byte. */
    private static long startToFirstEcho(Path image, List<String> jvmArgs, Path log) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // free a moment ago; loopback ports are rarely taken in between
        }
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        long started = System.nanoTime();
        try (Launched server = Launched.start(command(image, jvmArgs, "echo@127.0.0.1:" + port), Map.of(), log)) {
            while (System.nanoTime() - started < DEADLINE_NANOS) {
                try (SocketChannel client = SocketChannel.open(address)) {
                    client.write(ByteBuffer.wrap(new byte[] {42}));
                    if (client.read(ByteBuffer.allocate(1)) == 1) {
                        long elapsed = System.nanoTime() - started;
                        check(server.terminate(), "start run");
                        return elapsed;
                    }
                } catch (IOException refused) {
                    Thread.sleep(1); // not listening yet
                }
            }
            throw new IOException("no echo within " + DEADLINE_NANOS / 1_000_000_000 + " s on port " + port);
        }
    }

    /** {idle RSS, RSS per held connection} of a server that holds {@code count} echoed connections. */
    private static long[] memory(Path image, List<String> jvmArgs, int count, Path log) throws Exception {
        String listen = "echo@127.0.0.1:0,max-connections=" + (count + 100) + ",backlog=4096";
        List<SocketChannel> held = new ArrayList<>(count);
        try (Launched server = Launched.start(command(image, jvmArgs, listen), Map.of(), log)) {
            InetSocketAddress address = server.await("listening echo ");
            try (SocketChannel warm = SocketChannel.open(address)) {
                echoOne(warm);
            }
            long before = rss(server.pid());
            try {
                for (int i = 0; i < count; i++) {
                    SocketChannel client = SocketChannel.open(address);
                    held.add(client);
                    client.setOption(StandardSocketOptions.SO_LINGER, 0);
                    client.write(ByteBuffer.wrap(new byte[] {42}));
                }
                for (SocketChannel client : held) { // every handler has run and is waiting for more
                    if (client.read(ByteBuffer.allocate(1)) != 1) {
                        throw new IOException("a held connection ended before its echo");
                    }
                }
                long after = rss(server.pid());
                return new long[] {before, (after - before) / count};
            } finally {
                for (SocketChannel client : held) {
                    client.close();
                }
                check(server.terminate(), "memory run");
            }
        }
    }

    private static void echoOne(SocketChannel client) throws IOException {
        client.write(ByteBuffer.wrap(new byte[] {42}));
        if (client.read(ByteBuffer.allocate(1)) != 1) {
            throw new IOException("no echo");
        }
    }

    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    private static void check(int exit, String what) throws IOException {
        if (exit != 0) {
            throw new IOException(what + ": the launcher exited " + exit + " on SIGTERM");
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
