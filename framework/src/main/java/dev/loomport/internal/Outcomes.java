package dev.loomport.internal;

import dev.loomport.io.FrameTooLargeException;
import dev.loomport.io.TruncatedFrameException;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * Decides, and logs once, how a connection ended: which {@link Outcome} it is counted under. The first
 * of an abort (a timeout, the stop) and the handler's own end decides.
 */
final class Outcomes {
    private static final System.Logger LOG = System.getLogger(Outcomes.class.getName());

    private Outcomes() {
    }

    /** The handler returned: an abort if there was one, else who closed first. */
    static Outcome returned(Outcome aborted, MeteredInput input) {
        return aborted != null ? aborted : input.sawEof() ? Outcome.CLIENT_CLOSED : Outcome.SERVER_CLOSED;
    }

    /** The set-up or the handler threw {@code t}; {@code handling}: the handler had been called. */
    static Outcome failed(SocketConnection c, ConnectionView view, Throwable t, boolean handling) {
        Outcome aborted = c.abortedAs();
        if (aborted != null) {
            LOG.log(Level.DEBUG, () -> c.prefix() + "closed by the server (" + aborted.tag() + "): " + t);
            return aborted;
        }
        if (t instanceof TlsHandshaker.HandshakeFailed) {
            LOG.log(Level.DEBUG, () -> c.prefix() + "TLS handshake with " + c.peerAddress() + " failed: " + t.getMessage());
            return Outcome.TLS_HANDSHAKE;
        }
        if (t instanceof ProxyStep.Refused refused) {
            LOG.log(Level.DEBUG, () -> c.prefix() + "peer " + c.peerAddress() + ": " + refused.getMessage());
            return refused.outcome();
        }
        if (!handling) {
            // Setting the socket up failed before the handler ran: not the handler's fault. An
            // IOException here means the client is already gone.
            if (t instanceof IOException) {
                LOG.log(Level.DEBUG, () -> c.prefix() + "client " + c.peerAddress() + " went away before the handler ran: " + t);
                return Outcome.CLIENT_RESET;
            }
            LOG.log(Level.WARNING, c.prefix() + "could not set up the connection from " + c.peerAddress(), t);
            return Outcome.ERROR;
        }
        Throwable framing = framingFailure(t);
        if (framing instanceof FrameTooLargeException) {
            LOG.log(Level.DEBUG, () -> c.prefix() + "client " + c.peerAddress() + ": " + framing.getMessage());
            return Outcome.FRAME_TOO_LARGE;
        }
        if (framing instanceof TruncatedFrameException && view.meteredInput() != null && view.meteredInput().sawEof()) {
            LOG.log(Level.DEBUG, () -> c.prefix() + "client " + c.peerAddress() + " closed: " + framing.getMessage());
            return Outcome.CLIENT_CLOSED;
        }
        if (clientFailed(view, t)) {
            LOG.log(Level.DEBUG, () -> c.prefix() + "client " + c.peerAddress() + " went away: " + t);
            return Outcome.CLIENT_RESET;
        }
        LOG.log(Level.WARNING, c.prefix() + "handler '" + c.listener().handlerName() + "' failed: "
                + VirtualTaskScope.realCause(t), t);
        c.listener().metrics().handlerFailed(t);
        return Outcome.ERROR;
    }

    /**
     * What a connection's record (the JFR ConnectionEnd event) names as its exception: what the handler
     * threw, unwrapped from a scope's join; for a refused set-up step, the failure that refused it (the
     * SSLException of a TLS handshake), not loomport's wrapper; null when there was none.
     */
    static Throwable reported(Throwable t) {
        if (t instanceof TlsHandshaker.HandshakeFailed || t instanceof ProxyStep.Refused) {
            return t.getCause();
        }
        return VirtualTaskScope.realCause(t);
    }

    /** The framing exception {@code t} is or wraps (a scope's join, an UncheckedIOException), or null. */
    private static Throwable framingFailure(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof FrameTooLargeException || t instanceof TruncatedFrameException) {
                return t;
            }
        }
        return null;
    }

    /**
     * Whether {@code t} is, or wraps, a failure of the connection's own streams: the client went away,
     * even if the handler rethrew it inside another exception (an UncheckedIOException from
     * BufferedReader.lines(), an ExecutionException from a scope's join).
     */
    private static boolean clientFailed(ConnectionView view, Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if (view.streamFailedWith(t)) {
                return true;
            }
        }
        return false;
    }
}
