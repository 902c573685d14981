package dev.loomport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Socket face of a loop-path connection, for what the server tests do not reach: SO_TIMEOUT, misuse. */
class LoopSocketTest {
    private final ThreadCount threads = new ThreadCount();
    private IoLoops loops;
    private ServerSocketChannel server;
    private Socket client;
    private Socket served;

    @BeforeEach
    void connect() throws Exception {
        loops = IoLoops.start(threads);
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = new Socket();
        client.connect(server.getLocalAddress(), 30_000);
        client.setSoTimeout(30_000);
        served = loops.adopt(server.accept().socket());
    }

    @AfterEach
    void close() throws Exception {
        served.close();
        client.close();
        server.close();
        loops.stop();
        assertEquals(0, threads.live(), "the loops and their wakers ended");
    }

    @Test
    void aReadTimeoutThrowsAndLeavesTheSocketUsable() throws Exception {
        served.setSoTimeout(50);
        assertEquals(50, served.getSoTimeout());
        InputStream in = served.getInputStream();
        assertThrows(SocketTimeoutException.class, () -> in.read(new byte[8]));
        client.getOutputStream().write(7);
        assertEquals(7, in.read(), "still open after the timeout, as the JDK's socket");
    }

    @Test
    void whatTheFrameworkNeverDoesIsRefusedByName() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> served.connect(client.getLocalSocketAddress()));
        assertTrue(e.getMessage().startsWith("LoopSocket.connect:"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> served.sendUrgentData(1));
        assertNull(served.getChannel(), "reading the channel directly would bypass the loop's buffer");
    }

    @Test
    void availableCountsWhatTheLoopHasReadAndAClosedSocketRefusesItsStreams() throws Exception {
        client.getOutputStream().write(new byte[10]);
        InputStream in = served.getInputStream();
        org.awaitility.Awaitility.await().until(() -> in.available() == 10);
        assertEquals(client.getLocalSocketAddress(), served.getRemoteSocketAddress());
        served.close();
        assertTrue(served.isClosed());
        assertEquals("Socket closed", assertThrows(SocketException.class, () -> in.read()).getMessage());
        assertEquals("Socket is closed", assertThrows(SocketException.class, served::getInputStream).getMessage());
    }
}
