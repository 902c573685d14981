package dev.loomport.spi;

/**
 * Serves the connections of one listener: what a {@link HandlerPlugin} creates, once per listener.
 *
 * <h2>Threading contract</h2>
 * <ul>
 *   <li>{@link #handle(Connection)} runs on a new virtual thread of its own for every connection, so it
 *       may block (read, write, sleep, call a database) without holding up other connections. One
 *       handler serves all connections of its listener concurrently: keep per-connection state in local
 *       variables, and make shared state thread-safe. Avoid {@code synchronized} around blocking calls:
 *       on JDK 21 it pins the carrier thread; use {@code java.util.concurrent.locks}.</li>
 *   <li>{@code handle} must return when its connection's socket is closed (reads and writes then throw
 *       {@link java.io.IOException}) or when its thread is interrupted. The server closes the socket and
 *       interrupts the thread on shutdown, on a timeout, and when the connection's scope ends.</li>
 *   <li>When {@code handle} returns or throws, the connection is over: loomport cancels and joins the
 *       subtasks it forked, closes the socket, and counts how the connection ended. A handler need not
 *       close anything itself. An exception ends this connection only: it is logged once, with the
 *       connection's id, counted by its own type, and the server goes on serving everyone else. The
 *       client sees how it ended: a return closes with an end of stream (a FIN), an exception (other
 *       than the client's socket failing or a frame over its limit) with a reset (a RST), so that a
 *       broken exchange never looks finished; bytes written just before the exception may be lost.</li>
 *   <li>{@link #close()} runs exactly once, after the last of the listener's connections has ended, on
 *       every path that stops the listener: a graceful shutdown, an abort, and a start that failed after
 *       the handler was created. It runs on the thread that stops the server; no {@code handle} call is
 *       running or will run. Release there what the plug-in's {@code create} opened for this listener.</li>
 * </ul>
 *
 * <p>A handler that holds nothing is a lambda:
 * {@snippet :
 * ConnectionHandler hello = connection ->
 *         connection.output().write("hello\n".getBytes(StandardCharsets.US_ASCII));
 * }
 */
@FunctionalInterface
public interface ConnectionHandler extends AutoCloseable {

    /**
     * Serves one connection, on that connection's own virtual thread, until the protocol is done or the
     * peer goes away. See the threading contract above.
     *
     * @param connection the connection, open and ready; never {@code null}
     * @throws Exception anything; it ends this connection only
     */
    void handle(Connection connection) throws Exception;

    /**
     * Releases what this handler holds, once its listener has stopped and every one of its connections
     * has ended. Called exactly once. What it throws is logged and does not stop the server's stop.
     * Default: nothing to release.
     */
    @Override
    default void close() throws Exception {
    }
}
