package dev.loomport.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The client-side pieces every attack shares: a socket bound to a chosen loopback source address, a
 * byte stream whose every byte can be checked without keeping a copy, and how a connection ended
 * as the client sees it (clean end of stream, reset, or still open).
 */
final class Net {
    static final int CONNECT_TIMEOUT_MS = 10_000;

    private Net() {
    }

    /** Connects from {@code source} (a 127.x.y.z address, port chosen by the kernel) to {@code to}. */
    static Socket connect(String source, InetSocketAddress to) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(to, CONNECT_TIMEOUT_MS);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    static Socket connect(InetSocketAddress to) throws IOException {
        return connect("127.0.0.1", to);
    }

    /** The {@code i}th source address of a spread attack: 127.0.1.1, 127.0.1.2, ... (never the canary's). */
    static String source(int i) {
        return "127.0.1." + (1 + i % 250);
    }

    /** Byte {@code position} of stream {@code seed}: cheap, and a lost, doubled or moved byte shows. */
    static byte at(long seed, long position) {
        long x = (position + seed * 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        return (byte) (x >>> 56 ^ x >>> 29);
    }

    static void fill(long seed, long position, byte[] buf, int len) {
        for (int i = 0; i < len; i++) {
            buf[i] = at(seed, position + i);
        }
    }

    /** The index in {@code buf[0..len)} of the first byte that is not stream {@code seed}'s, or -1. */
    static int mismatch(long seed, long position, byte[] buf, int len) {
        for (int i = 0; i < len; i++) {
            if (buf[i] != at(seed, position + i)) {
                return i;
            }
        }
        return -1;
    }

    /** How a connection ended, seen from the client. */
    enum End { EOF, RESET, OPEN }

    /**
     * Reads and discards until the server ends the connection or {@code within} passes; how it ended.
     * A reset shows as a {@link SocketException} ("Connection reset"); anything read is counted in
     * {@code counted[0]} when given.
     */
    static End awaitEnd(Socket s, Duration within, long[] counted) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[16 * 1024];
        try {
            for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                s.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (n < 0) {
                    return End.EOF;
                }
                if (counted != null) {
                    counted[0] += n;
                }
            }
            return End.OPEN;
        } catch (SocketException e) {
            return End.RESET;
        }
    }

    /** Closes with SO_LINGER 0, so the peer sees a reset (RST), not a FIN. */
    static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            // closing on the way out: nothing left to do with it
        }
    }

    static String mib(long bytes) {
        return bytes >= 1024 * 1024 ? String.format("%.1f MiB", bytes / 1048576.0)
                : bytes >= 1024 ? String.format("%.1f KiB", bytes / 1024.0) : bytes + " B";
    }

    static String secs(Duration d) {
        return d == null ? "-" : String.format("%.1f s", d.toMillis() / 1000.0);
    }
}
