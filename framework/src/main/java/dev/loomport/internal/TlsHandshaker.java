package dev.loomport.internal;

import dev.loomport.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A TLS listener's handshaker: holds the listener's current {@link SSLContext} (swapped whole on reload,
 * so a connection uses the key material that was current when its handshake began) and runs the
 * server-side handshake with it over an accepted socket. The handshake timeout is the connection's
 * set-up deadline, enforced by the {@link Watchdog}.
 *
 * <p>The JDK's {@code SSLSocketImpl} guards its state and its streams with {@code ReentrantLock}s
 * (socket, handshake, read and record locks), not monitors, so a handshake or a read blocked on the
 * network unmounts its virtual thread on JDK 21 like plain socket I/O does.
 */
final class TlsHandshaker {
    private static final System.Logger LOG = System.getLogger(TlsHandshaker.class.getName());

    /** A handshake that did not complete; the connection ends without reaching the handler. */
    static final class HandshakeFailed extends IOException {
        HandshakeFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String listener;
    private final TlsConfig config;
    private final AtomicReference<SSLContext> context;

    private TlsHandshaker(String listener, TlsConfig config, SSLContext context) {
        this.listener = listener;
        this.config = config;
        this.context = new AtomicReference<>(context);
    }

    /** Reads the key material now, so that a bad file stops the start before anything binds. */
    static TlsHandshaker load(String listener, TlsConfig config) throws IOException {
        return new TlsHandshaker(listener, config, loadFor(listener, config));
    }

    private static SSLContext loadFor(String listener, TlsConfig config) throws IOException {
        try {
            return TlsMaterial.load(config);
        } catch (IOException e) {
            throw new IOException("listener " + listener + ": " + e.getMessage(), e);
        }
    }

    /**
     * Re-reads every handshaker's files; installs the new material in all of them, or, if any fails,
     * in none (the exception names the listener and the file) and the old material stays. The caller
     * holds its server's reload lock, so that "all or none" holds when two reloads arrive together; each
     * server has its own, so independent servers in one JVM do not wait for each other.
     *
     * @return the names of the listeners reloaded
     */
    static List<String> reloadAll(List<TlsHandshaker> handshakers) throws IOException {
        Map<TlsHandshaker, SSLContext> fresh = new LinkedHashMap<>();
        for (TlsHandshaker t : handshakers) {
            fresh.put(t, loadFor(t.listener, t.config));
        }
        fresh.forEach((t, c) -> t.context.set(c));
        List<String> names = handshakers.stream().map(t -> t.listener).toList();
        LOG.log(Level.INFO, () -> "reloaded TLS key material: listener(s) " + String.join(", ", names));
        return names;
    }

    /**
     * Runs the server's handshake over {@code plain} on the calling thread; the caller has armed the
     * set-up deadline, whose abort closes {@code plain} and so ends a handshake that takes too long.
     * The returned socket closes {@code plain} when closed.
     *
     * @param consumed bytes an earlier stage already read from {@code plain} that belong to the
     *                 handshake, or {@code null}
     * @throws HandshakeFailed when the client is not speaking TLS, offers nothing acceptable, presents no
     *                         or an untrusted certificate, stays silent, or goes away
     */
    SSLSocket handshake(Socket plain, InputStream consumed) throws IOException {
        SSLContext current = context.get();
        SSLSocket socket = (SSLSocket) current.getSocketFactory().createSocket(plain, consumed, true);
        socket.setUseClientMode(false);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(config.protocols().toArray(new String[0]));
        switch (config.clientAuth()) {
            case REQUIRED -> parameters.setNeedClientAuth(true);
            case REQUESTED -> parameters.setWantClientAuth(true);
            case NONE -> parameters.setWantClientAuth(false);
        }
        if (!config.applicationProtocols().isEmpty()) {
            parameters.setApplicationProtocols(config.applicationProtocols().toArray(new String[0]));
        }
        socket.setSSLParameters(parameters);
        try {
            socket.startHandshake();
        } catch (IOException e) {
            throw new HandshakeFailed(e.getMessage() != null ? e.getMessage() : e.toString(), e);
        }
        return socket;
    }

    long timeoutNanos() {
        return config.handshakeTimeout().toNanos();
    }
}
