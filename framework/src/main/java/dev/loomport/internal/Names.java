package dev.loomport.internal;

import java.util.regex.Pattern;

/**
 * The one rule for the names loomport puts in thread names, log lines and metric tags (listeners,
 * handlers, handler options): letters, digits, '.', '_' or '-'. Public only so that the API package can
 * use it; the module does not export it.
 */
public final class Names {
    /** The rule in words, for error messages. */
    public static final String RULE = "letters, digits, '.', '_' or '-'";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private Names() {
    }

    /** Whether {@code name} follows the rule; false for null. */
    public static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
