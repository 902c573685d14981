package dev.loomport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loop path's read-ahead bound, driven by hand: the test plays the loop and calls {@code fill} itself,
 * so what arrives between two fills is known. What the loop reads ahead for a connection never passes
 * {@link LoopChannel#MAX_BUFFERED}, however the bytes arrive, and a client sending a byte at a time pays for
 * each chunk's overhead too.
 */
class LoopChannelBoundTest {
    private ServerSocketChannel server;
    private Selector selector;
    private Socket client;
    private SocketChannel accepted;
    private LoopChannel channel;
    private SelectionKey key;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(LoopChannel.MAX_BUFFERED);

    @BeforeEach
    void connect() throws Exception {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        selector = Selector.open();
        client = new Socket();
        client.connect(server.getLocalAddress(), 30_000);
        accepted = server.accept();
        accepted.configureBlocking(false);
        channel = new LoopChannel(accepted, null); // no loop: this test is the loop
        key = accepted.register(selector, SelectionKey.OP_READ, channel);
        channel.registered(key);
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        accepted.close();
        selector.close();
        server.close();
    }

    /** Sends {@code n} bytes and fills until all of them are in the channel's queue. */
    private void sendAndFill(OutputStream out, int n, int expectedTotal) throws Exception {
        out.write(new byte[n]);
        out.flush();
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> {
            channel.fill(scratch);
            return channel.available() >= expectedTotal;
        });
    }

    @Test
    void aReadNeverTakesTheQueuePastTheBound() throws Exception {
        OutputStream out = client.getOutputStream();
        sendAndFill(out, 1000, 1000);
        out.write(new byte[200 * 1024]); // far more than the room left: one read could take 64 KiB
        await().until(() -> {
            channel.fill(scratch);
            return (key.interestOps() & SelectionKey.OP_READ) == 0; // paused
        });
        int ahead = channel.available();
        assertTrue(ahead <= LoopChannel.MAX_BUFFERED,
                () -> "read ahead " + ahead + " bytes, the bound is " + LoopChannel.MAX_BUFFERED);
    }

    @Test
    void aByteAtATimeIsChargedItsChunksOverheadAndPausesSooner() throws Exception {
        client.setTcpNoDelay(true);
        OutputStream out = client.getOutputStream();
        int sent = 0;
        while ((key.interestOps() & SelectionKey.OP_READ) != 0 && sent < 5_000) {
            sent++;
            sendAndFill(out, 1, sent); // one byte, one chunk
        }
        int perChunk = 1 + LoopChannel.CHUNK_OVERHEAD;
        assertEquals((LoopChannel.MAX_BUFFERED + perChunk - 1) / perChunk, sent,
                "paused once the bytes and their chunks' overhead reached the bound");
    }

    /** A fill that runs with the bound reached (a reader resumed reading just as the loop filled the queue) reads nothing. */
    @Test
    void aFillWithTheBoundReachedReadsNothing() throws Exception {
        OutputStream out = client.getOutputStream();
        out.write(new byte[200 * 1024]);
        await().until(() -> {
            channel.fill(scratch);
            return (key.interestOps() & SelectionKey.OP_READ) == 0; // paused
        });
        int before = channel.available();
        channel.fill(scratch); // as after a reader saw paused with the queue full and turned interest back on
        int ahead = channel.available();
        assertTrue(ahead <= LoopChannel.MAX_BUFFERED,
                () -> "read ahead " + before + " then " + ahead + " bytes, the bound is " + LoopChannel.MAX_BUFFERED);
    }
}
