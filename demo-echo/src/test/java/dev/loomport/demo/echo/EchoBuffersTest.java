package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loomport.ListenerConfig;
import dev.loomport.Server;
import dev.loomport.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The echo handler on a real server: every byte back, in order, whatever the sizes and boundaries. */
class EchoBuffersTest {
    private Server server;

    @BeforeEach
    void start() throws IOException {
        server = Server.start(ServerConfig.builder().listener(ListenerConfig.builder("echo").build()).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Socket connect() throws IOException {
        return Sockets.connect(server.listeners().getFirst().address());
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Sizes on each side of both buffers, and one far larger than both. */
    @ParameterizedTest
    @ValueSource(ints = {1, EchoHandler.SMALL - 1, EchoHandler.SMALL, EchoHandler.SMALL + 1, EchoHandler.LARGE,
        EchoHandler.SMALL + EchoHandler.LARGE, EchoHandler.SMALL + EchoHandler.LARGE + 1, 1 << 20})
    void echoesAWholeStreamByteForByte(int size) throws Exception {
        byte[] sent = random(size, size);
        try (Socket s = connect()) {
            // Write and read at once: a stream larger than both sides' socket buffers must not deadlock.
            assertArrayEquals(sent, Sockets.exchange(s, sent));
        }
    }

    @Test
    void answersEachMessageBeforeTheNextOneIsSentWhateverItsSize() throws IOException {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            int[] sizes = {64, EchoHandler.SMALL, 3, 16 * 1024, EchoHandler.LARGE + EchoHandler.SMALL, 1, 64};
            for (int round = 0; round < 50; round++) {
                for (int size : sizes) {
                    byte[] sent = random(size, round * 31L + size);
                    out.write(sent);
                    assertArrayEquals(sent, in.readNBytes(size), "round " + round + ", " + size + " bytes");
                }
            }
            s.shutdownOutput();
            assertEquals(-1, in.read());
        }
    }

    @Test
    void poolLendsItsBuffersOutAndTakesThemBackUpToItsCapacity() {
        BufferPool pool = new BufferPool(16, 2);
        byte[] a = pool.take();
        byte[] b = pool.take();
        assertNotSame(a, b);
        assertEquals(16, a.length);
        pool.give(a);
        pool.give(b);
        pool.give(new byte[16]); // full: dropped
        byte[] first = pool.take();
        byte[] second = pool.take();
        assertSame(a, first);
        assertSame(b, second);
        assertNotSame(a, pool.take()); // empty: a new one
        var e = assertThrows(IllegalArgumentException.class, () -> pool.give(new byte[8]));
        assertEquals("not one of this pool's buffers: 8 bytes", e.getMessage());
    }
}
