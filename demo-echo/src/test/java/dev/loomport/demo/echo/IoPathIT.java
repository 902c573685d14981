package dev.loomport.demo.echo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * That the ITs' launchers really serve on the I/O path the build forces ({@link Child#IO_PATH}), so that
 * the ITs tagged {@code io-path}, which the build runs a second time on the path the JDK does not take by
 * default, test that path and not the default twice (the second test; the first checks the check). A
 * launcher on the loop path runs the framework's readiness loops, platform threads named
 * {@code loomport io-loop-N}; one on the JDK's path has none, so the child's thread names tell the path
 * from outside it, without a word of the launcher's own.
 */
class IoPathIT {
    /**
     * The loops' thread names ("loomport io-loop-N") as the kernel holds them, in 15 bytes: cut short up to
     * JDK 26 ("loomport io-loo"), shortened in the middle from JDK 27 ("loompor..loop-0").
     */
    private static final Pattern LOOP_THREAD = Pattern.compile("loomport io-loo|loompor\\.\\.loop-\\d+");

    @Test
    void theLoopThreadsTellWhichPathALauncherServesOn() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "no /proc/PID/task here to read thread names from");
        assertTrue(servesOnLoops(Child.launcher().jvmArgs("-Ddev.loomport.io=loop")), "forced loop: loop threads");
        assertFalse(servesOnLoops(Child.launcher().jvmArgs("-Ddev.loomport.io=jdk")), "forced jdk: no loop thread");
    }

    @Tag("io-path") // the build's second IT run, where dev.loomport.it.io is set
    @Test
    void theBuildsForcedPathIsTheOneServedAndNotTheJdksDefault() throws Exception {
        String forced = System.getProperty(Child.IO_PATH, "");
        assumeTrue(!forced.isEmpty(), Child.IO_PATH + " is unset: this execution runs the JDK's default path");
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "no /proc/PID/task here to read thread names from");
        boolean onLoops = servesOnLoops(Child.launcher());
        assertEquals(forced.equals("loop"), onLoops, "the launcher serves on the path " + Child.IO_PATH + " names");
        assertNotEquals(onLoops, servesOnLoops(Child.launcher().onDefaultIoPath()),
                "the forced path (" + forced + ") must be the one this JDK does not take by default,"
                        + " or the second IT run repeats the first: see loomport.it.otherIo in demo-echo/pom.xml");
    }

    /** Starts an echo launcher, checks that it echoes, and says whether its I/O loops run. */
    private static boolean servesOnLoops(Child.Launcher launcher) throws IOException, InterruptedException {
        try (Child child = launcher.start("--listen", "echo@127.0.0.1:0")) {
            InetSocketAddress echo = child.awaitListening("echo");
            byte[] hello = "hello\n".getBytes(UTF_8);
            assertArrayEquals(hello, Sockets.roundTrip(echo, hello), child.log());
            return child.nativeThreadNames().stream().anyMatch(name -> LOOP_THREAD.matcher(name).matches());
        }
    }
}
