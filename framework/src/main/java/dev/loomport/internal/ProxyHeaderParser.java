package dev.loomport.internal;

import dev.loomport.ListenerConfig.ProxyProtocol;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The byte-level parser of the PROXY protocol header (HAProxy's specification, versions 1 and 2) that a
 * load balancer puts before a connection's first byte: reads it from a stream, and not one byte more: the payload after it stays in the stream for
 * the handler. Version 1 is read a byte at a time up to its CRLF, at most {@value #V1_MAX_LINE} bytes;
 * version 2 as its 16-byte prefix and then exactly the length it declares, at most
 * {@value #V2_MAX_LENGTH}. Nothing is allocated beyond those bounds, whatever the peer sends.
 *
 * <p>Any deviation from the specification is a {@link Malformed} naming what was wrong. A stream that
 * ends before its first byte is an {@link EOFException} (a connect-and-close health check is not a
 * broken balancer). The caller bounds the time: see {@link ProxyStep}.
 */
final class ProxyHeaderParser {
    /** The longest version 1 line, CRLF included: {@code PROXY UNKNOWN <ipv6> <ipv6> 65535 65535\r\n}. */
    static final int V1_MAX_LINE = 107;
    /**
     * The most bytes of addresses and TLVs a version 2 header may declare. Addresses take at most 216
     * (AF_UNIX); what balancers add as TLVs (ALPN, authority, unique id, CRC32C, TLS details, cloud
     * endpoint ids) fits well within the rest.
     */
    static final int V2_MAX_LENGTH = 1536;

    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2_SIGNATURE = {
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int TLV_CRC32C = 0x03;
    private static final Pattern PORT = Pattern.compile("0|[1-9]\\d{0,4}");

    private ProxyHeaderParser() {
    }

    /** The header does not follow the specification; the message says how. */
    static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }
    }

    /**
     * What a header said. {@code source} and {@code destination} are the original client's and the
     * address it connected to, or both {@code null} when the header tells the receiver to use the real
     * connection's endpoints: a v2 {@code LOCAL} command (a balancer's health check), v1
     * {@code UNKNOWN}, v2 {@code AF_UNSPEC} or {@code UNSPEC}, and the families a TCP server cannot
     * represent as an {@link InetSocketAddress} (AF_UNIX, datagram), for which the specification lets a
     * receiver fall back to {@code UNSPEC}.
     */
    record ProxyHeader(int version, String kind, InetSocketAddress source, InetSocketAddress destination) {
        static ProxyHeader endpoints(int version, String kind) {
            return new ProxyHeader(version, kind, null, null);
        }

        boolean relayed() {
            return source != null;
        }
    }

    /** Reads one header of a version {@code accepted} allows ({@link ProxyProtocol#NONE} is not asked). */
    static ProxyHeader read(InputStream in, ProxyProtocol accepted) throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException("the connection ended before a PROXY header");
        }
        if (first == V1_PREFIX[0] && accepted != ProxyProtocol.V2) {
            return readV1(in);
        }
        if (first == V2_SIGNATURE[0] && accepted != ProxyProtocol.V1) {
            return readV2(in);
        }
        String expected = switch (accepted) {
            case V1 -> "a PROXY v1 header ('PROXY ')";
            case V2 -> "a PROXY v2 header (signature 0d0a0d0a000d0a515549540a)";
            default -> "a PROXY v1 or v2 header";
        };
        throw new Malformed("expected " + expected + "; the connection starts with byte 0x" + hex(first));
    }

    // ---- version 1: one line of text ----

    private static ProxyHeader readV1(InputStream in) throws IOException {
        byte[] line = new byte[V1_MAX_LINE];
        line[0] = V1_PREFIX[0];
        int n = 1;
        while (true) {
            if (n == V1_MAX_LINE) {
                throw new Malformed("PROXY v1 line has no CRLF within " + V1_MAX_LINE + " bytes: "
                        + printable(line, n));
            }
            int b = in.read();
            if (b < 0) {
                throw new Malformed("PROXY v1 line cut short after " + n + " bytes: " + printable(line, n));
            }
            line[n++] = (byte) b;
            if (n <= V1_PREFIX.length && b != V1_PREFIX[n - 1]) {
                throw new Malformed("not a PROXY v1 line: starts with " + printable(line, n));
            }
            if (b == '\n') {
                if (line[n - 2] != '\r') {
                    throw new Malformed("PROXY v1 line ends with a bare LF: " + printable(line, n));
                }
                return parseV1(new String(line, 0, n - 2, StandardCharsets.ISO_8859_1));
            }
            if (line[n - 2] == '\r') {
                throw new Malformed("PROXY v1 line has a CR not followed by LF: " + printable(line, n));
            }
        }
    }

    /** {@code PROXY TCP4|TCP6 src dst srcport dstport}, or {@code PROXY UNKNOWN} and anything. */
    private static ProxyHeader parseV1(String line) throws Malformed {
        String rest = line.substring(V1_PREFIX.length);
        if (rest.equals("UNKNOWN") || rest.startsWith("UNKNOWN ")) {
            return ProxyHeader.endpoints(1, "UNKNOWN"); // the rest of the line is to be ignored
        }
        String[] f = rest.split(" ", -1);
        if (f.length != 5) {
            throw new Malformed("PROXY v1 line needs TCP4 or TCP6, two addresses and two ports, separated"
                    + " by single spaces: '" + printable(line) + "'");
        }
        byte[] src;
        byte[] dst;
        switch (f[0]) {
            case "TCP4" -> {
                src = ipv4(f[1]);
                dst = ipv4(f[2]);
            }
            case "TCP6" -> {
                src = ipv6(f[1]);
                dst = ipv6(f[2]);
            }
            default -> throw new Malformed("PROXY v1 protocol must be TCP4, TCP6 or UNKNOWN: '"
                    + printable(f[0]) + "'");
        }
        return new ProxyHeader(1, f[0], socket(src, port(f[3])), socket(dst, port(f[4])));
    }

    private static byte[] ipv4(String s) throws Malformed {
        if (!Cidr.IPV4.matcher(s).matches()) {
            throw new Malformed("not an IPv4 address in a TCP4 PROXY line: '" + printable(s) + "'");
        }
        byte[] out = new byte[4];
        String[] parts = s.split("\\.");
        for (int i = 0; i < 4; i++) {
            out[i] = (byte) Integer.parseInt(parts[i]);
        }
        return out;
    }

    /** Hex groups of one to four digits and at most one {@code ::}; no dotted or zoned forms. */
    private static byte[] ipv6(String s) throws Malformed {
        int gap = s.indexOf("::");
        if (s.length() > 39 || (gap >= 0 && s.indexOf("::", gap + 1) >= 0)) {
            throw notIpv6(s);
        }
        int[] head = groups(gap < 0 ? s : s.substring(0, gap), s);
        int[] tail = gap < 0 ? new int[0] : groups(s.substring(gap + 2), s);
        if (gap < 0 ? head.length != 8 : head.length + tail.length > 7) {
            throw notIpv6(s);
        }
        byte[] out = new byte[16];
        for (int i = 0; i < head.length; i++) {
            out[2 * i] = (byte) (head[i] >> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0; i < tail.length; i++) {
            int at = 16 - 2 * (tail.length - i);
            out[at] = (byte) (tail[i] >> 8);
            out[at + 1] = (byte) tail[i];
        }
        return out;
    }

    private static int[] groups(String part, String whole) throws Malformed {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] g = part.split(":", -1);
        int[] out = new int[g.length];
        for (int i = 0; i < g.length; i++) {
            if (!g[i].matches("[0-9A-Fa-f]{1,4}")) {
                throw notIpv6(whole);
            }
            out[i] = Integer.parseInt(g[i], 16);
        }
        return out;
    }

    private static Malformed notIpv6(String s) {
        return new Malformed("not an IPv6 address in a TCP6 PROXY line: '" + printable(s) + "'");
    }

    private static int port(String s) throws Malformed {
        if (!PORT.matcher(s).matches() || Integer.parseInt(s) > 65535) {
            throw new Malformed("not a port (0..65535, no leading zeros) in a PROXY v1 line: '"
                    + printable(s) + "'");
        }
        return Integer.parseInt(s);
    }

    // ---- version 2: binary ----

    private static ProxyHeader readV2(InputStream in) throws IOException {
        byte[] header = new byte[16];
        header[0] = V2_SIGNATURE[0];
        readFully(in, header, 1, 15, "PROXY v2 header");
        for (int i = 1; i < V2_SIGNATURE.length; i++) {
            if (header[i] != V2_SIGNATURE[i]) {
                throw new Malformed("not a PROXY v2 signature: " + HexFormat.of().formatHex(header, 0, 12));
            }
        }
        int version = (header[12] >> 4) & 0xF;
        int command = header[12] & 0xF;
        int family = (header[13] >> 4) & 0xF;
        int transport = header[13] & 0xF;
        int length = (header[14] & 0xFF) << 8 | (header[15] & 0xFF);
        if (version != 2) {
            throw new Malformed("PROXY v2 header has version " + version + " (byte 13 is 0x" + hex(header[12]) + ")");
        }
        if (command > 1) {
            throw new Malformed("PROXY v2 command must be LOCAL (0) or PROXY (1): " + command);
        }
        if (length > V2_MAX_LENGTH) {
            throw new Malformed("PROXY v2 header declares " + length + " bytes of addresses and TLVs; at most "
                    + V2_MAX_LENGTH + " are accepted");
        }
        byte[] body = new byte[length];
        readFully(in, body, 0, length, "PROXY v2 address block of " + length + " bytes");
        if (command == 0) {
            return ProxyHeader.endpoints(2, "LOCAL"); // the block, family included, is to be ignored
        }
        if (family > 3 || transport > 2) {
            throw new Malformed("PROXY v2 family and transport byte is not one the specification defines: 0x"
                    + hex(header[13]));
        }
        if (family == 0 || transport == 0) {
            return ProxyHeader.endpoints(2, "UNSPEC");
        }
        int addresses = switch (family) {
            case 1 -> 12;  // two IPv4 addresses, two ports
            case 2 -> 36;  // two IPv6 addresses, two ports
            default -> 216; // two AF_UNIX paths of 108 bytes
        };
        String kind = (family == 1 ? "TCP4" : family == 2 ? "TCP6" : "UNIX") + (transport == 2 ? " DGRAM" : "");
        if (length < addresses) {
            throw new Malformed("PROXY v2 " + kind + " header declares " + length + " bytes, fewer than the "
                    + addresses + " its addresses take");
        }
        checkTlvs(header, body, addresses);
        if (family == 3 || transport == 2) {
            return ProxyHeader.endpoints(2, kind); // nothing a TCP connection's address could say
        }
        int a = (addresses - 4) / 2;
        byte[] src = Arrays.copyOfRange(body, 0, a);
        byte[] dst = Arrays.copyOfRange(body, a, 2 * a);
        int srcPort = (body[2 * a] & 0xFF) << 8 | (body[2 * a + 1] & 0xFF);
        int dstPort = (body[2 * a + 2] & 0xFF) << 8 | (body[2 * a + 3] & 0xFF);
        return new ProxyHeader(2, kind, socket(src, srcPort), socket(dst, dstPort));
    }

    /** TLVs must tile the rest of the block exactly; a CRC32C, if present, must match. Others are skipped. */
    private static void checkTlvs(byte[] header, byte[] body, int from) throws Malformed {
        int at = from;
        while (at < body.length) {
            if (body.length - at < 3) {
                throw new Malformed("PROXY v2 TLV at offset " + (16 + at) + " is cut short: " + (body.length - at)
                        + " byte(s) left of its 3-byte type and length");
            }
            int type = body[at] & 0xFF;
            int length = (body[at + 1] & 0xFF) << 8 | (body[at + 2] & 0xFF);
            int value = at + 3;
            if (length > body.length - value) {
                throw new Malformed("PROXY v2 TLV 0x" + hex(type) + " at offset " + (16 + at) + " declares "
                        + length + " bytes; only " + (body.length - value) + " are left in the header");
            }
            if (type == TLV_CRC32C) {
                checkCrc(header, body, value, length);
            }
            at = value + length;
        }
    }

    private static void checkCrc(byte[] header, byte[] body, int value, int length) throws Malformed {
        if (length != 4) {
            throw new Malformed("PROXY v2 CRC32C TLV must have 4 bytes: " + length);
        }
        long sent = ((body[value] & 0xFFL) << 24) | ((body[value + 1] & 0xFF) << 16)
                | ((body[value + 2] & 0xFF) << 8) | (body[value + 3] & 0xFF);
        byte[] zeroed = body.clone();
        Arrays.fill(zeroed, value, value + 4, (byte) 0);
        CRC32C crc = new CRC32C();
        crc.update(header);
        crc.update(zeroed);
        if (crc.getValue() != sent) {
            throw new Malformed("PROXY v2 header's CRC32C is " + Long.toHexString(sent) + " but its bytes sum to "
                    + Long.toHexString(crc.getValue()));
        }
    }

    // ---- helpers ----

    private static void readFully(InputStream in, byte[] b, int off, int len, String what) throws IOException {
        int n = in.readNBytes(b, off, len);
        if (n < len) {
            throw new Malformed(what + " cut short: the connection ended after " + (off + n) + " of "
                    + (off + len) + " bytes");
        }
    }

    private static InetSocketAddress socket(byte[] address, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port); // no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only for a wrong length
        }
    }

    private static String hex(int b) {
        return HexFormat.of().toHexDigits((byte) b);
    }

    private static String printable(byte[] b, int n) {
        return printable(new String(b, 0, n, StandardCharsets.ISO_8859_1));
    }

    /** Peer bytes in a log line: printable ASCII as is, anything else as {@code \xNN}, at most 120 chars. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 120; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                out.append(c);
            } else {
                out.append("\\x").append(hex(c));
            }
        }
        return out.length() >= 120 ? out + "..." : out.toString();
    }
}
