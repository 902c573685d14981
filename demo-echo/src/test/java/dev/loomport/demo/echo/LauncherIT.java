package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher as users run it, in a child JVM, with a third-party plug-in next to loomport. */
class LauncherIT {
    @TempDir
    static Path dir;
    static Path greet;

    @BeforeAll
    static void buildPlugIn() {
        greet = PluginJars.build(dir, "com.example.greet", "com.example.greet", "GreetHandler", "greet", "hello, ");
    }

    private static String ask(InetSocketAddress address, String line) throws IOException {
        byte[] answer = Sockets.roundTrip(address, (line + "\n").getBytes(StandardCharsets.UTF_8));
        return new String(answer, StandardCharsets.UTF_8);
    }

    @Test
    void servesAPlugInFromTheModulePathBesideEcho() throws Exception {
        try (Child child = Child.launcher().jars(List.of(greet)).start(
                "--listen", "greet@127.0.0.1:0", "--listen", "echo@127.0.0.1:0")) {
            InetSocketAddress greeter = child.awaitListening("greet");
            InetSocketAddress echo = child.awaitListening("echo");
            assertEquals("hello, world\n", ask(greeter, "world"));
            assertEquals("ping\n", ask(echo, "ping"));
            child.terminate(); // SIGTERM: graceful stop, exit 0
            assertEquals(0, child.awaitExit());
        }
    }

    @Test
    void servesAPlugInFromTheClassPath() throws Exception {
        try (Child child = Child.launcher().onClassPath().jars(List.of(greet)).start("--listen", "greet@127.0.0.1:0")) {
            assertEquals("hello, class path\n", ask(child.awaitListening("greet"), "class path"));
            child.terminate();
            assertEquals(0, child.awaitExit());
        }
    }

    @Test
    void helpListsEveryHandlerFoundThePlugInToo() throws Exception {
        for (Child.Launcher launcher : List.of(Child.launcher(), Child.launcher().onClassPath())) {
            try (Child child = launcher.jars(List.of(greet)).start("--help")) {
                assertEquals(0, child.awaitExit());
                String help = String.join("\n", child.stdout());
                for (String handler : List.of("echo", "relay", "whoami")) {
                    assertTrue(help.contains("\n  " + handler + " "), handler + " in: " + help);
                }
                assertTrue(help.replaceAll("\\s+", " ").contains(" greet answers one line with a greeting"
                        + " [com.example.greet.GreetHandler"), help);
                assertTrue(help.contains("\n    upstream=HOST:PORT "), help);
            }
        }
    }

    @Test
    void twoPlugInsWithOneNameAreNamedByClass() throws Exception {
        Path other = PluginJars.build(dir, "org.example.other", "org.example.other", "OtherGreet", "greet", "hi, ");
        try (Child child = Child.launcher().jars(List.of(greet, other)).start("--listen", "greet@127.0.0.1:0")) {
            assertEquals(1, child.awaitExit());
            List<String> err = child.stderr();
            assertEquals(1, err.size(), err.toString());
            String line = err.getFirst();
            assertTrue(line.startsWith("loomport: two plug-ins are named 'greet': "), line);
            assertTrue(line.contains("com.example.greet.GreetHandler") && line.contains("org.example.other.OtherGreet"),
                    line);
        }
    }

    @Test
    void aPlugInThatFailsToLoadStopsOnlyTheListenersThatNameIt() throws Exception {
        Path broken = PluginJars.buildBroken(dir, "com.example.broken", "com.example.broken", "BrokenPlugin");
        try (Child child = Child.launcher().jars(List.of(broken)).start("--listen", "echo@127.0.0.1:0")) {
            assertEquals("ping\n", ask(child.awaitListening("echo"), "ping"));
            child.terminate();
            assertEquals(0, child.awaitExit());
        }
        try (Child child = Child.launcher().jars(List.of(broken)).start("--listen", "broken@127.0.0.1:0")) {
            assertEquals(1, child.awaitExit());
            String err = String.join("\n", child.stderr());
            assertTrue(err.contains("loomport: no handler named 'broken'; available: echo, relay, whoami; plug-ins that"
                    + " failed to load: "), err);
            assertTrue(err.contains("com.example.broken.BrokenPlugin") && err.contains("cannot open its pool"), err);
        }
    }

    @Test
    void anUnknownHandlerListsTheAvailableOnes() throws Exception {
        try (Child child = Child.launcher().jars(List.of(greet)).start("--listen", "gret@127.0.0.1:0")) {
            assertEquals(1, child.awaitExit());
            assertEquals(List.of("loomport: no handler named 'gret'; available: echo, greet, relay, whoami; plugins directory "
                    + Path.of("plugins").toAbsolutePath() + ": no plug-ins"), child.stderr());
        }
    }

    @Test
    void aPortInUseIsNamedAndNothingStaysBound() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int free = probe.getLocalPort();
            probe.close();
            try (Child child = Child.launcher().start("--listen", "echo@127.0.0.1:" + free,
                    "--listen", "echo@127.0.0.1:" + taken.getLocalPort())) {
                assertEquals(1, child.awaitExit());
                assertEquals(List.of("loomport: 127.0.0.1:" + taken.getLocalPort() + " is already in use"),
                        child.stderr());
            }
            try (ServerSocket again = new ServerSocket(free, 50, InetAddress.getLoopbackAddress())) {
                assertEquals(free, again.getLocalPort());
            }
        }
    }

    @Test
    void aMalformedOptionIsOneLineAndExitCode2() throws Exception {
        try (Child child = Child.launcher().start("--listen", "echo@127.0.0.1:70000")) {
            assertEquals(2, child.awaitExit());
            assertEquals(List.of("loomport: --listen 'echo@127.0.0.1:70000': port out of range 0..65535: 70000"
                    + " (see --help)"), child.stderr());
        }
    }
}
