package dev.loomport.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sending a checkable stream through the echo and reading it back: at full speed, at a fixed slow
 * rate, or half-closed. The writer runs on a virtual thread of its own (owned by the exchange and
 * joined before it returns) so that a client that reads slowly still keeps the server's buffers full.
 */
final class Streams {
    private static final int CHUNK = 64 * 1024;

    private Streams() {
    }

    /** What came back: bytes read and checked, whether all came back exact, and how the read ended. */
    record Echoed(long bytes, boolean exact, String ended) {
    }

    /**
     * Writes {@code total} bytes of stream {@code seed}, then shuts down output (a half-close), and reads
     * the echo back to end of stream, at most {@code readRate} bytes a second (0: as fast as it comes).
     */
    static Echoed exchange(Socket s, long seed, long total, long readRate) throws InterruptedException {
        return exchange(s, seed, total, readRate, () -> { });
    }

    /** As above; {@code firstEcho} runs once, when the first bytes have come back exact. */
    static Echoed exchange(Socket s, long seed, long total, long readRate, Runnable firstEcho)
            throws InterruptedException {
        AtomicLong written = new AtomicLong();
        Thread writer = Thread.ofVirtual().name("writer " + seed).start(() -> {
            byte[] buf = new byte[CHUNK];
            try {
                OutputStream out = s.getOutputStream();
                for (long pos = 0; pos < total; pos += CHUNK) {
                    int n = (int) Math.min(CHUNK, total - pos);
                    Net.fill(seed, pos, buf, n);
                    out.write(buf, 0, n);
                    written.addAndGet(n);
                }
                s.shutdownOutput();
            } catch (IOException e) {
                // the reader sees how the connection ended
            }
        });
        long read = 0;
        String ended;
        boolean exact = true;
        byte[] buf = new byte[readRate > 0 ? 4096 : CHUNK];
        long began = System.nanoTime();
        try {
            InputStream in = s.getInputStream();
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    ended = "EOF";
                    break;
                }
                if (Net.mismatch(seed, read, buf, n) >= 0) {
                    exact = false;
                    ended = "wrong byte at " + (read + Net.mismatch(seed, read, buf, n));
                    break;
                }
                if (read == 0) {
                    firstEcho.run();
                }
                read += n;
                if (readRate > 0) {
                    long due = began + read * 1_000_000_000L / readRate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // the fixed read rate, not synchronisation
                    }
                }
            }
        } catch (IOException e) {
            ended = e.getMessage() != null && e.getMessage().contains("reset") ? "reset" : e.toString();
        }
        Net.closeQuietly(s); // ends the writer if it is still blocked
        writer.join(Duration.ofSeconds(30));
        return new Echoed(read, exact && read == total && ended.equals("EOF"), ended + " after "
                + Net.mib(read) + " of " + Net.mib(total) + " in " + Net.secs(Duration.ofNanos(System.nanoTime() - began)));
    }
}
