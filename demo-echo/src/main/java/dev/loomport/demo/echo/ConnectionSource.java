package dev.loomport.demo.echo;

import dev.loomport.BoundListener;
import dev.loomport.ConnectionInfo;
import dev.loomport.Server;
import java.util.List;

/**
 * Where the connections page gets its listeners and open connections. The page is written against this
 * so that it, and its tests, do not wait for the framework: {@link #of(Server)} gives what a
 * {@link Server} tells today (its listeners and how many connections are open), and the per-connection
 * rows arrive once the server offers them ({@code Server.connections(int)}, proposed in issue 16).
 */
interface ConnectionSource {
    /** The listeners, in configuration order. */
    List<BoundListener> listeners();

    /** Connections open now, across all listeners. */
    int open();

    /** At most {@code limit} open connections, newest first. */
    List<ConnectionInfo> newest(int limit);

    /** Whether {@link #newest} can list connections at all (false: the table says why it is empty). */
    boolean detailed();

    /** No server (yet): no listener, no connection. */
    ConnectionSource NONE = of(List.of(), () -> 0);

    /** A running server: its listeners and its count of open connections; no per-connection rows yet. */
    static ConnectionSource of(Server server) {
        return of(server.listeners(), server::activeConnections);
    }

    private static ConnectionSource of(List<BoundListener> listeners, java.util.function.IntSupplier open) {
        return new ConnectionSource() {
            @Override
            public List<BoundListener> listeners() {
                return listeners;
            }

            @Override
            public int open() {
                return open.getAsInt();
            }

            @Override
            public List<ConnectionInfo> newest(int limit) {
                return List.of();
            }

            @Override
            public boolean detailed() {
                return false;
            }
        };
    }
}
