package ${package};

import dev.loomport.io.FrameReader;
import dev.loomport.io.FrameWriter;
import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

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
 * <p>When the server drains (SIGTERM, Ctrl-C), the handler says goodbye: a drain action, registered with
 * {@code connection.onDrain(...)}, writes {@link #GOODBYE}, shuts the output down (the client reads the
 * line, then end of stream) and interrupts the handler's thread, which wakes its read (the JDK closes a
 * socket whose virtual thread is interrupted in I/O), so the handler returns at once. The connection ends
 * then, whether or not the client closes its side (nc keeps it open until its own input ends), not when
 * the grace period (10 s in the launcher) does. loomport's docs/plugins.md ("Draining") says more.
 */
final class ${className}Handler implements ConnectionHandler {
    /** The longest line accepted, in bytes, without its line end. */
    static final int MAX_LINE = 1024;
    /** The last line a client reads when the server stops gracefully, before its end of stream. */
    static final String GOODBYE = "Goodbye: the server is stopping";

    private final String greeting;

    ${className}Handler(String greeting) {
        this.greeting = greeting;
    }

    @Override
    public void handle(Connection connection) throws IOException {
        FrameReader in = new FrameReader(connection.input());
        FrameWriter out = new FrameWriter(connection.output());
        // The answers (this thread) and the goodbye (a thread of the server's) take turns at the output,
        // so that a goodbye never lands inside an answer, and no answer follows it.
        Lock turns = new ReentrantLock();
        AtomicBoolean saidGoodbye = new AtomicBoolean();
        Thread handler = Thread.currentThread();
        connection.onDrain(() -> sayGoodbye(connection, out, turns, saidGoodbye, handler));
        try {
            for (String line; (line = in.readLine(MAX_LINE)) != null; ) {
                turns.lock();
                try {
                    if (saidGoodbye.get()) {
                        return; // the output is shut: nothing more can be answered
                    }
                    out.writeLine(greeting + ", " + line + "!");
                    out.flush(); // the client waits for this answer before it sends more
                } finally {
                    turns.unlock();
                }
            }
        } catch (IOException e) {
            if (!saidGoodbye.get()) {
                throw e; // the connection failed: loomport counts how
            }
            // the goodbye's interrupt closed the socket under the read: the connection is over, as meant
        }
    }

    /**
     * The drain action: {@link #GOODBYE}, then end of stream, then the handler's thread interrupted, so
     * that its read gives way and the connection ends now, not when the grace period does.
     */
    private static void sayGoodbye(Connection connection, FrameWriter out, Lock turns, AtomicBoolean saidGoodbye,
            Thread handler) {
        turns.lock();
        try {
            saidGoodbye.set(true);
            out.writeLine(GOODBYE);
            out.flush();
            connection.shutdownOutput();
        } catch (IOException e) {
            // the client is gone already: no one is left to tell
        } finally {
            turns.unlock();
        }
        handler.interrupt();
    }
}
