package dev.loomport.internal;

import dev.loomport.internal.ProxyHeaderReader.ProxyHeader;
import dev.loomport.io.FrameTooLargeException;
import dev.loomport.io.TruncatedFrameException;
import dev.loomport.spi.Connection;
import dev.loomport.spi.ProxiedFrom;
import dev.loomport.spi.TaskScope;
import io.micrometer.core.instrument.LongTaskTimer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
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
 *        watchdog: idle, write, rate, lifetime, handshake ──abort──▶ socket closed ────────────────────────────┤
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
final class SocketConnection implements Connection, Runnable {
    private static final System.Logger LOG = System.getLogger(SocketConnection.class.getName());
    /** The connection whose handler or subtask the current thread runs: only they may open scopes. */
    private static final ThreadLocal<SocketConnection> CURRENT = new ThreadLocal<>();
    // Fields set once or swapped whole, with compare-and-set on the field itself: an Atomic* object each
    // would add its own header to every held connection.
    private static final VarHandle ABORTED_AS = field("abortedAs", Outcome.class);
    private static final VarHandle ENDED = field("ended", boolean.class);
    private static final VarHandle OUTPUT_SHUT = field("outputShut", boolean.class);
    private static final VarHandle SCOPES = field("scopes", ConcurrentLinkedDeque.class);
    private static final VarHandle DRAIN_ACTIONS = field("drainActions", List.class);

    private final long id;
    private final Listener listener;
    private final Socket socket;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final long openedAt = System.nanoTime();
    private final long idleNanos;
    private final long writeNanos;
    private final long lifetimeNanos;
    private final long nanosPerByte;     // minimum receive rate: the waiting one byte buys; 0 = no minimum
    private final long rateWindowNanos;  // the most waiting a client can bank
    private long readCredit;             // waiting the client has paid for; the reading thread's own
    private volatile long readDeadline;  // when the read under way has waited too long; 0 while none is
    private volatile long lastActive = openedAt;
    private volatile long writingSince; // 0 while no write is under way
    private volatile long handshakeDeadline; // 0 while no TLS handshake is under way
    private volatile Outcome abortedAs; // the first abort's outcome; set once (ABORTED_AS)
    private volatile ProxyHeader relayedBy; // a PROXY header that named the client; null: the socket's addresses
    private volatile boolean ended;      // the slot went back; set once (ENDED)
    private volatile ConcurrentLinkedDeque<VirtualTaskScope> scopes; // newest first; made by the first openScope
    private volatile boolean outputShut; // set once (OUTPUT_SHUT)
    private volatile Thread servingThread; // the handler's; interrupted by an abort
    private volatile List<Runnable> drainActions = List.of(); // replaced whole (DRAIN_ACTIONS); null once drained
    private MeteredInput input;
    private MeteredOutput output;
    private Socket transport; // the socket the streams come from: the accepted one, or TLS over it
    private volatile SSLSession tlsSession;

    SocketConnection(long id, Listener listener, Socket socket) {
        this.id = id;
        this.listener = listener;
        this.socket = socket;
        this.local = listener.sharedLocal((InetSocketAddress) socket.getLocalSocketAddress());
        this.remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.idleNanos = listener.config().idleTimeout().toNanos();
        this.writeNanos = listener.config().writeTimeout().toNanos();
        this.lifetimeNanos = listener.config().maxLifetime().toNanos();
        int rate = listener.config().minReceiveRate();
        this.nanosPerByte = rate > 0 ? Math.max(1, 1_000_000_000L / rate) : 0;
        this.rateWindowNanos = listener.config().receiveRateWindow().toNanos();
        this.readCredit = rateWindowNanos;
    }

    private static VarHandle field(String name, Class<?> type) {
        try {
            return MethodHandles.lookup().findVarHandle(SocketConnection.class, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The connection's own virtual thread, from start to end of the connection; counted in the
     * server's {@link ThreadCount} (the listener called {@link ThreadCount#starting()} before starting it).
     * It is the thread's task itself, not wrapped, so that a parked connection holds one frame fewer.
     */
    @Override
    public void run() {
        ThreadCount threads = listener.threads();
        threads.entered();
        try {
            try {
                serve();
            } finally {
                listener.ended(this); // on every path: the slot and the per-source count go back
            }
        } finally {
            threads.exited(); // the last act, whatever ended() did
        }
    }

    private void serve() {
        Thread.currentThread().setName("loomport " + listener.name() + "#" + id);
        servingThread = Thread.currentThread();
        adoptCurrentThread();
        long started = System.nanoTime();
        LongTaskTimer.Sample openSample = null;
        boolean handling = false;
        Outcome outcome;
        try {
            openSample = listener.metrics().opened();
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
            LOG.log(Level.TRACE, () -> prefix() + "open " + remote + " -> " + local);
            handling = true;
            listener.handler().handle(this);
            Outcome aborted = abortedAs;
            outcome = aborted != null ? aborted : input.sawEof() ? Outcome.CLIENT_CLOSED : Outcome.SERVER_CLOSED;
        } catch (Throwable t) {
            outcome = failed(t, handling);
        } finally {
            // Close the socket before the scopes: a subtask blocked on it gives way even if it
            // ignores interrupts. Bytes already written are still delivered.
            closeTls();
            closeSocket();
            closeScopesOwnedBy(null);
        }
        if (openSample != null) { // null: the meter registry failed as the connection opened
            listener.metrics().closed(outcome, System.nanoTime() - started, openSample);
        }
        final Outcome o = outcome;
        LOG.log(Level.TRACE, () -> prefix() + "closed: " + o.tag());
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
            LOG.log(Level.TRACE, () -> prefix() + "TLS " + tlsSession.getProtocol() + " " + tlsSession.getCipherSuite());
            return secured;
        } finally {
            handshakeDeadline = 0;
        }
    }

    /** Sends TLS close_notify at a normal end, bounded by the write timeout like any other write. */
    private void closeTls() {
        if (transport instanceof SSLSocket secured && abortedAs == null) {
            writeStarted();
            try {
                secured.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> prefix() + "TLS close failed: " + e);
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
        LOG.log(Level.TRACE, () -> prefix() + "PROXY v" + header.version() + " " + header.kind() + (header.relayed()
                ? ": client " + header.source() + " -> " + header.destination() : ": the socket's addresses stand"));
    }

    /** Decides, and logs once, how a connection that threw has ended. */
    private Outcome failed(Throwable t, boolean handling) {
        Outcome aborted = abortedAs;
        if (aborted != null) {
            LOG.log(Level.DEBUG, () -> prefix() + "closed by the server (" + aborted.tag() + "): " + t);
            return aborted;
        }
        if (t instanceof TlsTransport.HandshakeFailed) {
            LOG.log(Level.DEBUG, () -> prefix() + "TLS handshake with " + remote + " failed: " + t.getMessage());
            return Outcome.TLS_HANDSHAKE;
        }
        if (t instanceof ProxyReceiver.Refused refused) {
            LOG.log(Level.DEBUG, () -> prefix() + "peer " + remote + ": " + refused.getMessage());
            return refused.outcome();
        }
        if (!handling) {
            // Setting the socket up failed before the handler ran: not the handler's fault. An
            // IOException here means the client is already gone.
            if (t instanceof IOException) {
                LOG.log(Level.DEBUG, () -> prefix() + "client " + remote + " went away before the handler ran: " + t);
                return Outcome.CLIENT_RESET;
            }
            LOG.log(Level.WARNING, prefix() + "could not set up the connection from " + remote, t);
            return Outcome.ERROR;
        }
        Throwable framing = framingFailure(t);
        if (framing instanceof FrameTooLargeException) {
            LOG.log(Level.DEBUG, () -> prefix() + "client " + remote + ": " + framing.getMessage());
            return Outcome.FRAME_TOO_LARGE;
        }
        if (framing instanceof TruncatedFrameException && input.sawEof()) {
            LOG.log(Level.DEBUG, () -> prefix() + "client " + remote + " closed: " + framing.getMessage());
            return Outcome.CLIENT_CLOSED;
        }
        if (clientFailed(t)) {
            LOG.log(Level.DEBUG, () -> prefix() + "client " + remote + " went away: " + t);
            return Outcome.CLIENT_RESET;
        }
        LOG.log(Level.WARNING, prefix() + "handler '" + listener.handler().name() + "' failed: "
                + VirtualTaskScope.realCause(t), t);
        listener.metrics().handlerFailed(t);
        return Outcome.ERROR;
    }

    /** The framing exception {@code t} is or wraps (a scope's join, an UncheckedIOException), or null. */
    private static Throwable framingFailure(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof FrameTooLargeException || t instanceof TruncatedFrameException) {
                return t;
            }
        }
        return null;
    }

    /**
     * Whether {@code t} is, or wraps, a failure of this connection's own streams: the client went away,
     * even if the handler rethrew it inside another exception (an UncheckedIOException from
     * BufferedReader.lines(), an ExecutionException from a scope's join).
     */
    private boolean clientFailed(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if ((input != null && input.failedWith(t)) || (output != null && output.failedWith(t))) {
                return true;
            }
        }
        return false;
    }

    /** Ends the connection from outside its thread: the first abort names the outcome. */
    void abort(Outcome why) {
        if (ABORTED_AS.compareAndSet(this, null, why)) {
            LOG.log(Level.DEBUG, () -> prefix() + "closing: " + why.tag());
        }
        closeSocket(); // whatever the handler is blocked on in this socket gives way
        Thread serving = servingThread;
        if (serving != null) {
            serving.interrupt(); // and so does a sleep, a lock, a call elsewhere, as the handler's contract says
        }
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
        } else if (nanosPerByte > 0 && readDeadline != 0 && now - readDeadline > 0) {
            abort(Outcome.TOO_SLOW);
        }
    }

    /** A read begins to wait: it may wait as long as the client has paid for. */
    void readStarted() {
        if (nanosPerByte > 0) {
            readDeadline = System.nanoTime() + readCredit;
        }
    }

    /** A read has returned {@code bytes}: charge the wait, credit the bytes, bank at most the window. */
    void readEnded(int bytes) {
        if (nanosPerByte > 0) {
            long left = readDeadline - System.nanoTime();
            readDeadline = 0;
            readCredit = Math.min(rateWindowNanos, left + bytes * nanosPerByte);
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
        active(); // a long write that makes progress is not idle, with or without a write timeout
    }

    void writeEnded() {
        if (writeNanos > 0) {
            writingSince = 0;
        }
        active();
    }

    /**
     * The server is draining: the flag the handler reads is already set; this runs the handler's drain
     * actions, if it registered any, through {@code runner} (a thread of the listener's), so that an
     * action that blocks cannot hold up the stop.
     */
    void drain(Executor runner) {
        @SuppressWarnings("unchecked")
        List<Runnable> actions = (List<Runnable>) DRAIN_ACTIONS.getAndSet(this, null);
        if (actions != null && !actions.isEmpty()) {
            runner.execute(() -> {
                Thread.currentThread().setName("loomport " + listener.name() + "#" + id + " drain");
                actions.forEach(this::runDrainAction);
            });
        }
    }

    private void runDrainAction(Runnable action) {
        try {
            action.run();
        } catch (Throwable t) { // a stop must go on whatever the handler's action does
            LOG.log(Level.WARNING, prefix() + "drain action failed", t);
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> prefix() + "close failed: " + e);
        }
    }

    /** Starts every log line of this connection's; made when one is written, not held. */
    String prefix() {
        return "[" + listener.name() + "#" + id + "] ";
    }

    /** True the first time only: the listener gives a connection's slot back once. */
    boolean markEnded() {
        return ENDED.compareAndSet(this, false, true);
    }

    Listener listener() {
        return listener;
    }

    /** The socket's remote end (a balancer's, behind one), whatever a PROXY header said. */
    InetSocketAddress peerAddress() {
        return remote;
    }

    void scopeClosed(VirtualTaskScope scope) {
        scopes.remove(scope); // scopes exists: this scope was added to it
    }

    /** Makes the calling thread (the handler's, or a subtask's) one of this connection's. */
    void adoptCurrentThread() {
        CURRENT.set(this);
    }

    /**
     * Closes, newest first, the scopes that {@code owner} opened ({@code null}: every scope): inner
     * scopes end before the scopes whose subtasks opened them.
     */
    void closeScopesOwnedBy(Thread owner) {
        ConcurrentLinkedDeque<VirtualTaskScope> opened = scopes;
        if (opened == null) {
            return;
        }
        for (VirtualTaskScope scope : opened) {
            if (owner == null || scope.owner() == owner) {
                scope.forceClose();
            }
        }
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
        // Two threads may both decide the output is done (a relay's two directions): the first one acts.
        Socket s = transport != null ? transport : socket;
        if (OUTPUT_SHUT.compareAndSet(this, false, true) && !s.isClosed()) {
            writeStarted(); // on TLS this writes close_notify: the write timeout covers it
            try {
                s.shutdownOutput();
            } finally {
                writeEnded();
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
    @SuppressWarnings("unchecked")
    public TaskScope openScope(TaskScope.Joiner joiner, UnaryOperator<TaskScope.Configuration> configFunction) {
        TaskScope.Configuration config = configFunction.apply(TaskScope.Configuration.defaults());
        if (CURRENT.get() != this) {
            // A scope opened elsewhere would have subtasks no one of this connection waits for.
            throw new WrongThreadException(prefix() + "openScope is for the connection's handler and its subtasks,"
                    + " not " + Thread.currentThread().getName());
        }
        VirtualTaskScope scope = new VirtualTaskScope(this, listener.threads(), joiner, config);
        ConcurrentLinkedDeque<VirtualTaskScope> opened = scopes;
        if (opened == null) { // the first scope: most connections never open one, so none hold a deque
            ConcurrentLinkedDeque<VirtualTaskScope> made = new ConcurrentLinkedDeque<>();
            opened = (ConcurrentLinkedDeque<VirtualTaskScope>) SCOPES.compareAndExchange(this, null, made);
            if (opened == null) {
                opened = made;
            }
        }
        opened.addFirst(scope);
        return scope;
    }

    @Override
    public boolean isDraining() {
        return listener.isDraining();
    }

    @Override
    public void onDrain(Runnable action) {
        java.util.Objects.requireNonNull(action, "action");
        while (true) { // registering is rare: copy the list, swap it in unless a drain or another action came first
            List<Runnable> actions = drainActions;
            if (actions == null) {
                break; // already draining: run it now
            }
            List<Runnable> more = new ArrayList<>(actions); // never changed once swapped in
            more.add(action);
            if (DRAIN_ACTIONS.compareAndSet(this, actions, more)) {
                return;
            }
        }
        runDrainAction(action);
    }

    @Override
    public String toString() {
        return "connection " + listener.name() + "#" + id + " " + remote + " -> " + local;
    }
}
