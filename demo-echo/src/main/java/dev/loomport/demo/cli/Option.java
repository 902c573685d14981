package dev.loomport.demo.cli;

import java.util.Objects;

/**
 * One row of an option table: a command-line option ({@code --grace}) or a key of a spec
 * ({@code idle-timeout}), with everything both the parser and the help text need, so the two cannot
 * drift apart. See {@link OptionTable}.
 *
 * @param name as the user types it
 * @param argument what its value looks like in the help ({@code DURATION}, {@code true|false}); empty for a
 *     flag that takes no value
 * @param defaultValue the value it has when not given, as the user would type it; {@code null} when it has
 *     none (or one that words describe better, in {@code description})
 * @param description one sentence for the help text, wrapped as needed
 * @param apply what giving it does; {@code null} for a row that is only documented here and read elsewhere
 *     (a handler's own options)
 * @param <T> what the value is applied to: a builder, or the parser's state
 */
public record Option<T>(String name, String argument, String defaultValue, String description, Apply<T> apply) {

    /** Applies one value; throws {@link IllegalArgumentException} naming {@code key} and {@code value}. */
    @FunctionalInterface
    public interface Apply<T> {
        void apply(T target, String key, String value);
    }

    public Option {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(argument, "argument");
        Objects.requireNonNull(description, "description");
    }

    public static <T> Option<T> of(String name, String argument, String defaultValue, String description,
            Apply<T> apply) {
        return new Option<>(name, argument, defaultValue, description, Objects.requireNonNull(apply, "apply"));
    }

    /** A row that only documents an option that something else reads. */
    public static <T> Option<T> documented(String name, String argument, String defaultValue, String description) {
        return new Option<>(name, argument, defaultValue, description, null);
    }

    public boolean takesValue() {
        return !argument.isEmpty();
    }

    /** The description with its default, as the help text shows it. */
    String describe() {
        return defaultValue == null ? description : description + " (default " + defaultValue + ")";
    }
}
