// What the pinning monitor costs: echo ping-pong round trips per second with and without
// dev.loomport.internal.PinningMonitor running, in one JVM, in alternating rounds so that a noisy
// machine hurts both sides alike. A single-file program (not part of the build):
//
//   ./build -B -ntp -q -pl framework -am package -DskipTests
//   ./build -B -ntp -q -pl framework dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
//   $JAVA_HOME/bin/java -cp framework/target/classes:$(cat /tmp/cp.txt) bench/pinning-cost/PinningCost.java [CONNS] [ROUNDS] [SECONDS]
//
// On the class path the framework's internal package is reachable, which is why this is not a module.
import dev.loomport.ListenerConfig;
import dev.loomport.Server;
import dev.loomport.ServerConfig;
import dev.loomport.internal.PinningMonitor;
import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

public class PinningCost {
    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        ConnectionHandler echo = new ConnectionHandler() {
            public String name() { return "echo"; }
            public void handle(Connection c) throws Exception {
                InputStream in = c.input();
                OutputStream out = c.output();
                byte[] b = new byte[8192];
                for (int n; (n = in.read(b)) != -1; ) { out.write(b, 0, n); }
            }
        };
        var registry = new SimpleMeterRegistry();
        try (Server server = Server.start(ServerConfig.builder().handler(echo).meterRegistry(registry)
                .listener(ListenerConfig.builder("echo").host("127.0.0.1").port(0).build()).build())) {
            InetSocketAddress address = server.listeners().getFirst().address();
            run(address, connections, 6); // warm-up: let the JIT settle before measuring
            double[] off = new double[rounds];
            double[] on = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                off[r] = run(address, connections, seconds);
                try (PinningMonitor monitor = PinningMonitor.start(registry, server.listeners(), PinningMonitor.DEFAULT_THRESHOLD)) {
                    on[r] = run(address, connections, seconds);
                }
                System.out.printf("round %d: off %.0f/s  on %.0f/s  ratio %.3f%n", r + 1, off[r], on[r], on[r] / off[r]);
            }
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = on[r] / off[r];
            }
            Arrays.sort(off);
            Arrays.sort(on);
            Arrays.sort(ratios);
            System.out.printf("median: off %.0f/s  on %.0f/s  ratio of medians %.3f  median of round ratios %.3f"
                    + " (%d connections, 64 B, %d x %d s)%n", off[rounds / 2], on[rounds / 2],
                    on[rounds / 2] / off[rounds / 2], ratios[rounds / 2], connections, rounds, seconds);
        }
    }

    /** Round trips per second of {@code connections} clients each sending 64 B and awaiting it back. */
    static double run(InetSocketAddress address, int connections, int seconds) throws Exception {
        LongAdder trips = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            clients.add(Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket(address.getAddress(), address.getPort())) {
                    s.setTcpNoDelay(true);
                    byte[] msg = new byte[64];
                    byte[] back = new byte[64];
                    while (!stop.get()) {
                        s.getOutputStream().write(msg);
                        for (int got = 0; got < 64; ) {
                            int n = s.getInputStream().read(back, got, 64 - got);
                            if (n < 0) { return; }
                            got += n;
                        }
                        trips.increment();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L); // a measurement window, not a synchronisation
        stop.set(true);
        long count = trips.sum();
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (Thread t : clients) { t.join(); }
        return count / elapsed;
    }
}
