package dev.loomport.demo.echo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds a third-party plug-in the way a user would: a module of its own that requires dev.loomport and
 * provides a HandlerPlugin, compiled against the loomport jars, packed as a jar that also carries
 * META-INF/services so the same jar works on the class path.
 */
final class PluginJars {
    private PluginJars() {
    }

    /**
     * A plug-in module {@code module} with one handler class {@code pkg.className} named {@code name},
     * which reads one line and answers {@code reply + line}.
     */
    static Path build(Path dir, String module, String pkg, String className, String name, String reply) {
        return pluginModule(dir, module, pkg, className, """
                package %s;

                import dev.loomport.io.FrameReader;
                import dev.loomport.io.FrameWriter;
                import dev.loomport.spi.ConnectionHandler;
                import dev.loomport.spi.HandlerContext;
                import dev.loomport.spi.HandlerPlugin;

                public final class %s implements HandlerPlugin {
                    @Override public String name() { return "%s"; }

                    @Override public String description() { return "answers one line with a greeting"; }

                    @Override public ConnectionHandler create(HandlerContext context) {
                        return c -> {
                            String line = new FrameReader(c.input()).readLine(256);
                            FrameWriter out = new FrameWriter(c.output());
                            out.writeLine("%s" + line);
                            out.flush();
                        };
                    }
                }
                """.formatted(pkg, className, name, reply));
    }

    /** A plug-in module whose plug-in class throws from its constructor, as a bug or a missing resource would. */
    static Path buildBroken(Path dir, String module, String pkg, String className) {
        return pluginModule(dir, module, pkg, className, """
                package %s;

                import dev.loomport.spi.ConnectionHandler;
                import dev.loomport.spi.HandlerContext;
                import dev.loomport.spi.HandlerPlugin;

                public final class %s implements HandlerPlugin {
                    public %s() { throw new IllegalStateException("cannot open its pool"); }
                    @Override public String name() { return "broken"; }
                    @Override public ConnectionHandler create(HandlerContext context) { return c -> { }; }
                }
                """.formatted(pkg, className, className));
    }

    /**
     * A module jar {@code module}.jar whose one class {@code pkg.className} is {@code source} and is the
     * HandlerPlugin it provides, in its module descriptor and in a services file alike.
     */
    private static Path pluginModule(Path dir, String module, String pkg, String className, String source) {
        try {
            Path src = dir.resolve(module + "-src");
            Path classes = dir.resolve(module + "-classes");
            Path pkgDir = src.resolve(pkg.replace('.', '/'));
            Files.createDirectories(pkgDir);
            Files.writeString(src.resolve("module-info.java"), """
                    module %s {
                        requires dev.loomport;
                        provides dev.loomport.spi.HandlerPlugin with %s.%s;
                    }
                    """.formatted(module, pkg, className));
            Files.writeString(pkgDir.resolve(className + ".java"), source);
            compile(src, classes);
            Path jar = dir.resolve(module + ".jar");
            jar(classes, jar, Map.of("META-INF/services/dev.loomport.spi.HandlerPlugin", pkg + "." + className + "\n"));
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A jar {@code name}.jar of {@code sources} (path in the source tree to text) and {@code resources}
     * (path in the jar to text), compiled against loomport and {@code modulePath}: a module when the
     * sources hold a {@code module-info.java}, else a plain jar whose code reads every module given.
     */
    static Path jar(Path dir, String name, Map<String, String> sources, Map<String, String> resources,
            List<Path> modulePath) {
        try {
            Path src = dir.resolve(name + "-src");
            Path classes = dir.resolve(name + "-classes");
            for (Map.Entry<String, String> e : sources.entrySet()) {
                Path file = src.resolve(e.getKey());
                Files.createDirectories(file.getParent());
                Files.writeString(file, e.getValue());
            }
            List<Path> path = new ArrayList<>(List.of(Child.modules()));
            path.addAll(modulePath);
            compile(src, classes, path, !sources.containsKey("module-info.java"));
            Path jar = dir.resolve(name + ".jar");
            jar(classes, jar, resources);
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void compile(Path src, Path classes) throws IOException {
        compile(src, classes, List.of(Child.modules()), false);
    }

    private static void compile(Path src, Path classes, List<Path> modulePath, boolean plain) throws IOException {
        List<String> command = new ArrayList<>(List.of(tool("javac"), "--release", "21", "--module-path",
                String.join(java.io.File.pathSeparator, modulePath.stream().map(Path::toString).toList()),
                "-d", classes.toString()));
        if (plain) {
            command.addAll(List.of("--add-modules", "ALL-MODULE-PATH"));
        }
        try (Stream<Path> files = Files.walk(src)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> command.add(p.toString()));
        }
        run(command);
    }

    private static void jar(Path classes, Path jar, Map<String, String> extra) throws IOException {
        Files.createDirectories(classes);
        for (Map.Entry<String, String> e : extra.entrySet()) {
            Path file = classes.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
        }
        run(List.of(tool("jar"), "--create", "--file", jar.toString(), "-C", classes.toString(), "."));
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException(command.getFirst() + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
