package dev.loomport.demo.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's one way to read a duration from the command line or a listener's options: {@code 0},
 * {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, or ISO-8601 ({@code PT1M30S}, which
 * {@link Duration#parse} reads). Whether a negative or a tiny duration makes sense is the caller's
 * business; this only reads the text, and names the key and the value when it cannot.
 */
public final class Durations {
    /** How the help text spells the accepted forms. */
    public static final String FORMS = "0, 250ms, 30s, 5m, 1h, or ISO-8601 (PT30S)";

    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Durations() {
    }

    /**
     * @param key what the value is for, as the user typed it ({@code idle-timeout}, {@code --grace})
     * @throws IllegalArgumentException naming {@code key} and {@code value}, when it is no duration or too
     *     long for one
     */
    public static Duration parse(String key, String value) {
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = SHORT.matcher(value);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            return Duration.parse(value);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(key + " is too long to be a duration: '" + value + "'");
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + " is not a duration (such as 250ms, 30s, 5m, PT1H): '"
                    + value + "'");
        }
    }
}
