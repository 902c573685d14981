import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The training run that makes a runtime image's AOT cache (JEP 514, JDK 25+): starts the image's
 * launcher with {@code -XX:AOTCacheOutput}, has it accept and echo in plain TCP, over TLS and after
 * PROXY v1 and v2 headers, serves /metrics once, and stops it with SIGTERM, when the JVM writes the
 * cache. Talks to loopback only.
 *
 * <p>JAVA_OPTS, if set, go to the trained JVM too: a cache serves only a JVM started with the options
 * that shape its heap (the collector, compressed pointers) as they were in training.
 *
 * <p>{@code ImageTraining IMAGE}, run by the image's {@code bin/loomport-echo-train} on the image's own
 * runtime: it needs java.base only, whose keytool makes the throwaway TLS key.
 */
public final class ImageTraining {
    private static final int ROUNDS = 200; // enough for the profiles JEP 515 stores; seconds, not minutes
    private static final char[] PASSWORD = "training".toCharArray();

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        Path work = Files.createTempDirectory("loomport-training");
        Path keystore = work.resolve("training.p12");
        run(List.of(image.resolve("bin/keytool").toString(), "-genkeypair", "-alias", "echo",
                "-keyalg", "EC", "-dname", "CN=localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", new String(PASSWORD)));
        Path cache = image.resolve("lib/loomport-echo.aot");
        Path log = image.resolve("lib/loomport-echo.aot.log");
        // Through the start script, so the cache is made from the very command line it will serve.
        try (Launched server = Launched.start(List.of(image.resolve("bin/loomport-echo").toString(),
                        "--listen", "echo@127.0.0.1:0",
                        "--listen", "echo@127.0.0.1:0,tls-keystore=" + keystore + ",tls-password-env=TRAINING_TLS_PASSWORD",
                        "--listen", "echo@127.0.0.1:0,proxy-protocol=any,proxy-trusted=127.0.0.1",
                        "--metrics", "127.0.0.1:0", "--grace", "5s"),
                Map.of("TRAINING_TLS_PASSWORD", new String(PASSWORD), "JAVA_OPTS",
                        "-XX:AOTCacheOutput=" + cache + " " + System.getenv().getOrDefault("JAVA_OPTS", "")),
                log)) {
            InetSocketAddress plain = server.await("listening ");
            InetSocketAddress tls = server.await("listening ");
            InetSocketAddress proxy = server.await("listening ");
            InetSocketAddress metrics = server.await("metrics ");
            SSLContext context = trusting(keystore);
            for (int round = 0; round < ROUNDS; round++) {
                echo(new Socket(plain.getAddress(), plain.getPort()), new byte[0]);
                SSLSocket secure = (SSLSocket) context.getSocketFactory()
                        .createSocket(tls.getAddress(), tls.getPort());
                echo(secure, new byte[0]);
                echo(new Socket(proxy.getAddress(), proxy.getPort()),
                        "PROXY TCP4 192.0.2.1 127.0.0.1 40000 7007\r\n".getBytes(US_ASCII));
                echo(new Socket(proxy.getAddress(), proxy.getPort()), proxyV2());
            }
            fetchMetrics(metrics);
            int exit = server.terminate();
            if (exit != 0 || !Files.isRegularFile(cache)) {
                throw new IOException("training run: exit " + exit + ", cache " + cache + " written: "
                        + Files.isRegularFile(cache) + "; see " + log);
            }
            System.out.printf("AOT cache %s (%d MiB) from %d rounds of plain, TLS, PROXY v1 and v2 echo%n",
                    cache, Files.size(cache) >> 20, ROUNDS);
        } finally {
            Files.deleteIfExists(keystore);
            Files.deleteIfExists(work);
        }
    }

    /** Sends {@code header} and a line, reads the line back, closes. */
    private static void echo(Socket socket, byte[] header) throws IOException {
        try (socket) {
            socket.setSoTimeout(60_000);
            byte[] line = "training\n".getBytes(US_ASCII);
            OutputStream out = socket.getOutputStream();
            out.write(header);
            out.write(line);
            out.flush();
            byte[] back = new byte[line.length];
            new DataInputStream(socket.getInputStream()).readFully(back);
            if (!Arrays.equals(back, line)) {
                throw new IOException("echo answered " + new String(back, US_ASCII));
            }
        }
    }

    /** A PROXY v2 header for TCP over IPv4, 192.0.2.1:40000 to 127.0.0.1:7007. */
    private static byte[] proxyV2() {
        byte[] signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
        byte[] header = Arrays.copyOf(signature, 28);
        header[12] = 0x21; // version 2, PROXY
        header[13] = 0x11; // TCP over IPv4
        header[15] = 12; // address length
        byte[] addresses = {(byte) 192, 0, 2, 1, 127, 0, 0, 1, (byte) (40000 >> 8), (byte) 40000, 7007 >> 8, (byte) 7007};
        System.arraycopy(addresses, 0, header, 16, 12);
        return header;
    }

    private static SSLContext trusting(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static void fetchMetrics(InetSocketAddress metrics) throws IOException {
        try (Socket socket = new Socket(metrics.getAddress(), metrics.getPort())) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write("GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(US_ASCII));
            String status = new String(socket.getInputStream().readAllBytes(), US_ASCII).lines().findFirst().orElse("");
            if (!status.contains(" 200 ")) {
                throw new IOException("GET /metrics answered " + status);
            }
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IOException(command.get(0) + " failed: exit " + process.exitValue());
        }
    }
}
