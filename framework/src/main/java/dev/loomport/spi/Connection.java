package dev.loomport.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * One accepted TCP connection, as its {@link ConnectionHandler} sees it.
 *
 * <p>A connection is one end of one socket pair: {@link #localAddress()} is the server's address and the
 * port the client connected to, {@link #remoteAddress()} is the client's address and its (usually
 * ephemeral) port. The streams are the socket's own, unbuffered: wrap them in buffered streams when
 * the protocol reads or writes in small pieces.
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
     * Opens a scope in which the handler can run subtasks on virtual threads of their own, for example a
     * reader and a writer at once. A scope, and every subtask in it, never outlives the handler's call:
     * if the handler returns without closing a scope, loomport closes it, and a scope a subtask opened
     * is closed when that subtask ends. See {@link TaskScope}.
     *
     * @throws WrongThreadException if called from a thread that is neither the handler's nor one of its
     *         subtasks'
     */
    TaskScope openScope();

    /**
     * Whether the server is draining: it has stopped accepting and waits a grace period for open
     * connections to end. A handler that sees this should finish the exchange it is in, say goodbye if
     * its protocol has a way to, and return.
     */
    boolean isDraining();

    /**
     * Registers an action to run once when the server starts draining (at once, if it already is). The
     * action runs on the thread that asked the server to stop, so it must be quick and must not block:
     * set a flag, shut down input, wake the handler. An exception from it is logged and ignored.
     */
    void onDrain(Runnable action);
}
