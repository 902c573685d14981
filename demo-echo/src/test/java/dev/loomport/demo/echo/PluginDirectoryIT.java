package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's plugins directory, in a child JVM: plug-ins in layers of their own (two versions of one
 * library side by side), plain jars, and the plug-ins that load nothing, each with its own reason.
 */
class PluginDirectoryIT {
    @TempDir
    static Path dir;
    static Path plugins;

    @BeforeAll
    static void buildPlugIns() throws IOException {
        plugins = Files.createDirectories(dir.resolve("plugins"));
        Path lib1 = library("1.0");
        Path lib2 = library("2.0");
        folder("alpha", lib1, plugin("alpha", lib1));
        folder("beta", lib2, plugin("beta", lib2));
        Files.copy(PluginJars.jar(dir, "plain", Map.of("com/example/plain/PlainPlugin.java", greeter("com.example.plain",
                "PlainPlugin", "plain")), Map.of(PluginProblems.SERVICES_FILE, "com.example.plain.PlainPlugin\n"),
                List.of()), plugins.resolve("plain.jar"));
    }

    /** Module com.example.tinylib, whose Version.value() is {@code version}. */
    private static Path library(String version) {
        return PluginJars.jar(dir.resolve("lib-" + version), "tinylib", Map.of(
                "module-info.java", "module com.example.tinylib { exports com.example.tinylib; }",
                "com/example/tinylib/Version.java", """
                        package com.example.tinylib;
                        public final class Version { public static String value() { return "%s"; } }
                        """.formatted(version)), Map.of(), List.of());
    }

    /** Plug-in {@code name} that answers with the version of the tinylib it was given. */
    private static Path plugin(String name, Path lib) {
        String pkg = "com.example." + name;
        return PluginJars.jar(dir, name, Map.of(
                "module-info.java", """
                        module %s {
                            requires dev.loomport;
                            requires com.example.tinylib;
                            provides dev.loomport.spi.HandlerPlugin with %s.Plugin;
                        }
                        """.formatted(pkg, pkg),
                pkg.replace('.', '/') + "/Plugin.java", """
                        package %s;
                        import dev.loomport.spi.*;
                        public final class Plugin implements HandlerPlugin {
                            @Override public String name() { return "%s"; }
                            @Override public ConnectionHandler create(HandlerContext context) {
                                return c -> {
                                    c.output().write(("%s tinylib " + com.example.tinylib.Version.value() + "\\n")
                                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                                    c.output().flush();
                                };
                            }
                        }
                        """.formatted(pkg, name, name)), Map.of(), List.of(lib));
    }

    /** A plug-in class that answers its name. */
    static String greeter(String pkg, String className, String name) {
        return """
                package %s;
                import dev.loomport.spi.*;
                public final class %s implements HandlerPlugin {
                    @Override public String name() { return "%s"; }
                    @Override public ConnectionHandler create(HandlerContext context) {
                        return c -> { c.output().write("%s\\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)); c.output().flush(); };
                    }
                }
                """.formatted(pkg, className, name, name);
    }

    private static void folder(String name, Path... jars) {
        try {
            Path folder = Files.createDirectories(plugins.resolve(name));
            for (Path jar : jars) {
                Files.copy(jar, folder.resolve(jar.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String ask(InetSocketAddress address) throws IOException {
        return new String(Sockets.roundTrip(address, new byte[0]), StandardCharsets.UTF_8);
    }

    @Test
    void twoPlugInsWithTwoVersionsOfOneLibraryRunSideBySide() throws Exception {
        try (Child child = Child.launcher().start("--plugins", plugins.toString(), "--listen", "alpha@127.0.0.1:0",
                "--listen", "beta@127.0.0.1:0", "--listen", "plain@127.0.0.1:0", "--listen", "echo@127.0.0.1:0")) {
            InetSocketAddress alpha = child.awaitListening("alpha");
            InetSocketAddress beta = child.awaitListening("beta");
            InetSocketAddress plain = child.awaitListening("plain");
            child.awaitListening("echo");
            assertEquals("alpha tinylib 1.0\n", ask(alpha));
            assertEquals("beta tinylib 2.0\n", ask(beta));
            assertEquals("plain\n", ask(plain));
            List<String> out = child.stdout();
            assertTrue(out.contains("plugin " + plugins.resolve("alpha") + " (2 jars): alpha"), out.toString());
            assertTrue(out.contains("plugin " + plugins.resolve("beta") + " (2 jars): beta"), out.toString());
            assertTrue(out.contains("plugin " + plugins.resolve("plain.jar") + " (1 jar): plain"), out.toString());
            child.terminate();
            assertEquals(0, child.awaitExit());
        }
    }

    @Test
    void helpListsThePlugInsOfTheDirectory() throws Exception {
        try (Child child = Child.launcher().start("--plugins", plugins.toString(), "--help")) {
            assertEquals(0, child.awaitExit());
            String out = String.join(" ", child.stdout()).replaceAll("\\s+", " ");
            assertTrue(out.contains("--plugins DIR"), out);
            assertTrue(out.contains("com.example.alpha.Plugin in module com.example.alpha from the plugins directory"),
                    out);
            assertTrue(out.contains("com.example.plain.PlainPlugin in module plain from the plugins directory"), out);
            assertTrue(out.contains("Plugins directory " + plugins + " (--plugins DIR): plugin " + plugins.resolve("alpha")
                    + " (2 jars): alpha plugin " + plugins.resolve("beta") + " (2 jars): beta"), out);
        }
    }

    @Test
    void onTheClassPathEachPlugInHasALoaderOfItsOwn() throws Exception {
        Path cp = Files.createDirectories(dir.resolve("cp-plugins"));
        Files.copy(plugins.resolve("plain.jar"), cp.resolve("plain.jar"));
        try (Child child = Child.launcher().onClassPath().start("--plugins", cp.toString(), "--listen",
                "plain@127.0.0.1:0")) {
            assertEquals("plain\n", ask(child.awaitListening("plain")));
            child.terminate();
            assertEquals(0, child.awaitExit());
        }
    }

    @Test
    void aMissingGivenDirectoryIsNamed() throws Exception {
        Path missing = dir.resolve("no-such-dir");
        try (Child child = Child.launcher().start("--plugins", missing.toString(), "--listen", "echo@127.0.0.1:0")) {
            assertEquals(2, child.awaitExit());
            assertEquals(List.of("loomport: --plugins '" + missing + "': no such directory (see --help)"),
                    child.stderr());
        }
    }
}
