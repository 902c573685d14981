package dev.loomport.demo.echo;

import dev.loomport.demo.cli.OptionTable;
import dev.loomport.spi.HandlerOption;
import dev.loomport.spi.HandlerPlugin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * What {@code --help} says about handlers: every plug-in {@link ServiceLoader} finds, as the server would
 * find it, each with its own one-line description and options ({@link HandlerPlugin#description()},
 * {@link HandlerPlugin#options()}), where it was found, and every plug-in that failed to load, with why.
 */
final class HandlerHelp {

    /** Plug-ins found, and why any could not be loaded. */
    record Found(List<HandlerPlugin> plugins, List<String> failures) {
    }

    /** The most plug-ins (and failures) {@link #find()} lists: the loader's recovery is best effort. */
    private static final int MAX = 1000;

    private HandlerHelp() {
    }

    /** What the server would find with the plug-ins of {@code directory} given to it. */
    static Found find(PluginDirectory directory) {
        Found found = find();
        List<HandlerPlugin> plugins = new ArrayList<>(found.plugins());
        plugins.addAll(directory.plugins());
        List<String> failures = new ArrayList<>(found.failures());
        directory.problems().forEach(p -> failures.add(p.entry() + ": " + p.reason()));
        return new Found(plugins, failures);
    }

    /** What the server itself would find, without stopping at a plug-in that fails to load. */
    static Found find() {
        List<HandlerPlugin> plugins = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Iterator<HandlerPlugin> it = ServiceLoader.load(HandlerPlugin.class).iterator();
        for (int i = 0; i < MAX; i++) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                plugins.add(it.next());
            } catch (ServiceConfigurationError e) {
                failures.add(e.getCause() == null ? e.getMessage() : e.getMessage() + " (" + e.getCause() + ")");
            }
        }
        return new Found(plugins, failures);
    }

    /** The help's handler section: by name, as the server's "available:" list is. */
    static String text(Found found) {
        StringBuilder text = new StringBuilder("Handlers found (--listen HANDLER@...):\n");
        found.plugins().stream().sorted(Comparator.comparing(HandlerHelp::name)).forEach(p -> {
            String description = safe(p::description);
            text.append(OptionTable.row("  ", name(p), (description.isBlank() ? "" : description + " ") + "[" + where(p)
                    + "]"));
            for (HandlerOption option : options(p)) {
                String value = option.required() ? "required" : option.defaultValue().isEmpty()
                        ? "optional" : "default " + option.defaultValue();
                text.append(OptionTable.row("    ", option.key() + "=" + option.value(),
                        option.description() + " (" + value + ")"));
            }
        });
        if (found.plugins().isEmpty()) {
            text.append("  none: no HandlerPlugin is on the module path or the class path\n");
        }
        found.failures().forEach(f -> text.append("  a plug-in could not be loaded: ").append(f).append('\n'));
        return text.toString();
    }

    /** Where a plug-in comes from: the demo itself, a named module, or the class path. */
    private static String where(HandlerPlugin p) {
        Module module = p.getClass().getModule();
        // By the jar, not the module: on the class path every plug-in shares the demo's unnamed module.
        if (module == HandlerHelp.class.getModule() && Objects.equals(location(p.getClass()), location(HandlerHelp.class))) {
            return "the demo";
        }
        String from = module.getLayer() != null && module.getLayer() != ModuleLayer.boot()
                || p.getClass().getClassLoader() != HandlerHelp.class.getClassLoader() ? " from the plugins directory" : "";
        return p.getClass().getName() + (module.isNamed() ? " in module " + module.getName() : " on the class path")
                + from;
    }

    private static java.net.URL location(Class<?> type) {
        var source = type.getProtectionDomain().getCodeSource();
        return source == null ? null : source.getLocation();
    }

    private static List<HandlerOption> options(HandlerPlugin p) {
        try {
            return p.options();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** A plug-in's name as it says, or what it threw instead: help is no place to stop at a fault. */
    private static String name(HandlerPlugin p) {
        return safe(p::name);
    }

    private static String safe(java.util.function.Supplier<String> call) {
        try {
            return String.valueOf(call.get());
        } catch (RuntimeException e) {
            return "(threw " + e + ")";
        }
    }
}
