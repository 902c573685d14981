package dev.loomport.demo.echo;

import dev.loomport.spi.HandlerPlugin;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.jar.JarFile;

/**
 * Why a plug-in in the plugins directory provides no {@link HandlerPlugin}, worded for the one who
 * packaged it: each packaging mistake gets its own sentence, saying what is missing and where it goes.
 */
final class PluginProblems {
    static final String SERVICE = HandlerPlugin.class.getName();
    static final String SERVICES_FILE = "META-INF/services/" + SERVICE;

    private PluginProblems() {
    }

    /** Why {@code jars}, which loaded without error, provide no plug-in. */
    static String whyNothing(List<Path> jars, boolean modulePath) {
        if (jars.isEmpty()) {
            return "no jar in this folder";
        }
        List<String> reasons = new ArrayList<>();
        for (Path jar : jars) {
            boolean servicesFile = hasEntry(jar, SERVICES_FILE);
            Optional<ModuleDescriptor> declared = descriptor(jar).filter(d -> !d.isAutomatic());
            boolean provides = declared.map(d -> d.provides().stream().anyMatch(p -> p.service().equals(SERVICE)))
                    .orElse(false);
            String name = jar.getFileName().toString();
            if (modulePath && declared.isPresent() && !provides) {
                reasons.add(name + " is module " + declared.get().name() + ", whose module-info has no 'provides "
                        + SERVICE + " with ...' line");
            } else if (modulePath && declared.isEmpty() && !servicesFile) {
                reasons.add(name + " has no module-info and no " + SERVICES_FILE + " file naming its plug-in class");
            } else if (!modulePath && provides && !servicesFile) {
                reasons.add(name + " declares its plug-in only in module-info ('provides'); on the class path, where"
                        + " the launcher runs, only a " + SERVICES_FILE + " file is read");
            } else if (!modulePath && !servicesFile) {
                reasons.add(name + " has no " + SERVICES_FILE + " file, which is what names a plug-in class on the"
                        + " class path");
            }
        }
        return reasons.isEmpty() ? "no " + SERVICE + " provided" : String.join("; ", reasons);
    }

    /** A loading failure as one line: its message, a hint for the usual mistakes, and its causes. */
    static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        String message = text.toString();
        if (e instanceof ServiceConfigurationError) {
            if (message.contains("not a subtype")) {
                text.append(": the class does not implement ").append(SERVICE);
            } else if (message.contains("no-arg constructor") || message.contains("provider method")) {
                text.append(": a plug-in class needs a public no-argument constructor, or (in a module) a"
                        + " public static provider() method");
            }
        }
        for (Throwable cause = e.getCause(); cause != null && cause != e; cause = cause.getCause()) {
            text.append(" (").append(cause).append(')');
            if (cause.getCause() == cause) {
                break;
            }
        }
        return text.toString();
    }

    private static Optional<ModuleDescriptor> descriptor(Path jar) {
        try {
            return ModuleFinder.of(jar).findAll().stream().findFirst().map(r -> r.descriptor());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean hasEntry(Path jar, String entry) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getEntry(entry) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
