package dev.loomport.demo.relay;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what loomport's loggers publish while it is open ({@link System.Logger} goes to
 * java.util.logging when that module is present, as it is in the tests).
 */
final class LogRecords extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("dev.loomport"); // held: JUL keeps loggers weakly
    private final ConcurrentLinkedQueue<LogRecord> records = new ConcurrentLinkedQueue<>();

    LogRecords() {
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    /** Records at WARNING or above: the ones an operator is asked to look at. */
    List<LogRecord> warnings() {
        return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
