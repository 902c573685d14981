package dev.loomport.internal;

import dev.loomport.BoundListener;
import dev.loomport.ListenerConfig;
import dev.loomport.SocketOptions;
import dev.loomport.spi.ConnectionHandler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One listening socket, its accept loop, and the connections it accepted. The accept loop runs on a
 * virtual thread of its own and does as little as it can: accept, admit ({@link Admission}) or
 * {@link #reject}, start the connection's thread. Everything slow (socket options, PROXY, TLS, the
 * handler) happens on the connection's thread ({@link SocketConnection}), which calls {@link #ended} last.
 *
 * <p>Every connection thread belongs to this listener's thread-per-task executor, so a thread dump
 * ({@code jcmd <pid> Thread.dump_to_file -format=json}) shows a listener's connections together.
 */
final class Listener {
    private static final System.Logger LOG = System.getLogger(Listener.class.getName());

    private final String name;
    private final ListenerConfig config;
    private final ConnectionHandler handler;
    private final TlsHandshaker tls; // null: plain TCP; ConnectionSetup skips the step
    private ListeningSocket serverSocket; // bound here, or the process's inherited one; set before start()
    private final BoundListener bound;
    private final Engine engine;
    private final ListenerMetrics metrics;
    private final ExecutorService connections;
    private final Set<SocketConnection> open = ConcurrentHashMap.newKeySet();
    private final Admission admission;
    private final byte[] rejectMessage;
    private final ProxyStep proxy; // null: no PROXY header expected
    private final boolean onLoops; // served by the engine's I/O loops (IoLoops), not the JDK's socket path
    private volatile boolean closing;
    private volatile InetSocketAddress lastLocal; // see sharedLocal
    private Thread acceptThread;
    private final AcceptGate acceptGate = new AcceptGate(); // the stop's interrupt never lands in accept()

    private Listener(String name, ListenerConfig config, ConnectionHandler handler, TlsHandshaker tls,
                     ListeningSocket serverSocket, boolean onLoops, Engine engine) {
        this.name = name;
        this.config = config;
        this.handler = handler;
        this.tls = tls;
        this.serverSocket = serverSocket;
        this.engine = engine;
        this.bound = new BoundListener(name, config.handler(), serverSocket.localAddress());
        this.metrics = new ListenerMetrics(engine.meterRegistry(), name, config.handler(), bound.address().getPort(),
                open::size);
        this.connections = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("loomport " + name + " connection").factory());
        this.admission = new Admission(config.limits());
        // Plain bytes would only garble a TLS client's handshake: a TLS listener rejects by closing.
        this.rejectMessage = tls == null ? config.limits().rejectBytes() : new byte[0];
        this.proxy = ProxyStep.forListener(config.proxy());
        this.onLoops = onLoops;
    }

    /** Binds the listening socket; nothing is accepted until {@link #start()}. */
    static Listener bind(String name, ListenerConfig config, ConnectionHandler handler, TlsHandshaker tls,
                         Engine engine) throws IOException {
        // Decided once: the socket bound here and every accepted one must agree on it.
        boolean onLoops = IoLoops.serves(config);
        if (config.inheritedChannel()) { // the service manager bound it: nothing to bind
            ListeningSocket inherited = InheritedSocket.claim(name); // accepts from a channel either way
            try {
                return new Listener(name, config, handler, tls, inherited, onLoops, engine);
            } catch (RuntimeException e) {
                inherited.close();
                throw e;
            }
        }
        String where = HostPort.of(config.host(), config.port());
        InetAddress address;
        try {
            address = InetAddress.getByName(config.host());
        } catch (UnknownHostException e) {
            throw new UnknownHostException("listener " + name + ": unknown host '" + config.host() + "'");
        }
        // The loop path needs accepted channels it can make non-blocking: it accepts from a channel's
        // ServerSocket, which binds and takes every option as a plain one does.
        ServerSocket socket = onLoops ? ServerSocketChannel.open().socket() : new ServerSocket();
        try {
            SocketOptions options = config.socket();
            socket.setReuseAddress(options.reuseAddress());
            if (options.reusePort()) {
                if (!socket.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    throw new IOException("listener " + name + ": SO_REUSEPORT is not supported on this platform");
                }
                socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (options.receiveBufferSize() > 0) {
                socket.setReceiveBufferSize(options.receiveBufferSize()); // inherited by accepted sockets
            }
            socket.bind(new InetSocketAddress(address, config.port()), options.backlog());
            return new Listener(name, config, handler, tls, ListeningSocket.bound(socket), onLoops, engine);
        } catch (IOException | RuntimeException e) {
            socket.close();
            if (e instanceof BindException) {
                String why = String.valueOf(e.getMessage());
                BindException named = new BindException(why.contains("in use")
                        ? where + " is already in use" : "cannot listen on " + where + ": " + why);
                named.initCause(e);
                throw named;
            }
            throw e;
        }
    }

    /** Tests only, before {@link #start()}: accept through {@code wrap} of the listening socket. */
    void acceptThrough(UnaryOperator<ListeningSocket> wrap) {
        serverSocket = wrap.apply(serverSocket);
    }

    void start() {
        // The JDK's console loggers read the time-zone database (lib/tzdb.dat) the first time they
        // write a line. Read it now: the first line this listener may have to write is the one saying
        // that the process is out of file descriptors, when that read would fail and leave the JDK's
        // time-zone classes broken for good.
        ZonedDateTime.now();
        acceptThread = engine.threads().start(
                Thread.ofVirtual().name("loomport " + name + " accept " + bound.hostAndPort()), this::acceptLoop);
        FlightEvents.listenerStarted(bound);
    }

    /**
     * Accepts until the listener closes. Nothing that goes wrong with one connection, or with accepting,
     * ends the loop: a failed accept (out of descriptors, for example) backs off and retries, and a
     * connection that cannot be started is closed and its slot released.
     */
    private void acceptLoop() {
        AcceptBackoff backoff = new AcceptBackoff();
        while (!closing) {
            boolean slotHeld;
            try {
                slotHeld = admission.awaitSlot(); // full: stop accepting; the kernel's backlog holds newcomers
            } catch (InterruptedException e) {
                break;
            }
            Socket socket;
            try {
                socket = acceptGate.accept(serverSocket::accept);
            } catch (Throwable e) { // out of descriptors, or even out of memory: back off, never die
                if (slotHeld) {
                    admission.releaseSlot();
                }
                if (closing) {
                    break;
                }
                Duration wait = backoff.failed();
                acceptFailed(e, backoff.firstOfBurst());
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    break;
                }
                continue;
            }
            int failed = backoff.succeeded();
            if (failed > 0) {
                logSafely(Level.INFO, "listener " + name + " on " + bound.hostAndPort() + ": accepting again after "
                        + failed + " failed accept(s)");
            }
            admit(socket, slotHeld);
        }
    }

    private void acceptFailed(Throwable e, boolean firstOfBurst) {
        try {
            metrics.acceptFailed(e);
        } catch (Throwable metricsFailed) {
            logSafely(Level.DEBUG, "listener " + name + ": counting a failed accept failed: " + metricsFailed);
        }
        if (firstOfBurst) {
            logSafely(Level.WARNING, "listener " + name + " on " + bound.hostAndPort()
                    + ": accept failed, backing off (5 ms doubling to 1 s) and retrying: " + e);
        }
    }

    /**
     * Logs from the accept loop. A logger may need a file descriptor to write, and the loop logs exactly
     * when the process has none left: a logger that fails must not end the loop.
     */
    private void logSafely(Level level, String message) {
        try {
            LOG.log(level, message);
        } catch (Throwable ignored) {
            // Nowhere left to say it; the accept.errors counter still tells.
        }
    }

    /**
     * Decides what happens to an accepted socket: rejected by a limit, or handed to a new connection
     * thread. Whatever fails here closes the socket and gives back what it took; the loop goes on.
     *
     * <p>A socket accepted as the stop begins ({@code closing} set meanwhile) is served like any other:
     * {@link #stopAccepting} joins this loop before the engine drains, so the drain and the wait for open
     * connections reach it. Closing it instead lost a client the kernel had already handed to this
     * process, one that a socket held by a service manager would have kept for the next (RestartIT).
     */
    private void admit(Socket accepted, boolean slotHeld) {
        boolean slot = slotHeld;    // a slot to give back unless the socket becomes a connection
        InetAddress admitted = null; // a source admitted, with its slot, to give back likewise
        boolean started = false;
        Socket socket = accepted;   // a rejected one stays blocking; an admitted one may move to the loops
        try {
            InetAddress source = socket.getInetAddress();
            ListenerMetrics.RejectReason refused = admission.admit(source, slot);
            slot = false; // admitted: the connection holds it; refused: admit() gave it back
            if (refused != null) {
                reject(socket, refused);
                return;
            }
            admitted = source;
            if (onLoops) {
                socket = engine.ioLoops().adopt(accepted);
            }
            SocketConnection connection = new SocketConnection(engine.nextId(), this, socket);
            open.add(connection);
            admitted = null; // the connection holds them now: ended() gives them back
            if (!start(connection)) {
                reject(socket, ListenerMetrics.RejectReason.SHUTDOWN);
                return;
            }
            started = true;
            metrics.accepted();
        } catch (Throwable e) { // even an OutOfMemoryError starting a thread ends only this connection
            if (started) { // only counting failed: the connection is served all the same
                logSafely(Level.DEBUG, "listener " + name + ": counting an accepted connection failed: " + e);
                return;
            }
            closeQuietly(socket);
            logSafely(Level.WARNING, "listener " + name + ": could not start a connection from "
                    + socket.getRemoteSocketAddress() + ": " + e);
        } finally {
            if (admitted != null) {
                admission.release(admitted);
            } else if (slot) {
                admission.releaseSlot();
            }
        }
    }

    /** Starts the connection's thread; false if the listener is shutting down and starts no more. */
    private boolean start(SocketConnection connection) {
        engine.threads().starting(); // the connection's run() takes the other two steps
        try {
            connections.execute(connection);
            return true;
        } catch (RuntimeException e) {
            engine.threads().notStarted();
            ended(connection);
            if (e instanceof RejectedExecutionException) { // only while shutting down
                return false;
            }
            throw e;
        }
    }

    private void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "listener " + name + ": close failed: " + e);
        }
    }

    /**
     * Where every refused connection ends: closed before it reaches a thread of its own, after the reject
     * message if there is one.
     */
    private void reject(Socket socket, ListenerMetrics.RejectReason reason) {
        metrics.rejected(reason);
        FlightEvents.connectionRejected(bound, (InetSocketAddress) socket.getRemoteSocketAddress(), reason.tag);
        LOG.log(Level.DEBUG, () -> "listener " + name + ": rejected " + socket.getRemoteSocketAddress()
                + " (" + reason.tag + ")");
        // The stop interrupts this thread to wake the loop; an interrupted thread's I/O on the socket
        // would close it at once (ClosedByInterruptException), with the client's bytes unread: a RST.
        // Nothing here waits, so the stop is not held up by setting the interrupt aside until the close.
        boolean interrupted = Thread.interrupted();
        try (socket) {
            if (rejectMessage.length > 0 && reason != ListenerMetrics.RejectReason.SHUTDOWN) {
                socket.getOutputStream().write(rejectMessage); // at most 1 KiB: fits any send buffer
                socket.shutdownOutput();
            }
            Unread.discard(socket); // so that the close is a FIN after the message, not a RST
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "listener " + name + ": reject message not delivered: " + e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The last act of every admitted connection, on every path. */
    void ended(SocketConnection connection) {
        if (connection.markEnded()) {
            // The slot goes back before the connection leaves the open set: whoever sees the count of
            // open connections drop can connect and be admitted.
            admission.release(connection.peerAddress().getAddress()); // the address admit() counted
            open.remove(connection);
            engine.connectionEnded();
        }
    }

    /**
     * Stops accepting: a bound listening socket closes, and new connects are refused; an inherited one
     * stays open in the service manager's hands, queueing them for the next process. Waits for the loop.
     */
    void stopAccepting() {
        boolean first = !closing; // only the stopping thread calls this (and again, idempotent, later)
        closing = true;
        try {
            serverSocket.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "listener " + name + ": close failed: " + e);
        }
        if (acceptThread != null) {
            acceptGate.stop(acceptThread); // it may be waiting for a slot, or backing off
            if (first) {
                FlightEvents.listenerStopped(bound); // a listener that never started never stops
            }
        }
    }

    /** Connections still open, for a stop that waits for them to say which. */
    Set<SocketConnection> openConnections() {
        return open;
    }

    /** Runs the handlers' drain actions, each connection's on a thread of this listener's. */
    void drain() {
        Executor runner = task -> {
            Runnable counted = engine.threads().counted(task);
            try {
                connections.execute(counted);
            } catch (RejectedExecutionException e) { // the stop is already closing everything
                engine.threads().notStarted();
            }
        };
        open.forEach(c -> c.drain(runner));
    }

    /** Closes what is still open and interrupts its threads. */
    void abortAll() {
        open.forEach(c -> c.abort(Outcome.SHUTDOWN));
        connections.shutdownNow();
    }

    /**
     * Waits, after {@link #abortAll}, at most {@code nanos} for every connection thread (and so every
     * subtask and drain action) to end; returns whether they all have. Not cut short by an interrupt,
     * which is restored for the caller.
     */
    boolean awaitConnections(long nanos) {
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return connections.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void checkTimeouts(long now) {
        for (SocketConnection c : open) {
            c.checkTimeouts(now);
        }
    }

    /**
     * The accepted socket's local address, or an equal one already held: the connections of a listener
     * mostly share their local address, and each copy is four objects per held connection.
     */
    InetSocketAddress sharedLocal(InetSocketAddress local) {
        InetSocketAddress last = lastLocal;
        if (last != null && last.equals(local)) {
            return last;
        }
        if (local != null) {
            lastLocal = local;
        }
        return local;
    }

    int openCount() {
        return open.size();
    }

    String name() { return name; }
    ListenerConfig config() { return config; }
    ConnectionHandler handler() { return handler; }
    String handlerName() { return bound.handlerName(); }
    TlsHandshaker tls() { return tls; }
    BoundListener bound() { return bound; }
    ListenerMetrics metrics() { return metrics; }
    ProxyStep proxy() { return proxy; }
    /** Whether its connections are served by the engine's I/O loops rather than the JDK's socket path. */
    boolean onLoops() { return onLoops; }
    ThreadCount threads() { return engine.threads(); }
    boolean isDraining() { return engine.isDraining(); }

}
