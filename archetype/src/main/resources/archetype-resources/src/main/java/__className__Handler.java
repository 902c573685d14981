package ${package};

import dev.loomport.io.FrameReader;
import dev.loomport.io.FrameWriter;
import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import java.io.IOException;

/**
 * Serves one listener's connections: answers every line a client sends with the greeting and the line
 * ({@code Hello, world!} for {@code world}) until the client closes the connection.
 *
 * <p>loomport runs {@link #handle} on a virtual thread of its own for every connection, so it may block;
 * it returns when the client is done, and throws when the socket is closed under it (a timeout, the
 * server's stop). loomport closes the socket afterwards. Lines are read through {@link FrameReader}, which
 * holds no more than the limit: a line longer than {@link #MAX_LINE} bytes throws
 * {@code FrameTooLargeException}, and the connection ends with the outcome {@code frame-too-large}.
 *
 * <p>When the server drains (SIGTERM, Ctrl-C), a client that keeps its connection open holds the stop
 * until the grace period ends and the server closes the socket. To end sooner, say goodbye in
 * {@code connection.onDrain(...)}: loomport's docs/plugins.md ("Draining") shows how.
 */
final class ${className}Handler implements ConnectionHandler {
    /** The longest line accepted, in bytes, without its line end. */
    static final int MAX_LINE = 1024;

    private final String greeting;

    ${className}Handler(String greeting) {
        this.greeting = greeting;
    }

    @Override
    public void handle(Connection connection) throws IOException {
        FrameReader in = new FrameReader(connection.input());
        FrameWriter out = new FrameWriter(connection.output());
        for (String line; (line = in.readLine(MAX_LINE)) != null; ) {
            out.writeLine(greeting + ", " + line + "!");
            out.flush(); // the client waits for this answer before it sends more
        }
    }
}
