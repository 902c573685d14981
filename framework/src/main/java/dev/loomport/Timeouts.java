package dev.loomport;

import java.time.Duration;

/**
 * How long one listener lets a connection sit idle, stall a write, live, or drip bytes: the limits the
 * watchdog enforces once the handler runs (the set-up deadlines are {@link ProxyConfig#headerTimeout()}
 * and {@link TlsConfig#handshakeTimeout()}). Immutable and checked when made: an error names the option
 * and the value. Every duration is zero (= never) or 1 ms to {@link ListenerConfig#MAX_TIMEOUT}. Start
 * from {@link #DEFAULTS} and change what differs with the {@code with...} methods.
 *
 * @param idleTimeout close a connection that has neither read nor written a byte for this long; default
 *        zero = never
 * @param writeTimeout close a connection whose write has made no progress for this long (a client that
 *        stopped reading); default 60 s; zero = never
 * @param maxLifetime close a connection this long after it was accepted; default zero = never
 * @param minReceiveRate bytes per second a client must send on average while the handler waits to read,
 *        0 to {@link ListenerConfig#MAX_RECEIVE_RATE}; default 0 = no minimum. See
 *        {@link #withMinReceiveRate}
 * @param receiveRateWindow the most waiting a client can bank, at least 1 ms when there is a minimum
 *        rate; always zero when there is none (any window given with rate 0 is dropped)
 */
public record Timeouts(Duration idleTimeout, Duration writeTimeout, Duration maxLifetime, int minReceiveRate,
        Duration receiveRateWindow) {

    /** Every default: a 60 s write timeout, nothing else. */
    public static final Timeouts DEFAULTS = new Timeouts(Duration.ZERO, Duration.ofSeconds(60), Duration.ZERO, 0,
            Duration.ZERO);

    /**
     * For a listener that faces the internet (docs/limits.md, "A public-facing service"): idle 5 min,
     * write 30 s, lifetime 24 h, and a client must send 64 bytes/s on average over 30 s while the
     * handler waits (turn that off, with {@code withMinReceiveRate(0, Duration.ZERO)}, for interactive
     * protocols).
     */
    public static final Timeouts PUBLIC_FACING = new Timeouts(Duration.ofMinutes(5), Duration.ofSeconds(30),
            Duration.ofHours(24), 64, Duration.ofSeconds(30));

    /** @throws IllegalArgumentException naming the option and the value that is out of range */
    public Timeouts {
        OptionChecks.timeout("idleTimeout", idleTimeout);
        OptionChecks.timeout("writeTimeout", writeTimeout);
        OptionChecks.timeout("maxLifetime", maxLifetime);
        if (minReceiveRate < 0 || minReceiveRate > ListenerConfig.MAX_RECEIVE_RATE) {
            throw new IllegalArgumentException("minReceiveRate must be 0 (none) to " + ListenerConfig.MAX_RECEIVE_RATE
                    + " bytes/s: " + minReceiveRate);
        }
        Duration window = OptionChecks.timeout("receiveRateWindow", receiveRateWindow);
        if (minReceiveRate > 0 && window.isZero()) {
            throw new IllegalArgumentException("minReceiveRate " + minReceiveRate
                    + " bytes/s needs a receiveRateWindow of at least 1ms: " + window);
        }
        receiveRateWindow = minReceiveRate > 0 ? window : Duration.ZERO;
    }

    public Timeouts withIdleTimeout(Duration timeout) {
        return new Timeouts(timeout, writeTimeout, maxLifetime, minReceiveRate, receiveRateWindow);
    }

    public Timeouts withWriteTimeout(Duration timeout) {
        return new Timeouts(idleTimeout, timeout, maxLifetime, minReceiveRate, receiveRateWindow);
    }

    public Timeouts withMaxLifetime(Duration lifetime) {
        return new Timeouts(idleTimeout, writeTimeout, lifetime, minReceiveRate, receiveRateWindow);
    }

    /**
     * A minimum rate at which the client must send while the handler waits to read; 0 = none. Every
     * byte received buys {@code 1/bytesPerSecond} s of waiting; a connection starts with {@code window}
     * of waiting and can bank no more than that. When the handler has waited in a read longer than the
     * client has paid for, the connection is closed (outcome {@code too-slow}). So a client may pause for
     * up to {@code window}, and must otherwise keep up {@code bytesPerSecond} on average; time the handler
     * spends writing or working costs the client nothing, so downloads and slow handlers are never cut.
     *
     * <p>This is what closes a slowloris-style client that sends a byte every few seconds: each byte
     * resets the idle timeout, but buys only a few milliseconds here.
     *
     * @param bytesPerSecond 0 (none) to 1,000,000,000
     * @param window 1 ms to 365 days; ignored (and may be zero) when {@code bytesPerSecond} is 0
     */
    public Timeouts withMinReceiveRate(int bytesPerSecond, Duration window) {
        return new Timeouts(idleTimeout, writeTimeout, maxLifetime, bytesPerSecond, window);
    }
}
