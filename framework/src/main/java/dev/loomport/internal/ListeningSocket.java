package dev.loomport.internal;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Where a {@link Listener}'s accept loop takes its connections from: a socket the listener bound
 * ({@link #bound}), or the one the process inherited ({@link InheritedSocket}). The loop is the same
 * for both; they differ in how they open and in what closing leaves behind.
 */
interface ListeningSocket extends Closeable {

    /** Waits for the next connection; throws once {@link #close()} has been called. */
    Socket accept() throws IOException;

    /** The address connections arrive at, with the real port. */
    InetSocketAddress localAddress();

    /** Stops accepting: a waiting {@link #accept()} throws, and none waits again. Idempotent. */
    @Override
    void close() throws IOException;

    /** A socket the listener bound itself: closing it closes the port, and new connects are refused. */
    static ListeningSocket bound(ServerSocket socket) {
        return new Bound(socket);
    }

    record Bound(ServerSocket socket) implements ListeningSocket {
        @Override
        public Socket accept() throws IOException {
            return socket.accept();
        }

        @Override
        public InetSocketAddress localAddress() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
