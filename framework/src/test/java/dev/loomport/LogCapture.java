package dev.loomport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what loomport logs (System.Logger goes to java.util.logging by default) so tests can assert
 * on log events: how many, at which level, with which prefix.
 */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level previous;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(String name) {
        logger = Logger.getLogger(name);
        previous = logger.getLevel();
        logger.setLevel(Level.ALL);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Captures everything logged under {@code dev.loomport}. */
    static LogCapture loomport() {
        return new LogCapture("dev.loomport");
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    /** Messages at exactly {@code level} whose text contains {@code fragment}. */
    List<String> messages(Level level, String fragment) {
        return records.stream()
                .filter(r -> r.getLevel().equals(level))
                .map(LogRecord::getMessage)
                .filter(m -> m.contains(fragment))
                .toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }
}
