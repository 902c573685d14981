package dev.loomport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Plain blocking clients on loopback, with a read timeout so no test can hang. */
final class TestClients {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TestClients() {
    }

    static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, (int) TIMEOUT.toMillis());
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

    static Socket connect(Server server) throws IOException {
        return connect(server.listeners().getFirst().address());
    }

    /** Writes {@code data}, shuts down output, and returns everything read until EOF. */
    static byte[] roundTrip(Socket socket, byte[] data) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(data);
        out.flush();
        socket.shutdownOutput();
        return socket.getInputStream().readAllBytes();
    }

    /** Writes {@code text} and reads back exactly its bytes, which must be the same. */
    static void assertEchoes(Socket s, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(bytes);
        assertArrayEquals(bytes, readExactly(s.getInputStream(), bytes.length));
    }

    static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
            throw new IOException("EOF after " + bytes.length + " of " + n + " bytes");
        }
        return bytes;
    }

    /**
     * Reads (and drops) until the server's close, which must be an abort: a RST, seen as "Connection
     * reset", never a clean end of stream that a client without framing would take for a finished transfer.
     */
    static void assertReset(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] sink = new byte[64 * 1024];
        long read = 0;
        try {
            for (int n; (n = in.read(sink)) != -1; ) {
                read += n;
            }
        } catch (SocketException e) {
            assertEquals("Connection reset", e.getMessage(), "how the close showed");
            return;
        }
        fail("a clean EOF after " + read + " bytes, not a reset: the cut looks like a normal end");
    }
}
