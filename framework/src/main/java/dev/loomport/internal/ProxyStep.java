package dev.loomport.internal;

import dev.loomport.ProxyConfig;
import dev.loomport.ListenerConfig.ProxyProtocol;
import dev.loomport.internal.ProxyHeaderParser.ProxyHeader;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

/**
 * A listener's PROXY protocol step, the connection-level half of PROXY support: run on each connection's
 * own thread before its handler, it refuses a peer outside the trusted networks without reading a byte,
 * then has {@link ProxyHeaderParser} read the header off the socket. The header timeout is the
 * connection's set-up deadline, which the {@link Watchdog} enforces on the whole header at once, so a
 * peer that trickles a byte at a time gets no more time than one that sends nothing.
 */
final class ProxyStep {
    private final ProxyProtocol accepted;
    private final List<Cidr> trusted;
    private final Duration timeout;

    private ProxyStep(ProxyConfig config) {
        this.accepted = config.protocol();
        this.trusted = config.trusted().stream().map(Cidr::parse).toList();
        this.timeout = config.headerTimeout();
    }

    /** The step for a listener that expects a header, or {@code null} for one that does not. */
    static ProxyStep forListener(ProxyConfig config) {
        return config.protocol() == ProxyProtocol.NONE ? null : new ProxyStep(config);
    }

    /** A connection that does not get past the PROXY step: how to count it, and why (for the log). */
    static final class Refused extends IOException {
        private final Outcome outcome;

        Refused(Outcome outcome, String message, Throwable cause) {
            super(message, cause);
            this.outcome = outcome;
        }

        Outcome outcome() {
            return outcome;
        }
    }

    /** How long the whole header may take: the set-up deadline while this step runs. */
    long timeoutNanos() {
        return timeout.toNanos();
    }

    /** Checks the peer and reads its header; the caller has armed the set-up deadline. */
    ProxyHeader receive(Socket socket) throws IOException {
        InetAddress peer = socket.getInetAddress();
        if (trusted.stream().noneMatch(network -> network.contains(peer))) {
            throw new Refused(Outcome.PROXY_UNTRUSTED, "refused: " + peer.getHostAddress()
                    + " may not send a PROXY header (trusted: " + trusted + ")", null);
        }
        try {
            return ProxyHeaderParser.read(socket.getInputStream(), accepted);
        } catch (ProxyHeaderParser.Malformed e) {
            throw new Refused(Outcome.PROXY_HEADER, "bad PROXY header: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new Refused(Outcome.CLIENT_CLOSED, "closed before sending a PROXY header", e);
        } catch (IOException e) {
            throw new Refused(Outcome.CLIENT_RESET, "went away during the PROXY header: " + e, e);
        }
    }
}
