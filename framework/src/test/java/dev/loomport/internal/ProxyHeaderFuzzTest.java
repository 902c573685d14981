package dev.loomport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.loomport.ListenerConfig.ProxyProtocol;
import dev.loomport.internal.ProxyHeaderParser.Malformed;
import dev.loomport.internal.ProxyHeaderParser.ProxyHeader;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * Fuzzes the PROXY v1/v2 header reader with whatever a peer might send first. The first input byte picks
 * the listener's mode (v1, v2, any); the rest is the connection's byte stream. The reader must either
 * return a header that is valid, consumed exactly its own bytes and survives being written out and read
 * again, or refuse with its {@link Malformed} (an {@link EOFException} only for an empty stream). Any
 * other exception is a bug. Seeds: {@code ProxyHeaderFuzzTestInputs/readsOneHeader/}.
 */
class ProxyHeaderFuzzTest {
    /** The most bytes the reader may take: a v1 line, or a v2 header of the longest accepted length. */
    private static final int MAX_READ = Math.max(ProxyHeaderParser.V1_MAX_LINE, 16 + ProxyHeaderParser.V2_MAX_LENGTH);
    private static final ProxyProtocol[] MODES = {ProxyProtocol.V1, ProxyProtocol.V2, ProxyProtocol.ANY};
    private static final Set<String> V1_KINDS = Set.of("TCP4", "TCP6", "UNKNOWN");
    private static final Set<String> V2_KINDS = Set.of("TCP4", "TCP6", "LOCAL", "UNSPEC", "UNIX",
            "TCP4 DGRAM", "TCP6 DGRAM", "UNIX DGRAM");

    @FuzzTest
    void readsOneHeader(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        ProxyProtocol mode = MODES[(input[0] & 0xFF) % MODES.length];
        byte[] stream = Arrays.copyOfRange(input, 1, input.length);
        ByteArrayInputStream in = new ByteArrayInputStream(stream);
        ProxyHeader header;
        try {
            header = ProxyHeaderParser.read(in, mode);
        } catch (Malformed e) {
            assertNotNull(e.getMessage());
            assertTrue(consumed(stream, in) <= MAX_READ, "read past the longest header: " + consumed(stream, in));
            return;
        } catch (EOFException e) {
            assertEquals(0, stream.length, "EOFException is only for a connection that sent nothing");
            return;
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("neither a header nor Malformed for " + HexFormat.of().formatHex(stream), e);
        }
        int used = consumed(stream, in);
        if (header.version() == 1) {
            assertTrue(mode != ProxyProtocol.V2, "a v1 header on a v2-only listener");
            assertTrue(V1_KINDS.contains(header.kind()), header.kind());
            assertEquals(v1LineLength(stream), used, "a v1 header is its line, CRLF included, and no more");
        } else {
            assertEquals(2, header.version());
            assertTrue(mode != ProxyProtocol.V1, "a v2 header on a v1-only listener");
            assertTrue(V2_KINDS.contains(header.kind()), header.kind());
            assertEquals(16 + ((stream[14] & 0xFF) << 8 | (stream[15] & 0xFF)), used,
                    "a v2 header is 16 bytes and the length it declares, and no more");
        }
        assertEquals(header.source() != null, header.destination() != null, "both addresses or neither");
        if (header.relayed()) {
            assertTrue(header.kind().equals("TCP4") || header.kind().equals("TCP6"), header.kind());
            assertEquals(header, ProxyHeaderParser.read(new ByteArrayInputStream(writtenOut(header)), mode),
                    "the header written out again reads back the same");
        }
    }

    private static int consumed(byte[] stream, ByteArrayInputStream in) {
        return stream.length - in.available();
    }

    private static int v1LineLength(byte[] stream) {
        for (int i = 1; i < stream.length; i++) {
            if (stream[i - 1] == '\r' && stream[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    /** The header in its own version's form, without TLVs. */
    private static byte[] writtenOut(ProxyHeader h) {
        boolean six = h.kind().equals("TCP6");
        if (h.version() == 1) {
            String line = "PROXY " + h.kind() + " " + text(h.source(), six) + " " + text(h.destination(), six) + " "
                    + h.source().getPort() + " " + h.destination().getPort() + "\r\n";
            return line.getBytes(StandardCharsets.US_ASCII);
        }
        byte[] block = ProxyHeaderParserTest.concat(bytes(h.source(), six), bytes(h.destination(), six),
                ProxyHeaderParserTest.port(h.source().getPort()),
                ProxyHeaderParserTest.port(h.destination().getPort()));
        return ProxyHeaderParserTest.v2(0x21, six ? 0x21 : 0x11, block);
    }

    /** The address as the header carried it: 16 bytes for TCP6 even where Java made it an IPv4 address. */
    private static byte[] bytes(InetSocketAddress a, boolean six) {
        InetAddress address = a.getAddress();
        byte[] b = address.getAddress();
        if (six && address instanceof Inet4Address) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(b, 0, mapped, 12, 4);
            return mapped;
        }
        assertEquals(six ? 16 : 4, b.length, "address length for " + a);
        return b;
    }

    /** IPv6 as eight hex groups (the reader takes no dotted forms); IPv4 dotted. */
    private static String text(InetSocketAddress a, boolean six) {
        if (!six) {
            assertInstanceOf(Inet4Address.class, a.getAddress());
            return a.getAddress().getHostAddress();
        }
        byte[] b = bytes(a, true);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            s.append(i == 0 ? "" : ":").append(Integer.toHexString((b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF)));
        }
        return s.toString();
    }
}
