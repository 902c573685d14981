package dev.loomport.demo.echo;

import dev.loomport.BoundListener;
import dev.loomport.ConnectionInfo;
import dev.loomport.Server;
import java.util.List;

/**
 * Where the connections page gets its listeners and open connections: a running {@link Server}
 * ({@link #of(Server)}), nothing yet ({@link #NONE}), or, in the page's tests, made-up connections by
 * the ten thousand.
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
    ConnectionSource NONE = new ConnectionSource() {
        @Override
        public List<BoundListener> listeners() {
            return List.of();
        }

        @Override
        public int open() {
            return 0;
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

    /** A running server: its listeners, and its open connections from {@link Server#connections(int)}. */
    static ConnectionSource of(Server server) {
        List<BoundListener> listeners = server.listeners();
        return new ConnectionSource() {
            @Override
            public List<BoundListener> listeners() {
                return listeners;
            }

            @Override
            public int open() {
                return server.activeConnections();
            }

            @Override
            public List<ConnectionInfo> newest(int limit) {
                return server.connections(limit);
            }

            @Override
            public boolean detailed() {
                return true;
            }
        };
    }
}
