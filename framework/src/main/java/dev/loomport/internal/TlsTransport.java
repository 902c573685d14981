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
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A TLS listener's side of TLS: the current {@link SSLContext} (swapped whole on reload, so a connection
 * uses the key material that was current when its handshake began) and the server-side handshake over
 * an accepted socket.
 *
 * <p>The JDK's {@code SSLSocketImpl} guards its state and its streams with {@code ReentrantLock}s
 * (socket, handshake, read and record locks), not monitors, so a handshake or a read blocked on the
 * network unmounts its virtual thread on JDK 21 like plain socket I/O does.
 */
final class TlsTransport {
    private static final System.Logger LOG = System.getLogger(TlsTransport.class.getName());
    /** One reload at a time, so that "all listeners or none" holds when two arrive together. */
    private static final ReentrantLock RELOADING = new ReentrantLock();

    /** A handshake that did not complete; the connection ends without reaching the handler. */
    static final class HandshakeFailed extends IOException {
        HandshakeFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String listener;
    private final TlsConfig config;
    private final AtomicReference<SSLContext> context;
    private final int timeoutMillis;

    private TlsTransport(String listener, TlsConfig config, SSLContext context) {
        this.listener = listener;
        this.config = config;
        this.context = new AtomicReference<>(context);
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.handshakeTimeout().toMillis());
    }

    /** Reads the key material now, so that a bad file stops the start before anything binds. */
    static TlsTransport load(String listener, TlsConfig config) throws IOException {
        return new TlsTransport(listener, config, loadFor(listener, config));
    }

    private static SSLContext loadFor(String listener, TlsConfig config) throws IOException {
        try {
            return TlsMaterial.load(config);
        } catch (IOException e) {
            throw new IOException("listener " + listener + ": " + e.getMessage(), e);
        }
    }

    /**
     * Re-reads every transport's files; installs the new material in all of them, or, if any fails,
     * in none (the exception names the listener and the file) and the old material stays.
     *
     * @return the names of the listeners reloaded
     */
    static List<String> reloadAll(List<TlsTransport> transports) throws IOException {
        RELOADING.lock();
        try {
            Map<TlsTransport, SSLContext> fresh = new LinkedHashMap<>();
            for (TlsTransport t : transports) {
                fresh.put(t, loadFor(t.listener, t.config));
            }
            fresh.forEach((t, c) -> t.context.set(c));
            List<String> names = transports.stream().map(t -> t.listener).toList();
            LOG.log(Level.INFO, () -> "reloaded TLS key material: listener(s) " + String.join(", ", names));
            return names;
        } finally {
            RELOADING.unlock();
        }
    }

    /**
     * Runs the server's handshake over {@code plain} on the calling thread. No read in it waits longer
     * than the handshake timeout ({@code SO_TIMEOUT}, restored afterwards); the watchdog bounds the
     * whole. The returned socket closes {@code plain} when closed.
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
        int before = plain.getSoTimeout();
        try {
            plain.setSoTimeout(timeoutMillis);
            socket.startHandshake();
            plain.setSoTimeout(before);
        } catch (IOException e) {
            throw new HandshakeFailed(e.getMessage() != null ? e.getMessage() : e.toString(), e);
        }
        return socket;
    }

    long timeoutNanos() {
        return config.handshakeTimeout().toNanos();
    }
}
