package dev.loomport.example.pubsub;

import dev.loomport.io.FrameReader;
import dev.loomport.io.FrameWriter;
import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.TaskScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/**
 * Serves one listener's pubsub connections; every connection of the listener shares its {@link Topics}.
 * The protocol, one command per line (UTF-8, LF or CRLF):
 *
 * <pre>
 *  SUB topic            → OK SUB topic          from now on: MSG topic text, for every PUB to topic
 *  UNSUB topic          → OK UNSUB topic
 *  PUB topic text...    → OK PUB n              n: the subscribers it reached
 *  QUIT                 → BYE                   then the server closes
 *  (server draining)    → BYE server draining   then the server closes
 * </pre>
 *
 * Each connection runs two subtasks in a {@link TaskScope.Joiner#firstToFinishOrThrow() first-to-finish}
 * scope: the <em>reader</em> parses commands, the <em>writer</em> writes what the connection's
 * {@link Session} queues (answers, and messages other connections publish). The writer always ends the
 * conversation: it writes everything queued, then a goodbye, and returns, which cancels the reader. The
 * reader, once it has nothing more to read (QUIT or the client's end of stream), asks for the goodbye and
 * waits for that. A line over {@code max-line} fails the reader with
 * {@link dev.loomport.io.FrameTooLargeException}, which cancels the writer and ends the connection with
 * its own outcome.
 */
final class PubSubHandler implements ConnectionHandler {
    private final PubSubPlugin.Settings settings;
    private final Topics topics = new Topics();

    PubSubHandler(PubSubPlugin.Settings settings) {
        this.settings = settings;
    }

    @Override
    public void handle(Connection connection) throws Exception {
        Session session = new Session(settings.queue());
        CountDownLatch written = new CountDownLatch(1); // the writer wrote the goodbye
        connection.onDrain(() -> session.finish("BYE server draining"));
        try (TaskScope scope = connection.openScope(TaskScope.Joiner.firstToFinishOrThrow())) {
            scope.fork(() -> {
                read(connection, session);
                written.await(); // the writer ends the conversation; its end cancels this wait
                return null;
            });
            scope.fork(() -> {
                write(connection, session);
                written.countDown();
                return null;
            });
            scope.join();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e; // the reader's or writer's own failure
        } finally {
            topics.leave(session);
        }
    }

    /** Parses commands until QUIT or the client's end of stream, then asks the writer for the goodbye. */
    private void read(Connection connection, Session session) throws IOException {
        FrameReader in = new FrameReader(connection.input());
        for (String line; (line = in.readLine(settings.maxLine(), StandardCharsets.UTF_8)) != null; ) {
            if (!command(line, session)) {
                break;
            }
        }
        session.finish("BYE");
    }

    /** Carries out one command; false for QUIT. */
    private boolean command(String line, Session session) {
        String[] words = line.strip().split(" ", 3);
        String verb = words[0].toUpperCase(java.util.Locale.ROOT);
        switch (verb) {
            case "SUB" -> {
                if (words.length < 2) {
                    session.deliver("ERR SUB needs a topic");
                } else {
                    topics.subscribe(words[1], session);
                    session.deliver("OK SUB " + words[1]);
                }
            }
            case "UNSUB" -> {
                if (words.length < 2) {
                    session.deliver("ERR UNSUB needs a topic");
                } else {
                    topics.unsubscribe(words[1], session);
                    session.deliver("OK UNSUB " + words[1]);
                }
            }
            case "PUB" -> {
                if (words.length < 3) {
                    session.deliver("ERR PUB needs a topic and a message");
                } else {
                    int reached = topics.publish(words[1], "MSG " + words[1] + " " + words[2]);
                    session.deliver("OK PUB " + reached);
                }
            }
            case "QUIT" -> {
                return false;
            }
            case "" -> {
                // an empty line is not a command; say nothing
            }
            default -> session.deliver("ERR unknown command: " + verb);
        }
        return true;
    }

    /** Writes what the session queues, a batch at a time with one flush, until the goodbye. */
    private static void write(Connection connection, Session session) throws IOException, InterruptedException {
        FrameWriter out = new FrameWriter(connection.output());
        while (true) {
            Session.Batch batch = session.take();
            for (String line : batch.lines()) {
                out.writeLine(line, StandardCharsets.UTF_8);
            }
            out.flush();
            if (batch.last()) {
                return;
            }
        }
    }

    /** The listener has stopped and every connection has ended: forget every subscription. */
    @Override
    public void close() {
        topics.close();
    }
}
