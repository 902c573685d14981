package dev.loomport.demo.echo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The socket-holder harness (src/test/c/socket-holder.c) for the ITs that play the service manager: it
 * is compiled with the C compiler on PATH ({@code CC}, default gcc), or the test is skipped saying so.
 * The holder listens on 127.0.0.1 and starts its command with that socket as stdin on {@code start};
 * {@code term} SIGTERMs it and waits; {@code wait} waits. See the C file.
 */
final class SocketHolder {
    private SocketHolder() {
    }

    private static Path compiled; // once per test JVM: the ITs run one after another

    /**
     * The holder, compiled into target/ the first time it is asked for; skips the calling test when there
     * is no C compiler.
     */
    static Path compiled() throws IOException, InterruptedException {
        if (compiled != null) {
            return compiled;
        }
        String cc = System.getenv().getOrDefault("CC", "gcc");
        Path source = Child.modules().getParent().resolveSibling("src/test/c/socket-holder.c"); // target/modules
        Path holder = Child.modules().resolveSibling("socket-holder");
        Process compile;
        try {
            compile = new ProcessBuilder(cc, "-O", "-Wall", "-o", holder.toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no C compiler '" + cc + "' on PATH (apt-get install gcc): " + e.getMessage());
            throw e;
        }
        String output = new String(compile.getInputStream().readAllBytes(), UTF_8);
        assertEquals(0, compile.waitFor(), cc + " " + source + " failed:\n" + output);
        compiled = holder;
        return holder;
    }

    /**
     * The holder starting the demo's launcher on the held socket with {@code args} (and --metrics off), on
     * the I/O path the build forces ({@link Child#IO_PATH}).
     */
    static Child holdingLauncher(List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(compiled().toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(Child.ioPathOptions());
        command.addAll(jvmArgs);
        command.addAll(List.of("-p", Child.modules().toString(), "-m", "dev.loomport.demo.echo"));
        command.addAll(List.of(args));
        command.addAll(List.of("--metrics", "off"));
        return Child.start(command);
    }

    /**
     * The rest of the holder's next line (one starting {@code holder }), which must start with
     * {@code prefix}; the launcher's own lines on the shared stdout are passed over.
     */
    static String awaitHolder(Child child, String prefix) throws InterruptedException {
        for (String line; ; ) {
            line = child.line();
            if (line.startsWith("holder ")) {
                assertTrue(line.startsWith(prefix), "expected '" + prefix + "...', got '" + line + "'; " + child.log());
                return line.substring(prefix.length());
            }
        }
    }

    /** The rest of the next line of stdout, which must start with {@code prefix}. */
    static String expect(Child child, String prefix) throws InterruptedException {
        String line = child.line();
        assertTrue(line.startsWith(prefix), "expected '" + prefix + "...', got '" + line + "'; " + child.log());
        return line.substring(prefix.length());
    }
}
