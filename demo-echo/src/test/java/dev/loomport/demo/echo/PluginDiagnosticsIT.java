package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each packaging mistake a plug-in author makes, in the plugins directory of a launcher in a child JVM,
 * gets its own message naming the jar; a plug-in that loads nothing stops only the listeners that name it.
 */
class PluginDiagnosticsIT {
    private static final String SERVICES = PluginProblems.SERVICES_FILE;

    @TempDir
    static Path dir;
    static Path modular;
    static Path classPath;

    @BeforeAll
    static void buildMistakes() throws IOException {
        modular = Files.createDirectories(dir.resolve("modular"));
        classPath = Files.createDirectories(dir.resolve("class-path"));
        String plugin = PluginDirectoryIT.greeter("com.example.noprovides", "NoProvides", "noprovides");
        copy(PluginJars.jar(dir, "noprovides", Map.of("module-info.java",
                "module com.example.noprovides { requires dev.loomport; }",
                "com/example/noprovides/NoProvides.java", plugin), Map.of(), List.of()), modular);
        Path noServices = PluginJars.jar(dir, "noservices", Map.of("com/example/noservices/NoServices.java",
                PluginDirectoryIT.greeter("com.example.noservices", "NoServices", "noservices")), Map.of(), List.of());
        copy(noServices, modular);
        copy(noServices, classPath);
        copy(PluginJars.jar(dir, "notaplugin", Map.of("com/example/notaplugin/Thing.java",
                "package com.example.notaplugin; public final class Thing { }"),
                Map.of(SERVICES, "com.example.notaplugin.Thing\n"), List.of()), modular);
        copy(PluginJars.jar(dir, "noctor", Map.of("com/example/noctor/NoCtor.java",
                PluginDirectoryIT.greeter("com.example.noctor", "NoCtor", "noctor")
                        .replace("public final class NoCtor implements HandlerPlugin {",
                                "public final class NoCtor implements HandlerPlugin { private NoCtor() { }")),
                Map.of(SERVICES, "com.example.noctor.NoCtor\n"), List.of()), modular);
        copy(PluginJars.jar(dir, "throwing", Map.of("com/example/throwing/Throwing.java",
                PluginDirectoryIT.greeter("com.example.throwing", "Throwing", "throwing")
                        .replace("public final class Throwing implements HandlerPlugin {",
                                "public final class Throwing implements HandlerPlugin { public Throwing() {"
                                        + " throw new IllegalStateException(\"cannot open its pool\"); }")),
                Map.of(SERVICES, "com.example.throwing.Throwing\n"), List.of()), modular);
        copy(PluginJars.jar(dir, "missing", Map.of("com/example/missing/Other.java",
                "package com.example.missing; public final class Other { }"),
                Map.of(SERVICES, "com.example.missing.Gone\n"), List.of()), modular);
        copy(PluginJars.jar(dir, "onlyprovides", Map.of("module-info.java", """
                module com.example.onlyprovides {
                    requires dev.loomport;
                    provides dev.loomport.spi.HandlerPlugin with com.example.onlyprovides.OnlyProvides;
                }""", "com/example/onlyprovides/OnlyProvides.java",
                PluginDirectoryIT.greeter("com.example.onlyprovides", "OnlyProvides", "onlyprovides")), Map.of(),
                List.of()), classPath);
    }

    private static void copy(Path jar, Path to) throws IOException {
        Files.copy(jar, to.resolve(jar.getFileName()));
    }

    /** The launcher's "plugin ENTRY not loaded: REASON" line for {@code jar}. */
    private static String reason(List<String> out, Path folder, String jar) {
        String prefix = "plugin " + folder.resolve(jar) + " not loaded: ";
        return out.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + jar + " in " + out));
    }

    @Test
    void eachMistakeOnTheModulePathIsNamedAndTheOtherListenersRun() throws Exception {
        try (Child child = Child.launcher().start("--plugins", modular.toString(), "--listen", "echo@127.0.0.1:0")) {
            child.awaitListening("echo");
            List<String> out = child.stdout();
            assertEquals("noprovides.jar is module com.example.noprovides, whose module-info has no 'provides"
                    + " dev.loomport.spi.HandlerPlugin with ...' line", reason(out, modular, "noprovides.jar"));
            assertEquals("noservices.jar has no module-info and no " + SERVICES + " file naming its plug-in class",
                    reason(out, modular, "noservices.jar"));
            String notAPlugin = reason(out, modular, "notaplugin.jar");
            assertTrue(notAPlugin.contains("com.example.notaplugin.Thing")
                    && notAPlugin.endsWith("the class does not implement dev.loomport.spi.HandlerPlugin"), notAPlugin);
            String noCtor = reason(out, modular, "noctor.jar");
            assertTrue(noCtor.contains("com.example.noctor.NoCtor") && noCtor.contains("needs a public no-argument"
                    + " constructor, or (in a module) a public static provider() method"), noCtor);
            String throwing = reason(out, modular, "throwing.jar");
            assertTrue(throwing.contains("com.example.throwing.Throwing") && throwing.contains("cannot open its pool"),
                    throwing);
            String missing = reason(out, modular, "missing.jar");
            assertTrue(missing.contains("com.example.missing.Gone"), missing);
            child.terminate();
            assertEquals(0, child.awaitExit());
        }
    }

    @Test
    void aListenerNamingAPlugInThatDidNotLoadFailsWithWhy() throws Exception {
        try (Child child = Child.launcher().start("--plugins", modular.toString(), "--listen",
                "throwing@127.0.0.1:0")) {
            assertEquals(1, child.awaitExit());
            String err = String.join("\n", child.stderr());
            assertTrue(err.startsWith("loomport: no handler named 'throwing'; available: echo, relay, whoami; plugins"
                    + " directory " + modular + ": no plug-ins; not loaded: "), err);
            assertTrue(err.contains("throwing.jar: ") && err.contains("cannot open its pool"), err);
        }
    }

    @Test
    void eachMistakeOnTheClassPathIsNamed() throws Exception {
        try (Child child = Child.launcher().onClassPath().start("--plugins", classPath.toString(), "--listen",
                "echo@127.0.0.1:0")) {
            child.awaitListening("echo");
            List<String> out = child.stdout();
            assertEquals("onlyprovides.jar declares its plug-in only in module-info ('provides'); on the class path,"
                    + " where the launcher runs, only a " + SERVICES + " file is read",
                    reason(out, classPath, "onlyprovides.jar"));
            assertEquals("noservices.jar has no " + SERVICES + " file, which is what names a plug-in class on the"
                    + " class path", reason(out, classPath, "noservices.jar"));
            child.terminate();
            assertEquals(0, child.awaitExit());
        }
    }

    @Test
    void aPlugInLeftOutOfTheDirectoryIsNamedWithWhereTheLauncherLooked() throws Exception {
        try (Child child = Child.launcher().start("--listen", "greet@127.0.0.1:0")) {
            assertEquals(1, child.awaitExit());
            assertEquals(List.of("loomport: no handler named 'greet'; available: echo, relay, whoami; plugins directory "
                    + Path.of("plugins").toAbsolutePath() + ": no plug-ins"), child.stderr());
        }
    }
}
