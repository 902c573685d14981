package dev.loomport;

import dev.loomport.internal.Names;
import java.time.Duration;
import java.util.Objects;

/**
 * The checks every configuration setter runs on its value, with the error that names the option and the
 * value: one rule per kind of option (counts, sizes, timeouts, names), shared by {@link ListenerConfig}
 * and {@link TlsConfig}.
 */
final class OptionChecks {
    private OptionChecks() {
    }

    static int atLeast(String option, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ": " + value);
        }
        return value;
    }

    /** 0 (the OS's default) to {@link ListenerConfig#MAX_BUFFER_SIZE}. */
    static int bufferSize(String option, int bytes) {
        if (bytes < 0 || bytes > ListenerConfig.MAX_BUFFER_SIZE) {
            throw new IllegalArgumentException(option + " must be 0 (the OS's default) to "
                    + ListenerConfig.MAX_BUFFER_SIZE + " bytes: " + bytes);
        }
        return bytes;
    }

    /** A name in thread names, logs and metric tags: see {@link Names}. */
    static String name(String what, String value) {
        Objects.requireNonNull(value, what);
        if (!Names.valid(value)) {
            throw new IllegalArgumentException(what + " must be " + Names.RULE + ": '" + value + "'");
        }
        return value;
    }

    /** 0 (none), or 1 ms to {@link ListenerConfig#MAX_TIMEOUT}. */
    static Duration timeout(String option, Duration value) {
        return timeout(option, value, true);
    }

    /**
     * The one rule for every timeout in loomport's configuration: 1 ms to
     * {@link ListenerConfig#MAX_TIMEOUT}, or zero where zero means none. Checked against the maximum
     * first: converting a huge duration to milliseconds or nanoseconds overflows.
     */
    static Duration timeout(String option, Duration value, boolean zeroMeansNone) {
        Objects.requireNonNull(value, option);
        String range = zeroMeansNone ? "zero (none) or 1ms to " : "1ms to ";
        if (value.isNegative() || value.compareTo(ListenerConfig.MAX_TIMEOUT) > 0
                || (value.isZero() ? !zeroMeansNone : value.toMillis() < 1)) {
            throw new IllegalArgumentException(option + " must be " + range + ListenerConfig.MAX_TIMEOUT.toDays()
                    + " days: " + value);
        }
        return value;
    }
}
