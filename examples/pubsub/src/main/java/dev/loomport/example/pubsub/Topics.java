package dev.loomport.example.pubsub;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who subscribes to which topic: the state every connection of one listener shares. Thread-safe without
 * locks held across I/O: publishing only puts lines in the subscribers' queues; each connection's own
 * writer does the blocking writes.
 */
final class Topics {
    private final ConcurrentHashMap<String, Set<Session>> byTopic = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Adds {@code session} to {@code topic}; false if it already was there. */
    boolean subscribe(String topic, Session session) {
        if (closed) {
            throw new IllegalStateException("the pubsub listener has stopped");
        }
        boolean[] added = {false};
        byTopic.compute(topic, (t, sessions) -> {
            Set<Session> set = sessions != null ? sessions : ConcurrentHashMap.newKeySet();
            added[0] = set.add(session);
            return set;
        });
        session.topics().add(topic);
        return added[0];
    }

    /** Removes {@code session} from {@code topic}; false if it was not there. */
    boolean unsubscribe(String topic, Session session) {
        boolean[] removed = {false};
        byTopic.computeIfPresent(topic, (t, sessions) -> {
            removed[0] = sessions.remove(session);
            return sessions.isEmpty() ? null : sessions;
        });
        session.topics().remove(topic);
        return removed[0];
    }

    /** Removes {@code session} from every topic it is in: its connection has ended. */
    void leave(Session session) {
        for (String topic : List.copyOf(session.topics())) {
            unsubscribe(topic, session);
        }
    }

    /** Queues {@code line} for every subscriber of {@code topic}; returns how many took it. */
    int publish(String topic, String line) {
        Set<Session> sessions = byTopic.get(topic);
        if (sessions == null) {
            return 0;
        }
        int delivered = 0;
        for (Session session : sessions) {
            if (session.deliver(line)) {
                delivered++;
            }
        }
        return delivered;
    }

    /** Subscriptions held now, over all topics. */
    int subscriptions() {
        return byTopic.values().stream().mapToInt(Set::size).sum();
    }

    /** The listener has stopped: forget everyone; later subscribes fail. */
    void close() {
        closed = true;
        byTopic.clear();
    }
}
