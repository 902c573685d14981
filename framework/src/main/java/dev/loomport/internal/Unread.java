package dev.loomport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * Drops what a rejected client already sent, before its socket closes, without waiting for more.
 * Closing a socket with unread bytes makes the kernel answer with a RST instead of a FIN (RFC 1122
 * 4.2.2.13, Linux and the BSDs alike), and a RST can destroy the reject message on its way (a lost
 * segment is never resent) or in the client's buffers (Windows drops received data on a reset).
 */
final class Unread {
    /** The most one call reads and drops: a default receive buffer's worth, as Linux books it. */
    static final int LIMIT = 256 * 1024;

    private Unread() {
    }

    /**
     * Reads and drops what has arrived, at most {@link #LIMIT}: never waits, so the accept loop that
     * calls it never does. Bytes still in flight may yet draw a RST, but after the message and the FIN.
     */
    static void discard(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] sink = null;
        int left = LIMIT;
        for (int ready; left > 0 && (ready = Math.min(in.available(), left)) > 0; ) {
            if (sink == null) {
                sink = new byte[Math.min(ready, 16 * 1024)];
            }
            int n = in.read(sink, 0, Math.min(ready, sink.length)); // returns at once: the bytes are there
            if (n <= 0) {
                return;
            }
            left -= n;
        }
    }
}
