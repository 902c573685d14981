package dev.loomport.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The baseline loomport replaces: java.net.ServerSocket and one platform thread per connection, the same
 * 8 KiB echo loop as loomport's EchoHandler, TCP_NODELAY on, backlog 1024, no limit on connections.
 *
 * <p>{@code ThreadEchoServer HOST PORT}; prints {@code listening echo HOST:PORT} and serves until killed
 * (its threads are daemons, so SIGTERM ends the JVM).
 */
public final class ThreadEchoServer {
    private ThreadEchoServer() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ThreadEchoServer HOST PORT");
        }
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])), 1024);
            System.out.println("listening echo " + args[0] + ":" + server.getLocalPort());
            System.out.flush();
            long id = 0;
            while (true) {
                Socket socket = server.accept();
                Thread thread = new Thread(() -> serve(socket), "echo-" + ++id);
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[8 * 1024];
            for (int n; (n = in.read(buffer)) != -1; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // the client reset the connection: normal under churn
        }
    }
}
