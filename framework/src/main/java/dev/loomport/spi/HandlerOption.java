package dev.loomport.spi;

import java.util.Objects;

/**
 * One option a {@link HandlerPlugin} takes: its key, the shape of its value (for help text), its default
 * and what it does. loomport uses the list to refuse unknown and missing keys before the plug-in sees
 * them, and a launcher prints it in its help.
 *
 * @param key          the key in a listener's options, such as {@code upstream}
 * @param value        the shape of the value, such as {@code HOST:PORT} or {@code DURATION}
 * @param defaultValue the value used when the key is left out, as text; empty for a required option
 * @param required     whether a listener must give it
 * @param description  one line: what it does
 */
public record HandlerOption(String key, String value, String defaultValue, boolean required, String description) {
    public HandlerOption {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(description, "description");
        if (!key.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("option key must be letters, digits, '.', '_' or '-': '" + key + "'");
        }
        if (required && !defaultValue.isEmpty()) {
            throw new IllegalArgumentException("required option '" + key + "' cannot have a default: " + defaultValue);
        }
    }

    /** An option a listener must give. */
    public static HandlerOption required(String key, String value, String description) {
        return new HandlerOption(key, value, "", true, description);
    }

    /** An option with a default. */
    public static HandlerOption optional(String key, String value, String defaultValue, String description) {
        return new HandlerOption(key, value, defaultValue, false, description);
    }
}
