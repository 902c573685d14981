package dev.loomport.example.pubsub;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection's side of the service: the topics it subscribes to and the bounded queue of lines
 * waiting for its writer. Publishers on other connections' threads put lines in; the writer takes them
 * out. The last line is always the goodbye: once {@link #finish} has queued it, nothing more is taken.
 *
 * <p>A subscriber that reads too slowly to keep its queue below its bound is dropped, not waited for:
 * one slow reader must not hold up every publisher. Its queue is replaced by a last line saying so.
 */
final class Session {
    private final int capacity;
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    private final ArrayDeque<String> queue = new ArrayDeque<>(); // guarded by lock
    private String goodbye; // guarded by lock; once set, the queue takes no more and ends with it

    Session(int capacity) {
        this.capacity = capacity;
    }

    Set<String> topics() {
        return topics;
    }

    /** Queues a line for this session's writer; false if the session is ending or was dropped as slow. */
    boolean deliver(String line) {
        lock.lock();
        try {
            if (goodbye != null) {
                return false;
            }
            if (queue.size() >= capacity) {
                queue.clear();
                goodbye = "BYE too slow: " + capacity + " messages were waiting";
                nonEmpty.signal();
                return false;
            }
            queue.add(line);
            nonEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Queues the last line: whatever is already queued goes first, nothing after it. The first call wins. */
    void finish(String lastLine) {
        lock.lock();
        try {
            if (goodbye == null) {
                goodbye = lastLine;
                nonEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Lines for the writer; {@code last} when they end with the goodbye and nothing follows. */
    record Batch(List<String> lines, boolean last) {
    }

    /**
     * The lines to write next, waiting for one: whatever is queued, then, once that is written, the
     * goodbye as the last batch. Throws InterruptedException when the connection's scope cancels the
     * writer.
     */
    Batch take() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty() && goodbye == null) {
                nonEmpty.await();
            }
            if (!queue.isEmpty()) {
                List<String> lines = List.copyOf(queue);
                queue.clear();
                return new Batch(lines, false);
            }
            return new Batch(List.of(goodbye), true);
        } finally {
            lock.unlock();
        }
    }
}
