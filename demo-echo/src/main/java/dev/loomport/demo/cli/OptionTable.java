package dev.loomport.demo.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A list of {@link Option}s and its two views: the parser's lookup by name, and the help text's rows.
 * Both come from the same rows, so an option cannot be parsed without being documented, or documented
 * with a default it does not have.
 *
 * @param <T> what the options apply to
 */
public final class OptionTable<T> {
    /** Where a description starts, and the width it wraps at: the help fits a wide terminal. */
    static final int COLUMN = 30;
    static final int WIDTH = 100;

    private final Map<String, Option<T>> byName = new LinkedHashMap<>();
    private final String separator;

    /**
     * @param separator between a name and its argument in the help: {@code " "} for a command-line option
     *     ({@code --grace DURATION}), {@code "="} for a spec key ({@code idle-timeout=DURATION})
     */
    @SafeVarargs
    public OptionTable(String separator, Option<T>... rows) {
        this.separator = separator;
        for (Option<T> row : rows) {
            if (byName.putIfAbsent(row.name(), row) != null) {
                throw new IllegalArgumentException("option " + row.name() + " is in the table twice");
            }
        }
    }

    public Optional<Option<T>> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<Option<T>> rows() {
        return List.copyOf(byName.values());
    }

    /** How the option is shown in a usage line and the help: {@code --grace DURATION}, {@code backlog=N}. */
    public String synopsis(Option<T> row) {
        return row.takesValue() ? row.name() + separator + row.argument() : row.name();
    }

    /** One row per option, the description wrapped, every line starting with {@code indent}. */
    public String help(String indent) {
        StringBuilder text = new StringBuilder();
        byName.values().forEach(row -> text.append(row(indent, synopsis(row), row.describe())));
        return text.toString();
    }

    /**
     * {@code left} then {@code description} from {@link #COLUMN} on, wrapped at {@link #WIDTH}; when
     * {@code left} reaches the column, the description starts on the next line.
     */
    public static String row(String indent, String left, String description) {
        StringBuilder text = new StringBuilder(indent).append(left);
        int column = Math.max(COLUMN, indent.length() + 2);
        if (text.length() > column - 2) {
            text.append('\n');
        }
        List<String> lines = wrap(description, WIDTH - column);
        for (String line : lines) {
            int start = text.lastIndexOf("\n") + 1;
            text.append(" ".repeat(column - (text.length() - start))).append(line).append('\n');
        }
        return text.toString();
    }

    /** Words into lines of at most {@code width} characters (a longer word gets a line of its own). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.strip().split("\\s+")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
