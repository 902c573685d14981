package dev.loomport.demo.echo;

import dev.loomport.spi.HandlerPlugin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The plug-ins of a plugins directory ({@code --plugins DIR}), each loaded apart from the others.
 *
 * <p>Each entry directly in DIR is one plug-in: a jar, or a folder holding the plug-in's jar and its own
 * dependency jars. On the module path (the launcher's usual way), each becomes a {@link ModuleLayer} of its
 * own whose parent is the boot layer holding loomport, with one class loader per layer: two plug-ins can
 * bundle two versions of one library. A jar without {@code module-info} is an automatic module, whose
 * {@code META-INF/services} file stands for a {@code provides} line; no second mechanism is needed for
 * plain jars. When the launcher itself runs on the class path, loomport is in no named module a layer
 * could read, so each plug-in gets a {@link URLClassLoader} child of the application loader instead,
 * which reads {@code META-INF/services} only (the JDK's own rule for the class path).
 *
 * <p>A plug-in that provides nothing, or fails to load, is a {@link Problem} naming the entry and the
 * reason ({@link PluginProblems}); it never stops the start. A listener that names a handler no plug-in
 * has fails alone, and its error lists these problems ({@link #explain()}).
 */
final class PluginDirectory {
    /** Where the launcher looks when {@code --plugins} is not given: beside the working directory. */
    static final String DEFAULT = "plugins";
    /** More entries, or providers per entry, than a real directory holds: a bound on a bad one. */
    private static final int MAX = 1000;

    /** One entry that loaded: where from, its jars, and the plug-ins it provides. */
    record Loaded(Path entry, List<Path> jars, List<HandlerPlugin> plugins) {
        String handlers() {
            return plugins.stream().map(PluginDirectory::nameOf).sorted().collect(Collectors.joining(", "));
        }
    }

    /** One entry that provides no plug-in, and why. */
    record Problem(Path entry, String reason) {
        @Override
        public String toString() {
            return entry.getFileName() + ": " + reason;
        }
    }

    private final Path dir;
    private final List<Loaded> loaded;
    private final List<Problem> problems;

    private PluginDirectory(Path dir, List<Loaded> loaded, List<Problem> problems) {
        this.dir = dir;
        this.loaded = List.copyOf(loaded);
        this.problems = List.copyOf(problems);
    }

    /**
     * Loads every plug-in in {@code dir}. A missing directory is empty when {@code given} is false (the
     * default), and an {@link IllegalArgumentException} naming it when the user gave it.
     */
    static PluginDirectory load(Path dir, boolean given) {
        if (!Files.isDirectory(dir)) {
            if (given || Files.exists(dir)) {
                throw new IllegalArgumentException("--plugins '" + dir + "': " + (Files.exists(dir)
                        ? "not a directory" : "no such directory"));
            }
            return new PluginDirectory(dir, List.of(), List.of());
        }
        List<Loaded> loaded = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (Path entry : entries(dir)) {
            List<Path> jars = Files.isDirectory(entry) ? jars(entry) : List.of(entry);
            try {
                List<HandlerPlugin> plugins = new ArrayList<>();
                List<String> failures = new ArrayList<>();
                ServiceLoader<HandlerPlugin> loader = loaderFor(jars);
                collect(loader.iterator(), plugins, failures);
                failures.forEach(f -> problems.add(new Problem(entry, f)));
                if (!plugins.isEmpty()) {
                    loaded.add(new Loaded(entry, jars, List.copyOf(plugins)));
                } else if (failures.isEmpty()) {
                    problems.add(new Problem(entry, PluginProblems.whyNothing(jars, onModulePath())));
                }
            } catch (RuntimeException e) { // FindException, ResolutionException, LayerInstantiationException
                problems.add(new Problem(entry, PluginProblems.describe(e)));
            }
        }
        return new PluginDirectory(dir, loaded, problems);
    }

    List<Loaded> loaded() {
        return loaded;
    }

    List<Problem> problems() {
        return problems;
    }

    List<HandlerPlugin> plugins() {
        return loaded.stream().flatMap(l -> l.plugins().stream()).toList();
    }

    /** One line per entry, as the launcher prints at start and {@code --help} shows. */
    String describe() {
        StringBuilder text = new StringBuilder();
        for (Loaded l : loaded) {
            text.append("plugin ").append(l.entry()).append(" (").append(l.jars().size())
                    .append(l.jars().size() == 1 ? " jar" : " jars").append("): ").append(l.handlers()).append('\n');
        }
        problems.forEach(p -> text.append("plugin ").append(p.entry()).append(" not loaded: ").append(p.reason())
                .append('\n'));
        return text.toString();
    }

    /** The help's section on the directory: where it is, and {@link #describe()} indented. */
    String help() {
        String entries = describe().indent(2);
        return "Plugins directory " + dir.toAbsolutePath().normalize() + " (--plugins DIR):\n"
                + (entries.isEmpty() ? Files.isDirectory(dir) ? "  empty\n" : "  none: no such directory\n" : entries);
    }

    /** What a listener's "no handler named" error adds: where the launcher looked, and what failed there. */
    String explain() {
        String found = loaded.isEmpty() ? "no plug-ins" : loaded.stream()
                .map(l -> l.entry().getFileName() + " (" + l.handlers() + ")").collect(Collectors.joining(", "));
        String failed = problems.isEmpty() ? "" : "; not loaded: "
                + problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
        return "plugins directory " + dir.toAbsolutePath().normalize() + ": " + found + failed;
    }

    static boolean onModulePath() {
        return HandlerPlugin.class.getModule().isNamed();
    }

    private static ServiceLoader<HandlerPlugin> loaderFor(List<Path> jars) {
        if (!onModulePath()) {
            URL[] urls = jars.stream().map(PluginDirectory::url).toArray(URL[]::new);
            // Lives as long as the plug-ins it loaded, that is, as long as the launcher.
            return ServiceLoader.load(HandlerPlugin.class, new URLClassLoader(urls, PluginDirectory.class.getClassLoader()));
        }
        ModuleFinder finder = ModuleFinder.of(jars.toArray(Path[]::new));
        Set<String> roots = finder.findAll().stream().map(r -> r.descriptor().name()).collect(Collectors.toSet());
        ModuleLayer boot = ModuleLayer.boot();
        Configuration configuration = boot.configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
        ModuleLayer layer = boot.defineModulesWithOneLoader(configuration, ClassLoader.getSystemClassLoader());
        // Only this layer's providers: ServiceLoader.load(layer, ...) would also walk the boot layer.
        return ServiceLoader.load(layer, HandlerPlugin.class);
    }

    private static void collect(Iterator<HandlerPlugin> it, List<HandlerPlugin> plugins, List<String> failures) {
        for (int i = 0; i < MAX; i++) {
            try {
                if (!it.hasNext()) {
                    return;
                }
                HandlerPlugin plugin = it.next();
                // The loader also walks its parents (the boot layer, the class path): keep this entry's own.
                if (plugin.getClass().getClassLoader() != PluginDirectory.class.getClassLoader()) {
                    plugins.add(plugin);
                }
            } catch (ServiceConfigurationError e) {
                failures.add(PluginProblems.describe(e));
            }
        }
    }

    private static List<Path> entries(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> Files.isDirectory(p) || p.toString().endsWith(".jar")).sorted().limit(MAX).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("--plugins '" + dir + "': " + e.getMessage(), e);
        }
    }

    private static List<Path> jars(Path folder) {
        try (Stream<Path> list = Files.list(folder)) {
            return list.filter(p -> p.toString().endsWith(".jar")).sorted().limit(MAX).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(folder + ": " + e.getMessage(), e);
        }
    }

    private static URL url(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException(jar + ": " + e.getMessage(), e);
        }
    }

    static String nameOf(HandlerPlugin p) {
        try {
            return String.valueOf(p.name());
        } catch (RuntimeException e) {
            return "(name() threw " + e + ")";
        }
    }
}
