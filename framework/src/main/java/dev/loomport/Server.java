package dev.loomport;

import dev.loomport.internal.Engine;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A running TCP server: one or more listeners, each accepting on its own port and serving every
 * connection on a new virtual thread with the handler it names.
 *
 * <p>The lifecycle is short and total:
 * <ul>
 *   <li>{@link #start(ServerConfig)} binds every listener or none, and returns once all accept.</li>
 *   <li>{@link #shutdown(Duration)} stops gracefully: stop accepting, tell handlers the server is
 *       draining, wait up to the grace period, close what is left.</li>
 *   <li>{@link #close()} stops at once: closes every listener and connection and interrupts their
 *       threads.</li>
 *   <li>Both return only when every thread the server started has ended; both are idempotent and safe
 *       to call from several threads at once. A stopped server cannot be started again: start a new
 *       one.</li>
 * </ul>
 *
 * {@snippet :
 * ServerConfig config = ServerConfig.builder()
 *         .listener(ListenerConfig.builder("echo").port(7007).build())
 *         .build();
 * try (Server server = Server.start(config)) {
 *     System.out.println("listening on " + server.listeners().getFirst().hostAndPort());
 *     server.awaitTermination();
 * }
 * }
 */
public final class Server implements AutoCloseable {

    private final Engine engine;

    private Server(Engine engine) {
        this.engine = engine;
    }

    /**
     * Starts a server: finds each listener's plug-in, has it create the listener's handler, binds every
     * listener, and starts accepting on all of them. Whatever fails releases what was made: handlers
     * already created are closed, listeners already bound are unbound.
     *
     * @throws java.net.BindException naming {@code host:port} when a port is in use (no listener is
     *         left bound)
     * @throws IllegalArgumentException when a listener names a handler that does not exist (the message
     *         lists those that do, and the plug-ins that failed to load, with their causes), or gives its
     *         plug-in an option it does not declare, leaves out a required one, or one the plug-in
     *         rejects (the message names the listener, the plug-in's class and the option)
     * @throws IllegalStateException when two plug-ins share a name (the message names both classes), or
     *         a plug-in's {@code create} fails (the message names the listener, the plug-in's class and
     *         the cause, which is attached)
     * @throws IOException when a listener cannot be bound for another reason, or when a TLS listener's
     *         key material cannot be read (the message names the listener, the file and the problem;
     *         every file is read before any listener binds)
     */
    public static Server start(ServerConfig config) throws IOException {
        return new Server(Engine.start(Objects.requireNonNull(config, "config")));
    }

    /** The listeners, in configuration order, with the addresses they are bound to. */
    public List<BoundListener> listeners() {
        return engine.listeners();
    }

    /**
     * Stops gracefully: the listening sockets close at once (new connects are refused), handlers are
     * told the server is draining ({@link dev.loomport.spi.Connection#isDraining()}), and connections
     * have up to {@code grace} to end by themselves. Then the rest are closed and their threads
     * interrupted. Returns when no thread of this server is left. Calling it while another stop is
     * under way waits for that one; a shorter grace period shortens it.
     *
     * @throws WrongThreadException when called from one of this server's own threads (a handler or a
     *         subtask): it would wait for itself to end
     */
    public void shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace period must not be negative: " + grace);
        }
        engine.shutdown(grace);
    }

    /**
     * Stops at once: {@link #shutdown(Duration)} with no grace period.
     *
     * @throws WrongThreadException when called from one of this server's own threads
     */
    @Override
    public void close() {
        engine.shutdown(Duration.ZERO);
    }

    /**
     * Re-reads the key material (key store or PEM files, trust store, passwords from their variables or
     * files) of every TLS listener. Connections accepted afterwards get the new certificate; open ones
     * keep the one they have. Either every TLS listener gets its new material or, if any file is bad,
     * none does and the old material stays in use.
     *
     * @return the names of the listeners reloaded; empty when no listener is TLS
     * @throws IOException naming the listener, the file and the problem, when a file cannot be loaded
     */
    public List<String> reloadTls() throws IOException {
        return engine.reloadTls();
    }

    /** Waits until the server has stopped (someone called {@link #close()} or {@link #shutdown}). */
    public void awaitTermination() throws InterruptedException {
        engine.awaitTermination();
    }

    /** Waits at most {@code timeout}; returns whether the server has stopped. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return engine.awaitTermination(timeout);
    }

    /**
     * Whether a stop is under way: it has begun (no new connections are accepted; handlers see
     * {@link dev.loomport.spi.Connection#isDraining()}) and has not yet finished. False before a stop, and
     * false again once the server has terminated ({@link #isTerminated()}).
     */
    public boolean isDraining() {
        return engine.isDraining();
    }

    /** Whether the server has stopped and every one of its threads has ended. */
    public boolean isTerminated() {
        return engine.isTerminated();
    }

    /** Connections open now, across all listeners. */
    public int activeConnections() {
        return engine.activeConnections();
    }

    /**
     * A snapshot of at most {@code limit} open connections, newest first: for a live view of the server
     * (the demo's connections page). The work is one pass over the open connections whatever
     * {@code limit} is, and a record is made only for those returned.
     *
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    public List<ConnectionInfo> connections(int limit) {
        return engine.connections(limit);
    }

    /**
     * Threads this server started that have not ended yet: accept loops, connections, their subtasks,
     * the timeout watchdog, and the pinning monitor's Flight Recorder stream when
     * {@link ServerConfig#pinningThreshold()} is set. 0 once the server has stopped.
     */
    public int liveThreads() {
        return engine.liveThreads();
    }
}
