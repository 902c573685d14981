package dev.loomport.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLSession;

/**
 * One accepted TCP connection, as its {@link ConnectionHandler} sees it.
 *
 * <p>A connection is one end of one socket pair: {@link #localAddress()} is the server's address and the
 * port the client connected to, {@link #remoteAddress()} is the client's address and its (usually
 * ephemeral) port. Behind a load balancer that sends a PROXY protocol header (see
 * {@code ListenerConfig.proxyProtocol}), both are the original client's connection as the header tells
 * it, and {@link #proxiedFrom()} has the balancer's. The streams are the socket's own, unbuffered: wrap
 * them in buffered streams when the protocol reads or writes in small pieces. They start after the PROXY
 * header, if there is one.
 *
 * <p>All methods may be called from the handler's thread and from its subtasks. The connection is
 * closed by loomport when the handler returns; a handler need not close it.
 */
public interface Connection {

    /** A number unique among this server's connections, in accept order; it prefixes log lines. */
    long id();

    /** The name of the listener that accepted this connection. */
    String listenerName();

    /** The name of the handler serving it. */
    String handlerName();

    /** The server's end of the socket pair: the listener's address and port. */
    InetSocketAddress localAddress();

    /** The client's end of the socket pair: its address and port. */
    InetSocketAddress remoteAddress();

    /**
     * The load balancer's connection, when a PROXY protocol header named the client: then
     * {@link #remoteAddress()} and {@link #localAddress()} come from the header, and this is the socket
     * pair they arrived on. Empty when the listener expects no header, and when the header said to use the
     * real endpoints (a balancer's health check: v2 {@code LOCAL}, v1 {@code UNKNOWN}, an unspecified
     * family).
     */
    default Optional<ProxiedFrom> proxiedFrom() {
        return Optional.empty();
    }

    /**
     * The bytes the client sends. {@code read} returns -1 once the client has shut down its output
     * (a half-close) or closed the connection; it throws {@link IOException} when the connection is
     * reset, times out or is closed by the server.
     */
    InputStream input();

    /**
     * The bytes sent to the client. {@code write} blocks while the client is not reading and its
     * buffers are full; it throws {@link IOException} when the connection is reset or closed.
     */
    OutputStream output();

    /**
     * Half-closes the connection: the client reads end-of-stream once it has read everything written
     * so far, while this side can still read. Idempotent.
     */
    void shutdownOutput() throws IOException;

    /**
     * The TLS session, when the listener serves TLS: {@link SSLSession#getProtocol()} (such as
     * {@code TLSv1.3}), {@link SSLSession#getCipherSuite()}, and the client's certificate chain,
     * {@link SSLSession#getPeerCertificates()} (which throws
     * {@link javax.net.ssl.SSLPeerUnverifiedException} when the client sent none). Empty on a plain
     * listener. The handshake is over before the handler is called, and {@link #input()} and
     * {@link #output()} carry the decrypted bytes.
     */
    default Optional<SSLSession> tlsSession() {
        return Optional.empty();
    }

    /**
     * The ALPN protocol the handshake agreed on, such as {@code h2}; empty on a plain listener, or when
     * the client offered no ALPN or the listener configured none.
     */
    default Optional<String> applicationProtocol() {
        return Optional.empty();
    }

    /**
     * Opens a scope in which the handler can run subtasks on virtual threads of their own, for example a
     * reader and a writer at once, in which all must succeed: the first failure cancels the others
     * ({@link TaskScope.Joiner#awaitAllSuccessfulOrThrow()}), and there is no timeout. A scope, and every
     * subtask in it, never outlives the handler's call: if the handler returns without closing a scope,
     * loomport closes it, and a scope a subtask opened is closed when that subtask ends. See
     * {@link TaskScope}.
     *
     * @throws WrongThreadException if called from a thread that is neither the handler's nor one of its
     *         subtasks'
     */
    default TaskScope openScope() {
        return openScope(TaskScope.Joiner.awaitAllSuccessfulOrThrow(), config -> config);
    }

    /**
     * Opens a scope with the given policy and no timeout; otherwise as {@link #openScope()}.
     *
     * @throws WrongThreadException as {@link #openScope()}
     */
    default TaskScope openScope(TaskScope.Joiner joiner) {
        return openScope(joiner, config -> config);
    }

    /**
     * Opens a scope with the given policy and the configuration {@code configFunction} makes of the
     * defaults, such as {@code config -> config.withTimeout(Duration.ofSeconds(5))}; otherwise as
     * {@link #openScope()}.
     *
     * @throws WrongThreadException as {@link #openScope()}
     * @throws IllegalArgumentException as {@link TaskScope.Configuration#withTimeout}
     */
    TaskScope openScope(TaskScope.Joiner joiner, UnaryOperator<TaskScope.Configuration> configFunction);

    /**
     * Whether the server is draining: it has stopped accepting and waits a grace period for open
     * connections to end. A handler that sees this should finish the exchange it is in, say goodbye if
     * its protocol has a way to, and return.
     */
    boolean isDraining();

    /**
     * Registers an action to run once when the server starts draining (at once, on the calling thread,
     * if it already is). The action runs on a virtual thread of the server's, not the handler's, while
     * the grace period runs: set a flag, wake the handler, or {@link #shutdownOutput()} to tell the
     * client this side is done. If it blocks, it holds up nothing but itself, and it ends with the
     * connection at the latest. Whatever it throws is logged and ignored.
     */
    void onDrain(Runnable action);
}
