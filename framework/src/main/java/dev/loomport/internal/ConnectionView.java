package dev.loomport.internal;

import dev.loomport.internal.ProxyHeaderParser.ProxyHeader;
import dev.loomport.spi.Connection;
import dev.loomport.spi.ProxiedFrom;
import dev.loomport.spi.TaskScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * The {@link Connection} a handler sees: the addresses (the PROXY header's, when one named the client),
 * the metered streams, the TLS session, half-close, scopes and drain actions. Filled in by the set-up
 * steps before the handler is called; the lifecycle itself is {@link SocketConnection}'s.
 */
final class ConnectionView implements Connection {
    private static final VarHandle OUTPUT_SHUT = Fields.of(MethodHandles.lookup(), "outputShut", boolean.class);

    private final SocketConnection connection;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private volatile ProxyHeader relayedBy; // a PROXY header that named the client; null: the socket's addresses
    private volatile SSLSession tlsSession;
    private volatile boolean outputShut; // set once (OUTPUT_SHUT)
    private MeteredInput input;
    private MeteredOutput output;
    private Socket transport; // the socket the streams come from: the accepted one, or TLS over it

    ConnectionView(SocketConnection connection, InetSocketAddress local, InetSocketAddress remote) {
        this.connection = connection;
        this.local = local;
        this.remote = remote;
    }

    /** The PROXY step named the client. */
    void relayedBy(ProxyHeader header) {
        relayedBy = header;
    }

    /** The set-up is over: the handler reads and writes {@code transport} through metered streams. */
    void ready(Socket transport, ConnectionClock clock) throws IOException {
        this.transport = transport;
        if (transport instanceof SSLSocket secured) {
            tlsSession = secured.getSession();
        }
        ListenerMetrics metrics = connection.listener().metrics();
        input = new MeteredInput(transport.getInputStream(), metrics.received(), clock);
        output = new MeteredOutput(transport.getOutputStream(), metrics.sent(), clock);
    }

    /** The socket's remote end, whatever a PROXY header said. */
    InetSocketAddress peerAddress() {
        return remote;
    }

    /** The socket the handler's streams come from; null until {@link #ready}. */
    Socket transport() {
        return transport;
    }

    MeteredInput meteredInput() {
        return input;
    }

    /** Bytes the handler read so far (after TLS: the decrypted ones); 0 before the set-up is over. */
    long bytesIn() {
        MeteredInput in = input;
        return in == null ? 0 : in.bytes();
    }

    /** Bytes the handler wrote so far; 0 before the set-up is over. */
    long bytesOut() {
        MeteredOutput out = output;
        return out == null ? 0 : out.bytes();
    }

    /** Whether {@code t} is the very exception one of this connection's streams failed with. */
    boolean streamFailedWith(Throwable t) {
        return (input != null && input.failedWith(t)) || (output != null && output.failedWith(t));
    }

    @Override public long id() { return connection.id(); }
    @Override public String listenerName() { return connection.listener().name(); }
    @Override public String handlerName() { return connection.listener().handlerName(); }

    @Override
    public InetSocketAddress localAddress() {
        ProxyHeader header = relayedBy;
        return header == null ? local : header.destination();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        ProxyHeader header = relayedBy;
        return header == null ? remote : header.source();
    }

    @Override
    public Optional<ProxiedFrom> proxiedFrom() {
        ProxyHeader header = relayedBy;
        return header == null ? Optional.empty() : Optional.of(new ProxiedFrom(header.version(), remote, local));
    }

    @Override public InputStream input() { return input; }
    @Override public OutputStream output() { return output; }

    @Override
    public void shutdownOutput() throws IOException {
        // Two threads may both decide the output is done (a relay's two directions): the first one acts.
        Socket s = transport != null ? transport : connection.socket();
        if (OUTPUT_SHUT.compareAndSet(this, false, true) && !s.isClosed()) {
            ConnectionClock clock = connection.clock();
            clock.writeStarted(); // on TLS this writes close_notify: the write timeout covers it
            try {
                s.shutdownOutput();
            } finally {
                clock.writeEnded();
            }
        }
    }

    @Override
    public Optional<SSLSession> tlsSession() {
        return Optional.ofNullable(tlsSession);
    }

    @Override
    public Optional<String> applicationProtocol() {
        return transport instanceof SSLSocket secured
                ? Optional.ofNullable(secured.getApplicationProtocol()).filter(p -> !p.isEmpty())
                : Optional.empty();
    }

    @Override
    public TaskScope openScope(TaskScope.Joiner joiner, UnaryOperator<TaskScope.Configuration> configFunction) {
        return connection.openScope(joiner, configFunction);
    }

    @Override
    public boolean isDraining() {
        return connection.listener().isDraining();
    }

    @Override
    public void onDrain(Runnable action) {
        connection.drainActions().add(action);
    }

    @Override
    public String toString() {
        return "connection " + connection.listener().name() + "#" + connection.id() + " " + remote + " -> " + local;
    }
}
