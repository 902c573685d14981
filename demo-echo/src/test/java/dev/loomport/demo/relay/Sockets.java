package dev.loomport.demo.relay;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** Loopback sockets with a timeout on every blocking call, so no test can hang. */
final class Sockets {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Sockets() {
    }

    static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, (int) TIMEOUT.toMillis());
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

    static ServerSocket listen() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setSoTimeout((int) TIMEOUT.toMillis());
        return server;
    }

    static Socket accept(ServerSocket server) throws IOException {
        Socket socket = server.accept();
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

    /** Reads to the end of the stream; a reset counts as an end too, a timeout does not. */
    static String readToEnd(InputStream in) throws IOException {
        try {
            return "eof after " + in.readAllBytes().length + " bytes";
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return "reset";
        }
    }

    static byte[] payload(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 131 + seed * 7 + (i >> 8));
        }
        return b;
    }
}
