package dev.loomport.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/**
 * A test's client on one socket, speaking lines (LF out; LF or CRLF in), length-prefixed frames (big-endian
 * 1, 2 or 4 byte prefix, as {@code dev.loomport.io.FrameReader} reads them) or raw bytes. Every connect and
 * read waits at most its timeout and then fails with {@link SocketTimeoutException}, so a test fails
 * instead of hanging. One thread reads and one thread writes; each method throws {@link IOException}
 * as the socket does.
 */
public final class TestClient implements AutoCloseable {
    /** How long a connect or a read may wait by default: generous, the machine may be loaded. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The longest line {@link #readLine()} reads: a test talks to a server, not a flood. */
    public static final int MAX_LINE = 1 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private TestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code address}, waiting at most {@code timeout} for the connect and for each read. */
    public static TestClient connect(InetSocketAddress address, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, Math.toIntExact(timeout.toMillis()));
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            return new TestClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code line} and a LF, in UTF-8. */
    public TestClient sendLine(String line) throws IOException {
        return send((line + "\n").getBytes(UTF_8));
    }

    /**
     * The next line in UTF-8, without its LF or CRLF; {@code null} at a clean end of stream.
     *
     * @throws IOException at an end of stream inside a line, or a line over {@link #MAX_LINE} bytes
     */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                if (line.size() == 0) {
                    return null;
                }
                throw new IOException("end of stream inside a line: '" + line.toString(UTF_8) + "'");
            }
            if (line.size() == MAX_LINE) {
                throw new IOException("a line over " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, UTF_8);
    }

    /** Sends {@code payload} after its length in a {@code prefixBytes} (1, 2 or 4) big-endian prefix. */
    public TestClient sendFrame(int prefixBytes, byte[] payload) throws IOException {
        long max = prefixBytes == 4 ? Integer.MAX_VALUE : (1L << (8 * checkPrefix(prefixBytes))) - 1;
        if (payload.length > max) {
            throw new IllegalArgumentException("a " + prefixBytes + "-byte prefix holds at most " + max
                    + " bytes: " + payload.length);
        }
        byte[] frame = new byte[prefixBytes + payload.length];
        for (int i = 0; i < prefixBytes; i++) {
            frame[i] = (byte) (payload.length >>> (8 * (prefixBytes - 1 - i)));
        }
        System.arraycopy(payload, 0, frame, prefixBytes, payload.length);
        return send(frame);
    }

    /** The next frame's payload after a {@code prefixBytes} (1, 2 or 4) big-endian length; {@code null} at a clean end. */
    public byte[] readFrame(int prefixBytes) throws IOException {
        byte[] prefix = in.readNBytes(checkPrefix(prefixBytes));
        if (prefix.length == 0) {
            return null;
        }
        if (prefix.length < prefixBytes) {
            throw new IOException("end of stream inside a frame's length prefix");
        }
        long length = 0;
        for (byte b : prefix) {
            length = (length << 8) | (b & 0xff);
        }
        if (length > MAX_LINE) {
            throw new IOException("a frame of " + length + " bytes, over the client's " + MAX_LINE);
        }
        return read((int) length);
    }

    /** Sends {@code bytes} as they are. */
    public TestClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Exactly {@code n} bytes. @throws IOException when the stream ends first */
    public byte[] read(int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new IOException("end of stream after " + bytes.length + " of " + n + " bytes: "
                    + Arrays.toString(bytes));
        }
        return bytes;
    }

    /** Everything until the server closes the connection (each read still bounded by the timeout). */
    public byte[] readToEnd() throws IOException {
        return in.readAllBytes();
    }

    /** Whether the server has closed the connection: the next read is the end of the stream. */
    public boolean isClosedByServer() throws IOException {
        return in.read() < 0;
    }

    /** Shuts down this side's output: the server reads end of stream, and may still answer. */
    public TestClient halfClose() throws IOException {
        socket.shutdownOutput();
        return this;
    }

    /** The socket, for what this class does not cover (its local address, options). */
    public Socket socket() {
        return socket;
    }

    /** Closes the socket; closing twice does nothing. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int checkPrefix(int prefixBytes) {
        if (prefixBytes != 1 && prefixBytes != 2 && prefixBytes != 4) {
            throw new IllegalArgumentException("a length prefix is 1, 2 or 4 bytes: " + prefixBytes);
        }
        return prefixBytes;
    }
}
