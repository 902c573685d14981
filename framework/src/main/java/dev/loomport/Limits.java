package dev.loomport;

import dev.loomport.ListenerConfig.Overflow;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * How many connections one listener admits, and what it tells the ones it turns away. Immutable and
 * checked when made: an error names the option and the value. Start from {@link #DEFAULTS} and change
 * what differs with the {@code with...} methods, or set the options one by one on
 * {@link ListenerConfig.Builder}.
 *
 * @param maxConnections open connections at once; default 10,000; 0 = no limit
 * @param overflow what happens to a connection beyond {@code maxConnections}; default
 *        {@link Overflow#BACKPRESSURE}
 * @param rejectMessage written (UTF-8) to a connection rejected by a limit before it is closed, at most
 *        {@link ListenerConfig#MAX_REJECT_MESSAGE} bytes; default empty = none. Never written on a TLS
 *        listener, where plain bytes would only garble the client's handshake
 * @param maxConnectionsPerSource open connections from one remote address at once; default 0 = no limit
 *        (behind a load balancer or NAT every client shares one address)
 */
public record Limits(int maxConnections, Overflow overflow, String rejectMessage, int maxConnectionsPerSource) {

    /** Every default: 10,000 connections, backpressure beyond them, no message, no per-source limit. */
    public static final Limits DEFAULTS = new Limits(10_000, Overflow.BACKPRESSURE, "", 0);

    /**
     * For a listener that faces the internet (docs/limits.md, "A public-facing service"): 10,000
     * connections, rejected beyond them with {@code busy, try later}, at most 100 from one address.
     */
    public static final Limits PUBLIC_FACING = new Limits(10_000, Overflow.REJECT, "busy, try later\n", 100);

    /** @throws IllegalArgumentException naming the option and the value that is out of range */
    public Limits {
        OptionChecks.atLeast("maxConnections", maxConnections, 0);
        Objects.requireNonNull(overflow, "overflow");
        int bytes = utf8(rejectMessage).length;
        if (bytes > ListenerConfig.MAX_REJECT_MESSAGE) {
            throw new IllegalArgumentException("rejectMessage is longer than " + ListenerConfig.MAX_REJECT_MESSAGE
                    + " bytes: " + bytes);
        }
        OptionChecks.atLeast("maxConnectionsPerSource", maxConnectionsPerSource, 0);
    }

    /** The reject message as the bytes written: a fresh array each time; empty when there is none. */
    public byte[] rejectBytes() {
        return utf8(rejectMessage);
    }

    public Limits withMaxConnections(int max) {
        return new Limits(max, overflow, rejectMessage, maxConnectionsPerSource);
    }

    public Limits withOverflow(Overflow overflow) {
        return new Limits(maxConnections, overflow, rejectMessage, maxConnectionsPerSource);
    }

    public Limits withRejectMessage(String message) {
        return new Limits(maxConnections, overflow, message, maxConnectionsPerSource);
    }

    public Limits withMaxConnectionsPerSource(int max) {
        return new Limits(maxConnections, overflow, rejectMessage, max);
    }

    private static byte[] utf8(String message) {
        return Objects.requireNonNull(message, "rejectMessage").getBytes(StandardCharsets.UTF_8);
    }
}
