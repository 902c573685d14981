package dev.loomport.demo.echo;

import static dev.loomport.demo.echo.SocketHolder.expect;
import static dev.loomport.demo.echo.Sockets.connect;
import static dev.loomport.demo.echo.Sockets.roundTrip;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The harness for socket activation and restarts that refuse no one (issue 17): socket-holder
 * (src/test/c, compiled by {@link SocketHolder} with the C compiler on PATH) holds a listening socket and starts a child JVM
 * with it as stdin, as systemd's {@code StandardInput=socket} does, and the child finds it through
 * {@link System#inheritedChannel()}. A connection made while no child runs waits in the held socket's
 * backlog and is served by the next child.
 */
class SocketHolderIT {
    @Test
    void aChildJvmFindsTheHeldSocketAsItsInheritedChannel() throws Exception {
        try (Child manager = Child.start(List.of(SocketHolder.compiled().toString(), javaCommand()[0], "-cp", javaCommand()[1],
                InheritedChannelProbe.class.getName()))) {
            int port = Integer.parseInt(expect(manager, "holder listening "));
            InetSocketAddress held = new InetSocketAddress("127.0.0.1", port);

            manager.send("start\n");
            expect(manager, "holder starting");
            assertEquals("/127.0.0.1:" + port, expect(manager, "inherited ServerSocketChannel "));
            assertArrayEquals("first".getBytes(UTF_8), roundTrip(held, "first".getBytes(UTF_8)));
            manager.send("wait\n");
            assertEquals("0", expect(manager, "holder exited "));

            // No child runs now: the connect still succeeds, queued in the held socket's backlog ...
            try (Socket waiting = connect(held)) {
                waiting.getOutputStream().write("queued".getBytes(UTF_8));
                waiting.shutdownOutput();
                manager.send("start\n"); // ... and the next child serves it
                expect(manager, "holder starting");
                expect(manager, "inherited ServerSocketChannel ");
                assertArrayEquals("queued".getBytes(UTF_8), waiting.getInputStream().readAllBytes());
            }
            manager.send("wait\n");
            assertEquals("0", expect(manager, "holder exited "));

            manager.send("start\n");
            expect(manager, "holder starting");
            expect(manager, "inherited ServerSocketChannel ");
            manager.send("term\n"); // SIGTERM reaches the child: a JVM without a handler exits 128 + 15
            assertEquals("143", expect(manager, "holder exited "));
            assertEquals(0, manager.awaitExit(), "end of stdin ends the holder");
        }
    }

    @Test
    void withoutAHeldSocketTheInheritedChannelIsNull() throws Exception {
        String[] java = javaCommand();
        try (Child probe = Child.start(List.of(java[0], "-cp", java[1], InheritedChannelProbe.class.getName()))) {
            assertEquals("inherited null", probe.line(), "stdin is a pipe, not a socket");
            assertEquals(3, probe.awaitExit());
        }
    }

    /** {java, class path} to run {@link InheritedChannelProbe} in a JVM of its own. */
    private static String[] javaCommand() {
        try {
            Path classes = Path.of(InheritedChannelProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            assertTrue(Files.isDirectory(classes), "test classes at " + classes);
            return new String[] {Path.of(System.getProperty("java.home"), "bin", "java").toString(), classes.toString()};
        } catch (URISyntaxException e) {
            throw new AssertionError("test classes not at a file URI", e);
        }
    }
}
