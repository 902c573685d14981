package dev.loomport.demo.echo;

import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * {@code echo}: writes back every byte it reads, in order, as soon as it has read it, until the client
 * shuts down its side.
 *
 * <p>Memory: a connection waits for its client with a {@value #SMALL}-byte buffer, which carries a small
 * message in one read. A read that fills it means the client sends more at a time, so the connection
 * switches to a {@value #LARGE}-byte buffer from a shared pool, and gives it back as soon as a read
 * fits the small one again. A connection of small messages, or a quiet one, holds 512 bytes; one of
 * large messages holds 16 KiB and moves each in one read and one write. (With one 8 KiB buffer each,
 * 19,000 held connections kept 150 MiB of heap that every young collection copied: see
 * docs/performance.md.)
 *
 * <p>Echo is a byte stream, not a framed protocol, so it does not use {@code dev.loomport.io.FrameReader}:
 * there is no frame to bound, and a reader's buffer would only add a copy and 8 KiB per connection.
 */
final class EchoHandler implements ConnectionHandler {
    static final int SMALL = 512;
    static final int LARGE = 16 * 1024;
    private static final BufferPool POOL = new BufferPool(LARGE, 64);

    @Override
    public void handle(Connection connection) throws IOException {
        InputStream in = connection.input();
        OutputStream out = connection.output();
        byte[] small = new byte[SMALL];
        byte[] large = null;
        try {
            while (true) {
                byte[] buffer = large != null ? large : small;
                int n = in.read(buffer);
                if (n == -1) {
                    return;
                }
                out.write(buffer, 0, n);
                if (large == null && n == SMALL) {
                    large = POOL.take();
                } else if (large != null && n <= SMALL) {
                    POOL.give(large);
                    large = null;
                }
            }
        } finally {
            if (large != null) {
                POOL.give(large);
            }
        }
    }
}
