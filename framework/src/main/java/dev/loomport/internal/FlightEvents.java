package dev.loomport.internal;

import dev.loomport.BoundListener;
import dev.loomport.spi.Connection;
import dev.loomport.spi.ProxiedFrom;
import java.net.InetSocketAddress;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * Commits loomport's JDK Flight Recorder events (category {@code loomport}; docs/observability.md).
 *
 * <p>Each method first asks the event whether a recording wants it ({@code shouldCommit()}, a field
 * read once the JIT has inlined it) and returns at once when none does: no string is built, no
 * {@code Optional} unwrapped, and the empty event object does not escape, so the JIT removes it. The
 * arguments are what the caller already holds, so calling these on every connection costs nothing
 * measurable while no recording runs.
 */
public final class FlightEvents {
    private FlightEvents() {
    }

    /**
     * A connection ended. Call once, after it is closed and counted.
     *
     * @param bytesIn        bytes read from the client's socket (after TLS: the decrypted bytes the handler saw)
     * @param bytesOut       bytes written to it
     * @param durationNanos  accept to close
     * @param failure        what the handler threw, or {@code null}
     */
    public static void connectionEnded(Connection connection, long bytesIn, long bytesOut, long durationNanos,
            Outcome outcome, Throwable failure) {
        ConnectionEndEvent event = new ConnectionEndEvent();
        if (!event.shouldCommit()) {
            return;
        }
        event.id = connection.id();
        event.listener = connection.listenerName();
        event.handler = connection.handlerName();
        InetSocketAddress local = connection.localAddress();
        event.localAddress = host(local);
        event.localPort = port(local);
        InetSocketAddress remote = connection.remoteAddress();
        event.remoteAddress = host(remote);
        event.remotePort = port(remote);
        Optional<ProxiedFrom> proxied = connection.proxiedFrom();
        if (proxied.isPresent()) {
            event.proxyAddress = host(proxied.get().remoteAddress());
            event.proxyPort = port(proxied.get().remoteAddress());
        }
        event.tlsProtocol = connection.tlsSession().map(SSLSession::getProtocol).orElse(null);
        event.bytesIn = bytesIn;
        event.bytesOut = bytesOut;
        event.connectionDuration = durationNanos;
        event.outcome = outcome.tag();
        event.exceptionType = failure == null ? null : failure.getClass().getName();
        event.commit();
    }

    /** A limit refused a connection from {@code remote}; {@code reason} is the rejected meter's tag. */
    public static void connectionRejected(BoundListener listener, InetSocketAddress remote, String reason) {
        ConnectionRejectEvent event = new ConnectionRejectEvent();
        if (!event.shouldCommit()) {
            return;
        }
        event.listener = listener.name();
        event.handler = listener.handlerName();
        event.remoteAddress = host(remote);
        event.remotePort = port(remote);
        event.reason = reason;
        event.commit();
    }

    /** The listener is bound and its accept loop about to run. */
    public static void listenerStarted(BoundListener listener) {
        commit(new ListenerStartEvent(), listener);
    }

    /** The listener's socket is closed: it accepts no more (its open connections may still be running). */
    public static void listenerStopped(BoundListener listener) {
        commit(new ListenerStopEvent(), listener);
    }

    private static void commit(ListenerEvent event, BoundListener listener) {
        if (!event.shouldCommit()) {
            return;
        }
        event.listener = listener.name();
        event.handler = listener.handlerName();
        event.address = host(listener.address());
        event.port = port(listener.address());
        event.commit();
    }

    private static String host(InetSocketAddress address) {
        if (address == null) {
            return null;
        }
        return address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    }

    private static int port(InetSocketAddress address) {
        return address == null ? 0 : address.getPort();
    }
}
