package dev.loomport.internal;

import dev.loomport.ConnectionInfo;
import dev.loomport.spi.TaskScope;
import io.micrometer.core.instrument.LongTaskTimer;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLSocket;

/**
 * One accepted socket and the virtual thread that serves it, from start to end: its lifecycle.
 *
 * <pre>
 *  accept loop (Listener)       connection thread (virtual, "loomport &lt;listener&gt;#&lt;id&gt;")
 *  ───────────                  ───────────────────────────────────────────────────
 *  accept() ─ admit? ─no──▶ Listener.reject (counted, closed on the accept thread)
 *   (Admission) │yes
 *               └─ start ──▶ ConnectionSetup: socket options ─▶ [PROXY header] ─▶ [TLS handshake] ─┐
 *                              │ untrusted peer, bad header,   │ fails                             │
 *                              │ set-up deadline passed        │                                   ▼
 *                              └─ refused ─────────────────────┴──────┐     handler.handle(ConnectionView)
 *        Watchdog (ConnectionClock): set-up deadline, idle, write,   │                 │ returns / throws
 *        rate, lifetime ──abort──▶ socket closed ────────────────────┤◀────────────────┘
 *        Engine stop: close / grace deadline ──abort──▶ socket closed,│
 *                                         thread interrupted ────────┤
 *                                                                     ▼
 *            finish(): socket closed ─▶ scopes cancelled and joined ─▶ drain actions interrupted ─▶
 *                      outcome (Outcomes) counted, JFR ConnectionEnd ─▶ Listener.ended: slot released ─▶ thread ends
 * </pre>
 *
 * The first of the handler's own end and an abort decides the outcome; an abort always closes the
 * socket first, so whatever the handler is blocked on gives way.
 */
final class SocketConnection implements Runnable {
    private static final System.Logger LOG = System.getLogger(SocketConnection.class.getName());
    // Set once, with compare-and-set on the field itself (Fields).
    private static final VarHandle ABORTED_AS = Fields.of(MethodHandles.lookup(), "abortedAs", Outcome.class);
    private static final VarHandle ENDED = Fields.of(MethodHandles.lookup(), "ended", boolean.class);
    private static final VarHandle SCOPES = Fields.of(MethodHandles.lookup(), "scopes", ConnectionScopes.class);

    private final long id;
    private final Listener listener;
    private final Socket socket;
    private final ConnectionClock clock;
    private final ConnectionView view;
    private final DrainActions drainActions = new DrainActions(this);
    private volatile ConnectionScopes scopes; // made by the first openScope (SCOPES)
    private volatile Outcome abortedAs;       // the first abort's outcome; set once (ABORTED_AS)
    private volatile boolean ended;           // the slot went back; set once (ENDED)
    private volatile Thread servingThread;    // the handler's; interrupted by an abort

    SocketConnection(long id, Listener listener, Socket socket) {
        this.id = id;
        this.listener = listener;
        this.socket = socket;
        this.clock = new ConnectionClock(listener.config());
        this.view = new ConnectionView(this, listener.sharedLocal((InetSocketAddress) socket.getLocalSocketAddress()),
                (InetSocketAddress) socket.getRemoteSocketAddress());
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
        clock.handlerStarts();
        adoptCurrentThread();
        long started = System.nanoTime();
        LongTaskTimer.Sample openSample = null;
        boolean handling = false;
        Outcome outcome;
        Throwable failure = null;
        try {
            openSample = listener.metrics().opened();
            ConnectionSetup.run(this, view);
            LOG.log(Level.TRACE, () -> prefix() + "open " + peerAddress() + " -> " + view.localAddress());
            handling = true;
            listener.handler().handle(view);
            outcome = Outcomes.returned(abortedAs, view.meteredInput());
        } catch (Throwable t) {
            outcome = Outcomes.failed(this, view, t, handling);
            failure = Outcomes.reported(t);
        }
        finish(outcome, failure, started, openSample, handling && outcome == Outcome.ERROR);
    }

    /**
     * Where every connection that started ends, whatever ended it: the socket closes before the scopes,
     * so a subtask blocked on it gives way even if it ignores interrupts (bytes already written are
     * still delivered); then the drain actions stop and the outcome is counted.
     *
     * <p>{@code handlerFailed}: the handler threw ({@link Outcome#ERROR}), so its exchange broke
     * mid-protocol, as an abort's does, and it ends the same way: a RST and no TLS close_notify, never
     * the FIN (or close_notify) a client without framing of its own would take for a finished exchange
     * (docs/limits.md). A set-up that failed before the handler ran keeps the plain close: no exchange
     * had begun, and the client reads end of stream before any byte.
     */
    private void finish(Outcome outcome, Throwable failure, long started, LongTaskTimer.Sample openSample,
            boolean handlerFailed) {
        try {
            if (handlerFailed) {
                resetOnClose();
            } else {
                closeTls();
            }
            closeSocket();
            ConnectionScopes opened = scopes;
            if (opened != null) {
                opened.closeOwnedBy(null);
            }
        } finally {
            drainActions.connectionEnded();
        }
        long duration = System.nanoTime() - started;
        if (openSample != null) { // null: the meter registry failed as the connection opened
            listener.metrics().closed(outcome, duration, openSample);
        }
        FlightEvents.connectionEnded(view, view.bytesIn(), view.bytesOut(), duration, outcome, failure);
        LOG.log(Level.TRACE, () -> prefix() + "closed: " + outcome.tag());
    }

    /** Sends TLS close_notify at a normal end, bounded by the write timeout like any other write. */
    private void closeTls() {
        if (view.transport() instanceof SSLSocket secured && abortedAs == null) {
            clock.writeStarted();
            try {
                secured.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> prefix() + "TLS close failed: " + e);
            } finally {
                clock.writeEnded();
            }
        }
    }

    /** Ends the connection from outside its thread: the first abort names the outcome. */
    void abort(Outcome why) {
        if (ABORTED_AS.compareAndSet(this, null, why)) {
            LOG.log(Level.DEBUG, () -> prefix() + "closing: " + why.tag());
        }
        resetOnClose(); // a forced close is an abort: the peer must not mistake it for a normal end
        closeSocket(); // whatever the handler is blocked on in this socket gives way
        Thread serving = servingThread;
        if (serving != null) {
            serving.interrupt(); // and so does a sleep, a lock, a call elsewhere, as the handler's contract says
        }
    }

    /** Called by the watchdog with the current {@link System#nanoTime()}. */
    void checkTimeouts(long now) {
        Outcome expired = clock.expired(now);
        if (expired != null) {
            abort(expired);
        }
    }

    /** The server is draining: runs the handler's drain actions through {@code runner}. */
    void drain(Executor runner) {
        drainActions.drain(runner);
    }

    /**
     * SO_LINGER 0: the close that follows sends a RST, not a FIN, so a client without framing of its own
     * sees "connection reset" rather than an end of stream it would take for a finished transfer. Bytes
     * still queued to send are dropped, as they should be when the connection is being cut.
     */
    private void resetOnClose() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) { // already closed: nothing left to reset
            LOG.log(Level.TRACE, () -> prefix() + "SO_LINGER 0 not set: " + e);
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> prefix() + "close failed: " + e);
        }
    }

    /** Opens a scope for the calling thread, which must be this connection's handler or a subtask of it. */
    TaskScope openScope(TaskScope.Joiner joiner, UnaryOperator<TaskScope.Configuration> configFunction) {
        TaskScope.Configuration config = configFunction.apply(TaskScope.Configuration.defaults());
        if (!ConnectionScopes.serves(this)) {
            // A scope opened elsewhere would have subtasks no one of this connection waits for.
            throw new WrongThreadException(prefix() + "openScope is for the connection's handler and its subtasks,"
                    + " not " + Thread.currentThread().getName());
        }
        VirtualTaskScope scope = new VirtualTaskScope(this, listener.threads(), joiner, config);
        ConnectionScopes opened = scopes;
        if (opened == null) {
            ConnectionScopes made = new ConnectionScopes();
            opened = (ConnectionScopes) SCOPES.compareAndExchange(this, null, made);
            if (opened == null) {
                opened = made;
            }
        }
        opened.add(scope);
        return scope;
    }

    // ---- what VirtualTaskScope calls ----

    void scopeClosed(VirtualTaskScope scope) {
        scopes.remove(scope); // scopes exists: this scope was added to it
    }

    void adoptCurrentThread() {
        ConnectionScopes.adopt(this);
    }

    void closeScopesOwnedBy(Thread owner) {
        ConnectionScopes opened = scopes;
        if (opened != null) {
            opened.closeOwnedBy(owner);
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

    /** The socket's remote end (a balancer's, behind one), whatever a PROXY header said. */
    InetSocketAddress peerAddress() {
        return view.peerAddress();
    }

    /** The thread serving the handler, while there is one: what a stuck stop reports. */
    Thread servingThread() {
        return servingThread;
    }

    /** A snapshot for {@code Server.connections}: {@code now} and {@code nowNanos} are the same moment. */
    ConnectionInfo info(Instant now, long nowNanos) {
        return new ConnectionInfo(id, listener.name(), listener.handlerName(), view.remoteAddress(),
                now.minusNanos(nowNanos - clock.openedAt()), view.bytesIn(), view.bytesOut(),
                now.minusNanos(nowNanos - clock.lastActive()), clock.activity());
    }

    long id() { return id; }
    Listener listener() { return listener; }
    Socket socket() { return socket; }
    ConnectionClock clock() { return clock; }
    DrainActions drainActions() { return drainActions; }
    Outcome abortedAs() { return abortedAs; }

    @Override
    public String toString() {
        return view.toString();
    }
}
