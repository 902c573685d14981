package dev.loomport.demo.echo;

import dev.loomport.BoundListener;
import dev.loomport.ConnectionInfo;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ConnectionSource} with {@code count} made-up open connections on the given listeners, for the
 * connections page until the server lists its own. Connection {@code i} comes from 127.0.0.{1 + i % 250}
 * port {@code 20000 + i}, has moved {@code i} bytes in and {@code 2i} out, was opened {@code count - i + 1}
 * seconds before the call (so the highest id is the newest), and last moved a byte {@code i % 60}
 * seconds before the call, or when it opened if that was later.
 */
record FakeConnections(List<BoundListener> listeners, int count) implements ConnectionSource {
    private static final ConnectionInfo.Activity[] ACTIVITIES = ConnectionInfo.Activity.values();

    @Override
    public int open() {
        return count;
    }

    @Override
    public List<ConnectionInfo> newest(int limit) {
        Instant now = Instant.now();
        List<ConnectionInfo> newest = new ArrayList<>();
        for (int i = count; i > 0 && newest.size() < limit; i--) {
            BoundListener listener = listeners.get(i % listeners.size());
            newest.add(new ConnectionInfo(i, listener.name(), listener.handlerName(),
                    new InetSocketAddress("127.0.0." + (1 + i % 250), 20000 + i % 40000),
                    now.minus(Duration.ofSeconds(count - i + 1)), i, 2L * i,
                    now.minus(Duration.ofSeconds(Math.min(i % 60, count - i + 1))), ACTIVITIES[i % ACTIVITIES.length]));
        }
        return newest;
    }

    @Override
    public boolean detailed() {
        return true;
    }
}
