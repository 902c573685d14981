package dev.loomport.internal;

import dev.loomport.spi.Connection;
import dev.loomport.spi.ProxiedFrom;
import dev.loomport.spi.TaskScope;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * A {@link Connection} that only describes itself (no socket): for code that reads a connection's
 * identity, such as {@link FlightEvents}. Every stream or scope method throws.
 */
record FakeConnection(long id, String listenerName, String handlerName, InetSocketAddress localAddress,
        InetSocketAddress remoteAddress, Optional<ProxiedFrom> proxiedFrom, Optional<SSLSession> tlsSession)
        implements Connection {

    static FakeConnection plain(long id, InetSocketAddress local, InetSocketAddress remote) {
        return new FakeConnection(id, "echo", "echo", local, remote, Optional.empty(), Optional.empty());
    }

    @Override
    public InputStream input() {
        throw new UnsupportedOperationException("fake connection");
    }

    @Override
    public OutputStream output() {
        throw new UnsupportedOperationException("fake connection");
    }

    @Override
    public void shutdownOutput() {
        throw new UnsupportedOperationException("fake connection");
    }

    @Override
    public TaskScope openScope(TaskScope.Joiner joiner, java.util.function.UnaryOperator<TaskScope.Configuration> config) {
        throw new UnsupportedOperationException("fake connection");
    }

    @Override
    public boolean isDraining() {
        return false;
    }

    @Override
    public void onDrain(Runnable action) {
        throw new UnsupportedOperationException("fake connection");
    }
}
