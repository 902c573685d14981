package dev.loomport.internal;

import dev.loomport.internal.ProxyHeaderReader.ProxyHeader;
import dev.loomport.spi.Connection;
import dev.loomport.spi.ProxiedFrom;
import dev.loomport.spi.TaskScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * One accepted socket and the virtual thread that serves it. Its life:
 *
 * <pre>
 *  accept loop                  connection thread (virtual, "loomport &lt;listener&gt;#&lt;id&gt;")
 *  ───────────                  ───────────────────────────────────────────────────
 *  accept() ─ admit? ─no──▶ rejected (counted, closed on the accept thread)
 *               │yes
 *               └─ start ──▶ socket options ─▶ [PROXY header] ─▶ [TLS handshake] ─▶ handler.handle(connection) ─┐
 *                                               │ untrusted peer,    │ fails,                                  │ returns / throws
 *                                               │ bad or no header   │ times out                               │
 *                                               └─ refused ──────────┴─────────────────────────────────────────┤
 *        watchdog: idle, write, lifetime, handshake ──abort──▶ socket closed ──────────────────────────────────┤
 *        server: close / drain deadline ───abort──▶ socket closed,                                             │
 *                                                   thread interrupted ────────────────────────────────────────┤
 *                                                                                                              ▼
 *                               socket closed ─▶ scopes cancelled and joined ─▶ slot released,
 *                                                outcome counted, thread ends
 * </pre>
 *
 * The first of the handler's own end and an abort decides the outcome; an abort always closes the
 * socket first, so whatever the handler is blocked on gives way.
 */
final class SocketConnection implements Connection {
    private static final System.Logger LOG = System.getLogger(SocketConnection.class.getName());

    private final long id;
    private final Listener listener;
    private final Socket socket;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final String prefix;
    private final long openedAt = System.nanoTime();
    private final long idleNanos;
    private final long writeNanos;
    private final long lifetimeNanos;
    private volatile long lastActive = openedAt;
    private volatile long writingSince; // 0 while no write is under way
    private volatile long handshakeDeadline; // 0 while no TLS handshake is under way
    private final AtomicReference<Outcome> abortedAs = new AtomicReference<>();
    private volatile ProxyHeader relayedBy; // a PROXY header that named the client; null: the socket's addresses
    private final Set<VirtualTaskScope> scopes = ConcurrentHashMap.newKeySet();
    private final ReentrantLock drainLock = new ReentrantLock();
    private List<Runnable> drainActions = new ArrayList<>(); // null once drained
    private MeteredInput input;
    private MeteredOutput output;
    private Socket transport; // the socket the streams come from: the accepted one, or TLS over it
    private volatile SSLSession tlsSession;

    SocketConnection(long id, Listener listener, Socket socket) {
        this.id = id;
        this.listener = listener;
        this.socket = socket;
        this.local = (InetSocketAddress) socket.getLocalSocketAddress();
        this.remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.prefix = "[" + listener.name() + "#" + id + "] ";
        this.idleNanos = listener.config().idleTimeout().toNanos();
        this.writeNanos = listener.config().writeTimeout().toNanos();
        this.lifetimeNanos = listener.config().maxLifetime().toNanos();
    }

    /** Runs on the connection's own virtual thread, from start to end of the connection. */
    void serve() {
        Thread.currentThread().setName("loomport " + listener.name() + "#" + id);
        long started = System.nanoTime();
        var openSample = listener.metrics().opened();
        Outcome outcome;
        try {
            socket.setTcpNoDelay(listener.config().tcpNoDelay());
            socket.setKeepAlive(listener.config().keepAlive());
            if (listener.config().sendBufferSize() > 0) {
                socket.setSendBufferSize(listener.config().sendBufferSize());
            }
            if (listener.proxy() != null) {
                readProxyHeader(); // first on the wire, before any TLS
            }
            transport = secure(socket);
            input = new MeteredInput(transport.getInputStream(), listener.metrics().received(), this);
            output = new MeteredOutput(transport.getOutputStream(), listener.metrics().sent(), this);
            LOG.log(Level.TRACE, () -> prefix + "open " + remote + " -> " + local);
            listener.handler().handle(this);
            Outcome aborted = abortedAs.get();
            outcome = aborted != null ? aborted : input.sawEof() ? Outcome.CLIENT_CLOSED : Outcome.SERVER_CLOSED;
        } catch (Throwable t) {
            outcome = failed(t);
        } finally {
            // Close the socket before the scopes: a subtask blocked on it gives way even if it
            // ignores interrupts. Bytes already written are still delivered.
            closeTls();
            closeSocket();
            for (VirtualTaskScope scope : scopes) {
                scope.forceClose();
            }
        }
        listener.metrics().closed(outcome, System.nanoTime() - started, openSample);
        final Outcome o = outcome;
        LOG.log(Level.TRACE, () -> prefix + "closed: " + o.tag());
        listener.ended(this);
    }

    /**
     * The TLS step, on this connection's own thread: on a TLS listener, the handshake over the accepted
     * socket within the handshake timeout; a plain listener's transport is the socket itself. Addresses
     * stay those of the accepted socket.
     */
    private Socket secure(Socket accepted) throws IOException {
        TlsTransport tls = listener.tls();
        if (tls == null) {
            return accepted;
        }
        handshakeDeadline = System.nanoTime() + tls.timeoutNanos();
        try {
            SSLSocket secured = tls.handshake(accepted, null);
            tlsSession = secured.getSession();
            LOG.log(Level.TRACE, () -> prefix + "TLS " + tlsSession.getProtocol() + " " + tlsSession.getCipherSuite());
            return secured;
        } finally {
            handshakeDeadline = 0;
        }
    }

    /** Sends TLS close_notify at a normal end, bounded by the write timeout like any other write. */
    private void closeTls() {
        if (transport instanceof SSLSocket secured && abortedAs.get() == null) {
            writeStarted();
            try {
                secured.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> prefix + "TLS close failed: " + e);
            } finally {
                writeEnded();
            }
        }
    }

    /**
     * The PROXY protocol step: learn who the client is before anything else reads the socket (a TLS
     * handshake comes after it on the wire). Throws {@link ProxyReceiver.Refused} to close the connection.
     */
    private void readProxyHeader() throws IOException {
        ProxyHeader header = listener.proxy().receive(socket);
        if (header.relayed()) {
            relayedBy = header;
        }
        LOG.log(Level.TRACE, () -> prefix + "PROXY v" + header.version() + " " + header.kind() + (header.relayed()
                ? ": client " + header.source() + " -> " + header.destination() : ": the socket's addresses stand"));
    }

    /** Decides, and logs once, how a connection whose handler threw has ended. */
    private Outcome failed(Throwable t) {
        Outcome aborted = abortedAs.get();
        if (aborted != null) {
            LOG.log(Level.DEBUG, () -> prefix + "closed by the server (" + aborted.tag() + "): " + t);
            return aborted;
        }
        if (t instanceof TlsTransport.HandshakeFailed) {
            LOG.log(Level.DEBUG, () -> prefix + "TLS handshake with " + remote + " failed: " + t.getMessage());
            return Outcome.TLS_HANDSHAKE;
        }
        if (t instanceof ProxyReceiver.Refused refused) {
            LOG.log(Level.DEBUG, () -> prefix + "peer " + remote + ": " + refused.getMessage());
            return refused.outcome();
        }
        if ((input != null && input.failedWith(t)) || (output != null && output.failedWith(t))) {
            LOG.log(Level.DEBUG, () -> prefix + "client " + remote + " went away: " + t);
            return Outcome.CLIENT_RESET;
        }
        LOG.log(Level.WARNING, prefix + "handler '" + listener.handler().name() + "' failed", t);
        listener.metrics().handlerFailed(t);
        return Outcome.ERROR;
    }

    /** Ends the connection from outside its thread: the first abort names the outcome. */
    void abort(Outcome why) {
        if (abortedAs.compareAndSet(null, why)) {
            LOG.log(Level.DEBUG, () -> prefix + "closing: " + why.tag());
        }
        closeSocket();
    }

    /** Called by the watchdog with the current {@link System#nanoTime()}. */
    void checkTimeouts(long now) {
        long writing = writingSince;
        long handshake = handshakeDeadline;
        if (handshake != 0 && now - handshake > 0) {
            abort(Outcome.TLS_HANDSHAKE);
        } else if (lifetimeNanos > 0 && now - openedAt > lifetimeNanos) {
            abort(Outcome.LIFETIME);
        } else if (writeNanos > 0 && writing != 0 && now - writing > writeNanos) {
            abort(Outcome.WRITE_TIMEOUT);
        } else if (idleNanos > 0 && writing == 0 && now - lastActive > idleNanos) {
            abort(Outcome.IDLE_TIMEOUT);
        }
    }

    void active() {
        if (idleNanos > 0) {
            lastActive = System.nanoTime();
        }
    }

    void writeStarted() {
        if (writeNanos > 0) {
            writingSince = System.nanoTime();
        }
    }

    void writeProgressed() {
        if (writeNanos > 0) {
            writingSince = System.nanoTime();
        }
    }

    void writeEnded() {
        if (writeNanos > 0) {
            writingSince = 0;
        }
        active();
    }

    /** Tells the handler the server is draining: sets the flag it reads and runs its actions. */
    void drain() {
        List<Runnable> actions;
        drainLock.lock();
        try {
            actions = drainActions;
            drainActions = null;
        } finally {
            drainLock.unlock();
        }
        if (actions != null) {
            actions.forEach(this::runDrainAction);
        }
    }

    private void runDrainAction(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, prefix + "drain action failed", e);
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> prefix + "close failed: " + e);
        }
    }

    String prefix() {
        return prefix;
    }

    Listener listener() {
        return listener;
    }

    /** The socket's remote end (a balancer's, behind one), whatever a PROXY header said. */
    InetSocketAddress peerAddress() {
        return remote;
    }

    void scopeClosed(VirtualTaskScope scope) {
        scopes.remove(scope);
    }

    // ---- Connection ----

    @Override public long id() { return id; }
    @Override public String listenerName() { return listener.name(); }
    @Override public String handlerName() { return listener.handler().name(); }

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
        Socket s = transport != null ? transport : socket;
        if (!s.isOutputShutdown() && !s.isClosed()) {
            s.shutdownOutput(); // on TLS, close_notify first
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
    public TaskScope openScope() {
        VirtualTaskScope scope = new VirtualTaskScope(this, listener.threads());
        scopes.add(scope);
        return scope;
    }

    @Override
    public boolean isDraining() {
        return listener.isDraining();
    }

    @Override
    public void onDrain(Runnable action) {
        java.util.Objects.requireNonNull(action, "action");
        drainLock.lock();
        try {
            if (drainActions != null) {
                drainActions.add(action);
                return;
            }
        } finally {
            drainLock.unlock();
        }
        runDrainAction(action);
    }

    @Override
    public String toString() {
        return "connection " + listener.name() + "#" + id + " " + remote + " -> " + local;
    }
}
