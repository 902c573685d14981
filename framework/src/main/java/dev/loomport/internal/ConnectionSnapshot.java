package dev.loomport.internal;

import dev.loomport.ConnectionInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The newest open connections of a server, for a live view ({@code Server.connections(int)}).
 *
 * <p>Ids grow with every accept, across all listeners, so newest means the highest ids. One pass over
 * the open connections keeps the {@code limit} highest in a heap of that size: O(open · log limit)
 * work and O(limit) memory, with nothing kept per connection for it on the accept path. A record is made
 * only for the connections listed.
 */
final class ConnectionSnapshot {
    private ConnectionSnapshot() {
    }

    static List<ConnectionInfo> newest(List<Listener> listeners, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        if (limit == 0) {
            return List.of();
        }
        PriorityQueue<SocketConnection> kept = new PriorityQueue<>(Comparator.comparingLong(SocketConnection::id));
        for (Listener listener : listeners) {
            for (SocketConnection c : listener.openConnections()) {
                if (kept.size() < limit) {
                    kept.add(c);
                } else if (c.id() > kept.peek().id()) {
                    kept.poll();
                    kept.add(c);
                }
            }
        }
        Instant now = Instant.now();
        long nowNanos = System.nanoTime();
        List<ConnectionInfo> rows = new ArrayList<>(kept.size());
        while (!kept.isEmpty()) {
            rows.add(kept.poll().info(now, nowNanos));
        }
        return List.copyOf(rows.reversed());
    }
}
