package dev.loomport.demo.echo;

import static dev.loomport.demo.echo.Sockets.roundTrip;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime image {@code bin/image} builds, started as on a machine with no JDK: its own start script,
 * a PATH with nothing but the few tools the script uses, no JAVA_HOME. Built once for the class (with the
 * test's own JDK, and so with an AOT cache from JDK 25 on), since linking takes tens of seconds.
 */
class RuntimeImageIT {
    private static final long BUILD_MINUTES = 10; // jlink and the training run, on a loaded machine
    private static final boolean AOT = Runtime.version().feature() >= 25;
    private static Path image;

    @BeforeAll
    @Timeout(value = BUILD_MINUTES, unit = TimeUnit.MINUTES) // above the 5-minute default for one method
    static void buildImage() throws Exception {
        Path root = Child.modules().getParent().getParent().getParent(); // demo-echo/target/modules
        image = Child.modules().resolveSibling("it-image");
        ProcessBuilder builder = new ProcessBuilder(root.resolve("bin/image").toString(), "--no-build",
                "--out", image.toString()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home")); // the JDK under test
        Process build = builder.start();
        String output = new String(build.getInputStream().readAllBytes(), UTF_8);
        assertTrue(build.waitFor(BUILD_MINUTES, TimeUnit.MINUTES), "bin/image still runs: " + output);
        // A JDK patched to run on a machine older than the one it was built for (this project's JDK 21
        // and 27 homes: a private glibc) links the unpatched binaries of its jmods: such a runtime cannot
        // start here at all, which says nothing about the image.
        assumeFalse(build.exitValue() != 0 && output.contains("GLIBC_") && output.contains("not found"),
                "the runtime jlink made from " + System.getProperty("java.home")
                        + " cannot run on this machine (its glibc is older):\n" + output);
        assertEquals(0, build.exitValue(), "bin/image failed:\n" + output);
        assertEquals(AOT, Files.isRegularFile(image.resolve("lib/loomport-echo.aot")),
                "an AOT cache exactly from JDK 25 on:\n" + output);
    }

    @Test
    void startsWithoutAJdkEchoesAndExitsZeroOnSigterm(@TempDir Path bin) throws Exception {
        // From JDK 25 on, AOTMode=on makes the JVM refuse to start unless it uses the cache.
        try (Child demo = startNoJdk(image, bin, AOT ? "-XX:AOTMode=on" : "")) {
            echoesThenExitsZeroOnSigterm(demo);
        }
    }

    @Test
    void aCacheTheJvmCannotUseIsSkippedNotFatal(@TempDir Path bin) throws Exception {
        assumeTrue(AOT, "no AOT cache before JDK 25");
        // The cache was made with compressed oops; without them the JVM must decline it and start anyway.
        try (Child demo = startNoJdk(image, bin, "-XX:-UseCompressedOops")) {
            echoesThenExitsZeroOnSigterm(demo);
        }
    }

    @Test
    void aMovedImageStartsWithoutItsCacheAndSaysSo(@TempDir Path work) throws Exception {
        assumeTrue(AOT, "no AOT cache before JDK 25");
        Path moved = work.resolve("moved");
        Process copy = new ProcessBuilder("cp", "-al", image.toString(), moved.toString()).inheritIO().start();
        assertEquals(0, copy.waitFor(), "cp -al (hard links: no 100 MB copy)");
        Files.createDirectory(work.resolve("bin"));
        try (Child demo = startNoJdk(moved, work.resolve("bin"), "")) {
            echoesThenExitsZeroOnSigterm(demo);
            assertTrue(demo.stderr().stream().anyMatch(l -> l.contains("made for an image in another directory")),
                    demo.log());
        }
    }

    @Test
    void servesTheSocketItInheritsAsUnderSystemd() throws Exception {
        Path holder = SocketHolder.compiled(); // plays systemd: StandardInput=socket, Accept=no
        try (Child manager = Child.start(List.of(holder.toString(), image.resolve("bin/loomport-echo").toString(),
                "--listen", "echo@stdin", "--metrics", "off", "--grace", "5s"))) {
            InetSocketAddress held = new InetSocketAddress("127.0.0.1",
                    Integer.parseInt(SocketHolder.awaitHolder(manager, "holder listening ")));
            for (int launcher = 1; launcher <= 2; launcher++) { // and again on the same socket: a restart
                long start = System.nanoTime();
                manager.send("start\n");
                SocketHolder.awaitHolder(manager, "holder starting");
                assertEquals(held, manager.awaitListening("echo"));
                System.out.println("image on an inherited socket: start to listening "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
                byte[] hello = ("hello " + launcher).getBytes(UTF_8);
                assertArrayEquals(hello, roundTrip(held, hello));
                manager.send("term\n");
                assertEquals("0", SocketHolder.awaitHolder(manager, "holder exited "), manager.log());
            }
        }
    }

    private static void echoesThenExitsZeroOnSigterm(Child demo) throws Exception {
        InetSocketAddress echo = demo.awaitListening("echo");
        byte[] hello = "hello from the image".getBytes(UTF_8);
        assertArrayEquals(hello, roundTrip(echo, hello));
        demo.terminate();
        assertEquals(0, demo.awaitExit(), demo.log());
    }

    /**
     * {@code image/bin/loomport-echo} with {@code bin} as the whole PATH, holding only links to the tools
     * the script runs, and JAVA_HOME unset: no java but the image's can be found.
     */
    private static Child startNoJdk(Path image, Path bin, String javaOpts) throws IOException {
        for (String tool : List.of("sh", "readlink", "dirname", "cat")) {
            Path found = Files.exists(Path.of("/usr/bin", tool)) ? Path.of("/usr/bin", tool) : Path.of("/bin", tool);
            Files.createSymbolicLink(bin.resolve(tool), found);
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/env", "-u", "JAVA_HOME", "PATH=" + bin,
                "JAVA_OPTS=" + javaOpts, image.resolve("bin/loomport-echo").toString()));
        command.addAll(List.of("--listen", "echo@127.0.0.1:0", "--metrics", "off", "--grace", "5s"));
        return Child.start(command, Map.of()); // env execs the script, which execs java: one pid for signals
    }
}
