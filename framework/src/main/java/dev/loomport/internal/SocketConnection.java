package dev.loomport.internal;

import dev.loomport.spi.Connection;
import dev.loomport.spi.TaskScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One accepted socket and the virtual thread that serves it. Its life:
 *
 * <pre>
 *  accept loop                  connection thread (virtual, "loomport &lt;listener&gt;#&lt;id&gt;")
 *  ───────────                  ───────────────────────────────────────────────────
 *  accept() ─ admit? ─no──▶ rejected (counted, closed on the accept thread)
 *               │yes
 *               └─ start ──▶ socket options ─▶ handler.handle(connection) ─┐
 *                                                                          │ returns / throws
 *        watchdog: idle, write, lifetime ──abort──▶ socket closed ─────────┤
 *        server: close / drain deadline ───abort──▶ socket closed,         │
 *                                                   thread interrupted ────┤
 *                                                                          ▼
 *                               socket closed ─▶ scopes cancelled and joined ─▶ slot released,
 *                                                outcome counted, thread ends
 * </pre>
 *
 * The first of the handler's own end and an abort decides the outcome; an abort always closes the
 * socket first, so whatever the handler is blocked on gives way.
 */
final class SocketConnection implements Connection {
    private static final System.Logger LOG = System.getLogger(SocketConnection.class.getName());
    /** The connection whose handler or subtask the current thread runs: only they may open scopes. */
    private static final ThreadLocal<SocketConnection> CURRENT = new ThreadLocal<>();

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
    private final AtomicReference<Outcome> abortedAs = new AtomicReference<>();
    private final ConcurrentLinkedDeque<VirtualTaskScope> scopes = new ConcurrentLinkedDeque<>(); // newest first
    private final AtomicBoolean outputShut = new AtomicBoolean();
    private final ReentrantLock drainLock = new ReentrantLock();
    private List<Runnable> drainActions = new ArrayList<>(); // null once drained
    private MeteredInput input;
    private MeteredOutput output;

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
        adoptCurrentThread();
        long started = System.nanoTime();
        var openSample = listener.metrics().opened();
        Outcome outcome;
        try {
            socket.setTcpNoDelay(listener.config().tcpNoDelay());
            socket.setKeepAlive(listener.config().keepAlive());
            if (listener.config().sendBufferSize() > 0) {
                socket.setSendBufferSize(listener.config().sendBufferSize());
            }
            input = new MeteredInput(socket.getInputStream(), listener.metrics().received(), this);
            output = new MeteredOutput(socket.getOutputStream(), listener.metrics().sent(), this);
            LOG.log(Level.TRACE, () -> prefix + "open " + remote + " -> " + local);
            listener.handler().handle(this);
            Outcome aborted = abortedAs.get();
            outcome = aborted != null ? aborted : input.sawEof() ? Outcome.CLIENT_CLOSED : Outcome.SERVER_CLOSED;
        } catch (Throwable t) {
            outcome = failed(t);
        } finally {
            // Close the socket before the scopes: a subtask blocked on it gives way even if it
            // ignores interrupts. Bytes already written are still delivered.
            closeSocket();
            closeScopesOwnedBy(null);
        }
        listener.metrics().closed(outcome, System.nanoTime() - started, openSample);
        final Outcome o = outcome;
        LOG.log(Level.TRACE, () -> prefix + "closed: " + o.tag());
        listener.ended(this);
    }

    /** Decides, and logs once, how a connection whose handler threw has ended. */
    private Outcome failed(Throwable t) {
        Outcome aborted = abortedAs.get();
        if (aborted != null) {
            LOG.log(Level.DEBUG, () -> prefix + "closed by the server (" + aborted.tag() + "): " + t);
            return aborted;
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
        if (lifetimeNanos > 0 && now - openedAt > lifetimeNanos) {
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

    void scopeClosed(VirtualTaskScope scope) {
        scopes.remove(scope);
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
        for (VirtualTaskScope scope : scopes) {
            if (owner == null || scope.owner() == owner) {
                scope.forceClose();
            }
        }
    }

    // ---- Connection ----

    @Override public long id() { return id; }
    @Override public String listenerName() { return listener.name(); }
    @Override public String handlerName() { return listener.handler().name(); }
    @Override public InetSocketAddress localAddress() { return local; }
    @Override public InetSocketAddress remoteAddress() { return remote; }
    @Override public InputStream input() { return input; }
    @Override public OutputStream output() { return output; }

    @Override
    public void shutdownOutput() throws IOException {
        // Two threads may both decide the output is done (a relay's two directions): the first one acts.
        if (outputShut.compareAndSet(false, true) && !socket.isClosed()) {
            socket.shutdownOutput();
        }
    }

    @Override
    public TaskScope openScope() {
        if (CURRENT.get() != this) {
            // A scope opened elsewhere would have subtasks no one of this connection waits for.
            throw new WrongThreadException(prefix + "openScope is for the connection's handler and its subtasks,"
                    + " not " + Thread.currentThread().getName());
        }
        VirtualTaskScope scope = new VirtualTaskScope(this, listener.threads());
        scopes.addFirst(scope);
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
