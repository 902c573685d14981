package dev.loomport.internal;

import dev.loomport.SocketOptions;
import dev.loomport.internal.ProxyHeaderParser.ProxyHeader;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Socket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Every step between accept and the handler, on the connection's own thread: socket options, the PROXY
 * header (first on the wire), the TLS handshake. Each step that waits for the peer runs under the
 * connection's one set-up deadline, which the {@link Watchdog} enforces by aborting (closing the socket).
 */
final class ConnectionSetup {
    private static final System.Logger LOG = System.getLogger(ConnectionSetup.class.getName());

    private ConnectionSetup() {
    }

    /** Runs the steps; on return {@code view} is ready for the handler. */
    static void run(SocketConnection connection, ConnectionView view) throws IOException {
        Listener listener = connection.listener();
        Socket socket = connection.socket();
        SocketOptions options = listener.config().socket();
        socket.setTcpNoDelay(options.tcpNoDelay());
        socket.setKeepAlive(options.keepAlive());
        if (options.sendBufferSize() > 0) {
            socket.setSendBufferSize(options.sendBufferSize());
        }
        ConnectionClock clock = connection.clock();
        if (listener.proxy() != null) {
            clock.setupStep(Outcome.PROXY_HEADER, listener.proxy().timeoutNanos());
            try {
                readProxyHeader(connection, view, listener.proxy());
            } finally {
                clock.setupDone();
            }
        }
        Socket transport = socket;
        TlsHandshaker tls = listener.tls();
        if (tls != null) { // addresses stay those of the accepted socket
            clock.setupStep(Outcome.TLS_HANDSHAKE, tls.timeoutNanos());
            try {
                transport = tls.handshake(socket, null);
            } finally {
                clock.setupDone();
            }
            SSLSession session = ((SSLSocket) transport).getSession();
            LOG.log(Level.TRACE, () -> connection.prefix() + "TLS " + session.getProtocol() + " " + session.getCipherSuite());
        }
        view.ready(transport, clock);
    }

    /**
     * Learns who the client is before anything else reads the socket (a TLS handshake comes after it on
     * the wire). Throws {@link ProxyStep.Refused} to close the connection.
     */
    private static void readProxyHeader(SocketConnection connection, ConnectionView view, ProxyStep proxy)
            throws IOException {
        ProxyHeader header = proxy.receive(connection.socket());
        if (header.relayed()) {
            view.relayedBy(header);
        }
        LOG.log(Level.TRACE, () -> connection.prefix() + "PROXY v" + header.version() + " " + header.kind()
                + (header.relayed() ? ": client " + header.source() + " -> " + header.destination()
                : ": the socket's addresses stand"));
    }
}
