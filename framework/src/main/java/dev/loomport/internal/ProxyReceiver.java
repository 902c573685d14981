package dev.loomport.internal;

import dev.loomport.ListenerConfig;
import dev.loomport.ListenerConfig.ProxyProtocol;
import dev.loomport.internal.ProxyHeaderReader.ProxyHeader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * A listener's PROXY protocol step: run on each connection's own thread before its handler, it refuses
 * a peer outside the trusted networks without reading a byte, then reads the header within the header
 * timeout. The whole header shares one deadline, so a peer that trickles a byte at a time gets no more
 * time than one that sends nothing.
 */
final class ProxyReceiver {
    private final ProxyProtocol accepted;
    private final List<Cidr> trusted;
    private final Duration timeout;

    private ProxyReceiver(ListenerConfig config) {
        this.accepted = config.proxyProtocol();
        this.trusted = config.proxyTrusted().stream().map(Cidr::parse).toList();
        this.timeout = config.proxyHeaderTimeout();
    }

    /** The step for a listener that expects a header, or {@code null} for one that does not. */
    static ProxyReceiver forListener(ListenerConfig config) {
        return config.proxyProtocol() == ProxyProtocol.NONE ? null : new ProxyReceiver(config);
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

    /** Checks the peer and reads its header; the socket's read timeout is as before when this returns. */
    ProxyHeader receive(Socket socket) throws IOException {
        InetAddress peer = socket.getInetAddress();
        if (trusted.stream().noneMatch(network -> network.contains(peer))) {
            throw new Refused(Outcome.PROXY_UNTRUSTED, "refused: " + peer.getHostAddress()
                    + " may not send a PROXY header (trusted: " + trusted + ")", null);
        }
        int soTimeout = socket.getSoTimeout();
        try {
            return ProxyHeaderReader.read(new DeadlineInput(socket, System.nanoTime() + timeout.toNanos()), accepted);
        } catch (ProxyHeaderReader.Malformed e) {
            throw new Refused(Outcome.PROXY_HEADER, "bad PROXY header: " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            throw new Refused(Outcome.PROXY_HEADER, "no complete PROXY header within " + timeout, e);
        } catch (EOFException e) {
            throw new Refused(Outcome.CLIENT_CLOSED, "closed before sending a PROXY header", e);
        } catch (IOException e) {
            throw new Refused(Outcome.CLIENT_RESET, "went away during the PROXY header: " + e, e);
        } finally {
            restore(socket, soTimeout);
        }
    }

    private static void restore(Socket socket, int soTimeout) {
        try {
            socket.setSoTimeout(soTimeout);
        } catch (IOException e) {
            // closed meanwhile (an abort): nothing will read from it again
        }
    }

    /** The socket's input with a read timeout that is whatever is left until one deadline. */
    private static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        DeadlineInput(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            arm();
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return in.read(b, off, len);
        }

        /** A Socket's read timeout is a field it checks as it parks: setting it costs no system call. */
        private void arm() throws IOException {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("PROXY header deadline passed");
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
        }
    }
}
