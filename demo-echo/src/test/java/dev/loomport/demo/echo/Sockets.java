package dev.loomport.demo.echo;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Loopback sockets with a timeout on every blocking call, so no test can hang. Public for the tests of
 * both packages of the module (echo and relay).
 */
public final class Sockets {
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Sockets() {
    }

    public static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, (int) TIMEOUT.toMillis());
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

    /** Sends everything, half-closes, and reads until end of stream. */
    public static byte[] roundTrip(InetSocketAddress address, byte[] data) throws IOException {
        try (Socket socket = connect(address)) {
            socket.getOutputStream().write(data);
            socket.shutdownOutput();
            return socket.getInputStream().readAllBytes();
        }
    }

    /**
     * Writes {@code data} and half-closes on a virtual thread while this one reads to the end, so no amount
     * of data can deadlock on full socket buffers; returns what was read.
     */
    public static byte[] exchange(Socket socket, byte[] data) throws Exception {
        try (ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> written = writer.submit(() -> {
                socket.getOutputStream().write(data);
                socket.shutdownOutput();
                return null;
            });
            byte[] back = socket.getInputStream().readAllBytes();
            written.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return back;
        }
    }

    public static ServerSocket listen() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setSoTimeout((int) TIMEOUT.toMillis());
        return server;
    }

    public static Socket accept(ServerSocket server) throws IOException {
        Socket socket = server.accept();
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

    /** Reads to the end of the stream; a reset counts as an end too, a timeout does not. */
    public static String readToEnd(InputStream in) throws IOException {
        try {
            return "eof after " + in.readAllBytes().length + " bytes";
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return "reset";
        }
    }

    public static byte[] payload(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 131 + seed * 7 + (i >> 8));
        }
        return b;
    }
}
