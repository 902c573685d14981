package dev.loomport.spi;

import java.util.Map;

/**
 * A protocol: serves one TCP connection at a time, for as many connections as arrive at once.
 *
 * <p>A handler is a plug-in. loomport finds handlers with {@link java.util.ServiceLoader}: a module
 * declares {@code provides dev.loomport.spi.ConnectionHandler with com.example.MyHandler;}, a jar on the
 * class path lists the class in {@code META-INF/services/dev.loomport.spi.ConnectionHandler}. A listener
 * names the handler it serves by {@link #name()}.
 *
 * <h2>Threading contract</h2>
 * <ul>
 *   <li>{@link #handle(Connection)} runs on a new virtual thread of its own for every connection, so it
 *       may block (read, write, sleep, call a database) without holding up other connections. One
 *       handler instance serves all connections of a listener concurrently: keep per-connection state
 *       in local variables, and make shared state thread-safe. Avoid {@code synchronized} around
 *       blocking calls: on JDK 21 it pins the carrier thread; use {@code java.util.concurrent.locks}.</li>
 *   <li>{@code handle} must return when its connection's socket is closed (reads and writes then throw
 *       {@link java.io.IOException}) or when its thread is interrupted. The server closes the socket and
 *       interrupts the thread on shutdown, on a timeout, and when the connection's scope ends.</li>
 *   <li>When {@code handle} returns or throws, the connection is over: loomport cancels and joins the
 *       subtasks it forked, closes the socket, and counts how the connection ended. A handler need not
 *       close anything itself. An exception ends this connection only: it is logged once and the
 *       server goes on serving everyone else.</li>
 * </ul>
 *
 * {@snippet :
 * public final class UpperCase implements ConnectionHandler {
 *     public String name() { return "upper"; }
 *
 *     public void handle(Connection connection) throws IOException {
 *         InputStream in = connection.input();
 *         OutputStream out = connection.output();
 *         byte[] buffer = new byte[8192];
 *         for (int n; (n = in.read(buffer)) != -1; ) {
 *             out.write(new String(buffer, 0, n, StandardCharsets.US_ASCII)
 *                     .toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
 *         }
 *     }
 * }
 * }
 *
 * <p>Implementations need a public no-argument constructor (or, in a module, a public static
 * {@code provider()} method), as {@link java.util.ServiceLoader} requires.
 */
public interface ConnectionHandler {

    /**
     * The name listeners use to refer to this handler, for example {@code "echo"}. It must be unique
     * among the handlers a server can see, non-blank, and stable: it appears in configuration, thread
     * names, log lines and metric tags.
     */
    String name();

    /**
     * Serves one connection, on that connection's own virtual thread, until the protocol is done or the
     * peer goes away. See the threading contract above.
     *
     * @param connection the connection, open and ready; never {@code null}
     * @throws Exception anything; it ends this connection only
     */
    void handle(Connection connection) throws Exception;

    /**
     * Returns the handler to use for one listener that gives these options (the {@code key=value} pairs
     * a listener carries that loomport itself does not interpret, such as a relay's upstream address).
     * Called once per listener when the server starts, before it binds anything, so a bad option stops
     * the start with a clear message.
     *
     * <p>The default accepts no options and returns {@code this}.
     *
     * @param options the listener's handler options; never {@code null}, often empty
     * @return the handler to serve that listener's connections
     * @throws IllegalArgumentException naming the option and its value, when an option is unknown or bad
     */
    default ConnectionHandler configure(Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException(
                    "handler '" + name() + "' takes no options; got: " + String.join(", ", options.keySet()));
        }
        return this;
    }
}
