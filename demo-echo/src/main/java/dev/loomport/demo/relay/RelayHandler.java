package dev.loomport.demo.relay;

import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.TaskScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutionException;

/**
 * {@code relay}: forwards every connection to an upstream {@code HOST:PORT}, byte for byte, both ways at
 * once, with one subtask per direction in the connection's {@link TaskScope}:
 *
 * <pre>
 *  client ──▶ [subtask up]   ──▶ upstream      client EOF   ─▶ upstream output shut down
 *  client ◀── [subtask down] ◀── upstream      upstream EOF ─▶ client output shut down
 * </pre>
 *
 * When one direction reaches end-of-stream, the other side's output is shut down (a half-close) and the
 * other direction goes on until it ends too: a client that sends its request and then shuts down its
 * output still gets the whole answer. So the scope's policy is "all must succeed"
 * ({@link TaskScope.Joiner#awaitAllSuccessfulOrThrow()}), not "first to finish": the end of one
 * direction must not cancel the other, only a failure may. When either side fails, the scope cancels
 * the other direction, which closes both sockets. A failure of the upstream (refused, reset, unreachable) is
 * thrown with the upstream's address in its message, so loomport logs and counts it once, and resets
 * the client's connection (a handler failure ends with a RST, never an end of stream the client could
 * take for a complete, or empty, answer); a client that goes away ends its connection quietly.
 *
 * <p>Options: {@code upstream=HOST:PORT} (required; an IPv6 host in brackets) and
 * {@code connect-timeout=DURATION} (default 10s; 0 = the operating system's own limit). The relay does
 * not speak the protocol it carries, so it cannot say goodbye when the server drains: it relays until
 * the client or the upstream ends, or the grace period does.
 */
final class RelayHandler implements ConnectionHandler {
    private static final System.Logger LOG = System.getLogger(RelayHandler.class.getName());
    static final int BUFFER = 16 * 1024;

    private final RelayOptions options;

    /** A listener's relay, with its options already parsed and checked (by {@link RelayPlugin}). */
    RelayHandler(RelayOptions options) {
        this.options = options;
    }

    @Override
    public void handle(Connection client) throws Exception {
        String prefix = "[" + client.listenerName() + "#" + client.id() + "] ";
        try (Socket upstream = connect()) {
            LOG.log(Level.DEBUG, () -> prefix + "relaying " + client.remoteAddress() + " to " + options.upstream()
                    + " from " + upstream.getLocalSocketAddress());
            // Both directions run to their own EOF (half-close); only a failure ends the other one.
            try (TaskScope scope = client.openScope(TaskScope.Joiner.awaitAllSuccessfulOrThrow())) {
                scope.fork(() -> up(client, upstream));
                scope.fork(() -> down(client, upstream));
                scope.join();
            } catch (ExecutionException e) {
                // The cause itself, not a wrapper: loomport tells a client's own failure (logged quietly)
                // from the relay's by the very exception its socket threw.
                throw rethrowable(e.getCause());
            }
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            // An unresolved address resolves here, per connection, so a DNS change is seen.
            InetSocketAddress address = new InetSocketAddress(options.host(), options.port());
            if (address.isUnresolved()) {
                throw new UnknownHostException("unknown host");
            }
            socket.connect(address, (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw upstreamFailed(e);
        }
    }

    /** Client to upstream; at the client's EOF, the upstream sees EOF too. */
    private Void up(Connection client, Socket upstream) throws IOException {
        copy(client.input(), upstream.getOutputStream(), false);
        try {
            upstream.shutdownOutput();
        } catch (IOException e) {
            throw upstreamFailed(e);
        }
        return null;
    }

    /** Upstream to client; at the upstream's EOF, the client sees EOF too. */
    private Void down(Connection client, Socket upstream) throws IOException {
        copy(upstream.getInputStream(), client.output(), true);
        client.shutdownOutput();
        return null;
    }

    /** Copies until EOF; an upstream failure is renamed after the upstream, a client's is left as is. */
    private void copy(InputStream from, OutputStream to, boolean fromUpstream) throws IOException {
        byte[] buffer = new byte[BUFFER];
        while (true) {
            int n;
            try {
                n = from.read(buffer);
            } catch (IOException e) {
                throw fromUpstream ? upstreamFailed(e) : e;
            }
            if (n < 0) {
                return;
            }
            try {
                to.write(buffer, 0, n);
            } catch (IOException e) {
                throw fromUpstream ? e : upstreamFailed(e);
            }
        }
    }

    /** The same kind of exception, its message naming the upstream: one log line says it all. */
    private IOException upstreamFailed(IOException e) {
        String message = "upstream " + options.upstream() + ": " + e.getMessage();
        IOException named = switch (e) {
            case ConnectException c -> new ConnectException(message);
            case NoRouteToHostException r -> new NoRouteToHostException(message);
            case SocketTimeoutException t -> new SocketTimeoutException(message);
            case UnknownHostException u -> new UnknownHostException(message);
            case SocketException s -> new SocketException(message);
            default -> new IOException(message);
        };
        named.initCause(e);
        return named;
    }

    private static Exception rethrowable(Throwable t) {
        if (t instanceof Exception e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    @Override
    public String toString() {
        return options == null ? "relay (not configured)" : "relay to " + options.upstream();
    }
}
