package dev.loomport.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig.ProxyProtocol;
import dev.loomport.internal.ProxyHeaderParser.Malformed;
import dev.loomport.internal.ProxyHeaderParser.ProxyHeader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The header parser against the specification's examples and against bytes a hostile peer might send. */
class ProxyHeaderParserTest {
    private static final byte[] PAYLOAD = "GET / HTTP/1.1\r\nHost: 192.168.0.11\r\n\r\n".getBytes(US_ASCII);

    // ---- version 1 ----

    @Test
    void v1TheSpecificationsExampleAndThePayloadAfterItIsLeftUnread() throws IOException {
        ByteArrayInputStream in = stream(ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"), PAYLOAD);
        ProxyHeader h = ProxyHeaderParser.read(in, ProxyProtocol.V1);
        assertEquals(new ProxyHeader(1, "TCP4", address("192.168.0.1", 56324), address("192.168.0.11", 443)), h);
        assertTrue(h.relayed());
        assertArrayEquals(PAYLOAD, in.readAllBytes());
    }

    @Test
    void v1Tcp6InShortAndLongestForms() throws IOException {
        ProxyHeader h = read(ProxyProtocol.V1, "PROXY TCP6 2001:db8::1 ::1 0 65535\r\n");
        assertEquals(address("2001:db8::1", 0), h.source());
        assertEquals(address("::1", 65535), h.destination());
        String ff = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        String longest = "PROXY TCP6 " + ff + " " + ff + " 65535 65535\r\n";
        assertEquals(104, longest.length(), "the specification's longest TCP6 line");
        assertEquals(address(ff, 65535), read(ProxyProtocol.V1, longest).source());
        assertEquals(address("1:0:0:0:0:0:0:8", 1),
                read(ProxyProtocol.V1, "PROXY TCP6 1::8 1:2:3:4:5:6:7:8 1 2\r\n").source());
        assertEquals(address("0:0:0:0:0:0:0:0", 1), read(ProxyProtocol.V1, "PROXY TCP6 :: 1:: 1 2\r\n").source());
    }

    @Test
    void v1UnknownMeansTheSocketsOwnAddressesWhateverFollows() throws IOException {
        assertEquals(ProxyHeader.endpoints(1, "UNKNOWN"), read(ProxyProtocol.V1, "PROXY UNKNOWN\r\n"));
        String ff = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        String worst = "PROXY UNKNOWN " + ff + " " + ff + " 65535 65535\r\n";
        assertEquals(107, worst.length(), "the specification's worst case");
        ProxyHeader h = read(ProxyProtocol.ANY, worst);
        assertFalse(h.relayed());
        assertNull(h.source());
        assertFalse(read(ProxyProtocol.V1, "PROXY UNKNOWN anything at all \u00ff\r\n").relayed());
    }

    @Test
    void v1EveryTruncationIsRefused() {
        byte[] line = ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");
        assertThrows(EOFException.class, () -> ProxyHeaderParser.read(stream(new byte[0]), ProxyProtocol.V1));
        for (int n = 1; n < line.length; n++) {
            byte[] cut = Arrays.copyOf(line, n);
            Malformed e = assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(cut), ProxyProtocol.ANY),
                    "cut after " + n + " bytes");
            assertTrue(e.getMessage().contains("cut short") || e.getMessage().contains("bare"), e.getMessage());
        }
    }

    @Test
    void v1ALineWithoutCrlfIsRefusedAfterAtMost107BytesAndNoMoreIsRead() {
        byte[] junk = ascii("PROXY TCP4 " + "1".repeat(500));
        ByteArrayInputStream in = stream(junk);
        Malformed e = assertThrows(Malformed.class, () -> ProxyHeaderParser.read(in, ProxyProtocol.V1));
        assertTrue(e.getMessage().contains("no CRLF within 107 bytes"), e.getMessage());
        assertEquals(junk.length - 107, in.available());
        String ff = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        assertThrows(Malformed.class, () -> read(ProxyProtocol.V1, "PROXY UNKNOWN " + ff + " " + ff + " 65535 655355\r\n"),
                "108 bytes is one too many");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",          // bare LF
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n",      // CR not followed by LF
        "PROXY TCP4 1.2.3.4\r5.6.7.8 1 2\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n",       // trailing space
        "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n",       // two spaces
        "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",          // a port missing
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",      // a field too many
        "PROXY\tTCP4 1.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY UNKNOWNX\r\n",
        "PROXY \r\n",
        "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
        "PROXZ TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
        "GET / HTTP/1.1\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n",   // bad ports
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 -1\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 0x1 2\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 99999999999 2\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n",
        "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n",      // bad IPv4
        "PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n",
        "PROXY TCP4 1.2.3.4. 5.6.7.8 1 2\r\n",
        "PROXY TCP4 localhost 5.6.7.8 1 2\r\n",
        "PROXY TCP4 ::1 5.6.7.8 1 2\r\n",            // wrong family
        "PROXY TCP6 1.2.3.4 ::1 1 2\r\n",
        "PROXY TCP6 ::1 5.6.7.8 1 2\r\n",
        "PROXY TCP6 1::2::3 ::1 1 2\r\n",            // bad IPv6
        "PROXY TCP6 1:::2 ::1 1 2\r\n",
        "PROXY TCP6 12345::1 ::1 1 2\r\n",
        "PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n",
        "PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2\r\n",
        "PROXY TCP6 1:2:3:4::5:6:7:8 ::1 1 2\r\n",
        "PROXY TCP6 :1:2:3:4:5:6:7 ::1 1 2\r\n",
        "PROXY TCP6 ::ffff:1.2.3.4 ::1 1 2\r\n",
        "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n",
        "PROXY TCP6 g::1 ::1 1 2\r\n",
    })
    void v1WhatTheSpecificationDoesNotAllowIsRefused(String line) {
        assertThrows(Malformed.class, () -> read(ProxyProtocol.ANY, line), line);
    }

    @Test
    void aMessageShowsHostileBytesEscaped() {
        Malformed e = assertThrows(Malformed.class, () -> read(ProxyProtocol.V1, "PROXY TCP4 1.2.3.4 \u0000\u001b 1 2\r\n"));
        assertTrue(e.getMessage().contains("'\\x00\\x1b'"), e.getMessage());
    }

    // ---- version 2 ----

    @Test
    void v2Tcp4AndThePayloadAfterItIsLeftUnread() throws IOException {
        byte[] header = v2(0x21, 0x11, concat(ip("192.168.0.1"), ip("192.168.0.11"), port(56324), port(443)));
        ByteArrayInputStream in = stream(header, PAYLOAD);
        ProxyHeader h = ProxyHeaderParser.read(in, ProxyProtocol.V2);
        assertEquals(new ProxyHeader(2, "TCP4", address("192.168.0.1", 56324), address("192.168.0.11", 443)), h);
        assertArrayEquals(PAYLOAD, in.readAllBytes());
    }

    @Test
    void v2Tcp6() throws IOException {
        byte[] header = v2(0x21, 0x21, concat(ip("2001:db8::7"), ip("::1"), port(65535), port(0)));
        ProxyHeader h = ProxyHeaderParser.read(stream(header), ProxyProtocol.ANY);
        assertEquals(new ProxyHeader(2, "TCP6", address("2001:db8::7", 65535), address("::1", 0)), h);
    }

    @Test
    void v2LocalUsesTheSocketsAddressesAndSkipsWhateverBlockItDeclares() throws IOException {
        assertEquals(ProxyHeader.endpoints(2, "LOCAL"), ProxyHeaderParser.read(stream(v2(0x20, 0x00, new byte[0])),
                ProxyProtocol.V2));
        // Receivers must not assume a LOCAL header declares no bytes, and must ignore its family.
        for (int family : new int[] {0x11, 0x21, 0xFF}) {
            ByteArrayInputStream in = stream(v2(0x20, family, new byte[40]), PAYLOAD);
            assertFalse(ProxyHeaderParser.read(in, ProxyProtocol.V2).relayed());
            assertArrayEquals(PAYLOAD, in.readAllBytes());
        }
    }

    @Test
    void v2FamiliesATcpConnectionCannotStandForFallBackToTheSocketsAddresses() throws IOException {
        ByteArrayInputStream unspec = stream(v2(0x21, 0x00, new byte[7]), PAYLOAD);
        assertEquals(ProxyHeader.endpoints(2, "UNSPEC"), ProxyHeaderParser.read(unspec, ProxyProtocol.V2));
        assertArrayEquals(PAYLOAD, unspec.readAllBytes());
        assertEquals(ProxyHeader.endpoints(2, "UNSPEC"),
                ProxyHeaderParser.read(stream(v2(0x21, 0x10, new byte[12])), ProxyProtocol.V2));
        ByteArrayInputStream unix = stream(v2(0x21, 0x31, new byte[216]), PAYLOAD);
        assertEquals(ProxyHeader.endpoints(2, "UNIX"), ProxyHeaderParser.read(unix, ProxyProtocol.V2));
        assertArrayEquals(PAYLOAD, unix.readAllBytes());
        assertEquals(ProxyHeader.endpoints(2, "TCP4 DGRAM"),
                ProxyHeaderParser.read(stream(v2(0x21, 0x12, new byte[12])), ProxyProtocol.V2));
    }

    @Test
    void v2TlvsAreSkippedAndAGoodCrc32cIsAccepted() throws IOException {
        byte[] addresses = concat(ip("10.1.2.3"), ip("10.0.0.1"), port(40000), port(7007));
        byte[] tlvs = concat(tlv(0x01, ascii("h2")), tlv(0x02, ascii("example.com")), tlv(0x04, new byte[0]),
                tlv(0x05, new byte[128]), tlv(0xEA, ascii("vpce-0123")));
        ByteArrayInputStream in = stream(v2(0x21, 0x11, concat(addresses, tlvs)), PAYLOAD);
        assertEquals(address("10.1.2.3", 40000), ProxyHeaderParser.read(in, ProxyProtocol.V2).source());
        assertArrayEquals(PAYLOAD, in.readAllBytes());

        byte[] checked = withCrc(v2(0x21, 0x11, concat(addresses, tlv(0x03, new byte[4]), tlv(0x04, new byte[3]))));
        assertEquals(address("10.0.0.1", 7007), ProxyHeaderParser.read(stream(checked), ProxyProtocol.V2).destination());
    }

    @Test
    void v2ABadCrc32cIsRefused() {
        byte[] addresses = concat(ip("10.1.2.3"), ip("10.0.0.1"), port(40000), port(7007));
        byte[] checked = withCrc(v2(0x21, 0x11, concat(addresses, tlv(0x03, new byte[4]))));
        checked[17] ^= 1; // one address bit flipped in transit
        Malformed e = assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(checked), ProxyProtocol.V2));
        assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
        assertThrows(Malformed.class, () -> ProxyHeaderParser.read(
                stream(v2(0x21, 0x11, concat(addresses, tlv(0x03, new byte[3])))), ProxyProtocol.V2));
    }

    @Test
    void v2EveryTruncationIsRefused() {
        byte[] header = v2(0x21, 0x11, concat(ip("10.1.2.3"), ip("10.0.0.1"), port(1), port(2), tlv(0x04, new byte[5])));
        for (int n = 1; n < header.length; n++) {
            byte[] cut = Arrays.copyOf(header, n);
            Malformed e = assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(cut), ProxyProtocol.ANY),
                    "cut after " + n + " bytes");
            assertTrue(e.getMessage().contains("cut short"), e.getMessage());
        }
    }

    @Test
    void v2AWrongSignatureByteAnywhereIsRefused() {
        byte[] header = v2(0x21, 0x11, concat(ip("10.1.2.3"), ip("10.0.0.1"), port(1), port(2)));
        for (int i = 0; i < 12; i++) {
            byte[] bad = header.clone();
            bad[i] ^= 0x40;
            assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(bad), ProxyProtocol.ANY), "byte " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x11, 0x31, 0xF1, 0x01, 0x22, 0x2F})
    void v2AnotherVersionOrAnUnassignedCommandIsRefused(int versionAndCommand) {
        byte[] header = v2(versionAndCommand, 0x11, concat(ip("10.1.2.3"), ip("10.0.0.1"), port(1), port(2)));
        assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(header), ProxyProtocol.V2));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x41, 0x13, 0xF1, 0x1F})
    void v2AnUndefinedFamilyOrTransportIsRefused(int familyAndTransport) {
        byte[] header = v2(0x21, familyAndTransport, new byte[216]);
        assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(header), ProxyProtocol.V2));
    }

    @Test
    void v2LengthsThatLieAreRefused() {
        byte[] four = concat(ip("10.1.2.3"), ip("10.0.0.1"), port(1), port(2));
        // Fewer bytes than the family's addresses take: an IPv6 family with an IPv4-sized block, and so on.
        assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(v2(0x21, 0x11, Arrays.copyOf(four, 11))),
                ProxyProtocol.V2));
        assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(v2(0x21, 0x21, four)), ProxyProtocol.V2));
        assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(v2(0x21, 0x21, new byte[35])), ProxyProtocol.V2));
        assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(v2(0x21, 0x31, new byte[215])), ProxyProtocol.V2));
        // Stray bytes after the addresses that are no TLV; a TLV longer than what is left.
        assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(v2(0x21, 0x11, concat(four, new byte[2]))),
                ProxyProtocol.V2));
        byte[] overlong = concat(four, tlv(0x02, ascii("example.com")));
        overlong[overlong.length - 13] = 0x40; // the TLV's length, high byte: 16395 bytes
        assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(v2(0x21, 0x11, overlong)), ProxyProtocol.V2));
        // More bytes declared than sent: the stream ends first.
        byte[] header = v2(0x21, 0x11, four);
        header[15] = 40;
        assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(header), ProxyProtocol.V2));
    }

    @Test
    void v2AnOversizedDeclarationIsRefusedBeforeReadingOrAllocatingIt() {
        byte[] header = v2(0x21, 0x11, new byte[0]);
        header[14] = (byte) 0xFF;
        header[15] = (byte) 0xFF; // 65535 bytes promised
        ByteArrayInputStream in = stream(header, new byte[100]);
        Malformed e = assertThrows(Malformed.class, () -> ProxyHeaderParser.read(in, ProxyProtocol.V2));
        assertTrue(e.getMessage().contains("65535"), e.getMessage());
        assertEquals(100, in.available(), "nothing after the 16-byte prefix was read");
    }

    // ---- which version a listener takes ----

    @ParameterizedTest
    @EnumSource(value = ProxyProtocol.class, names = {"V1", "ANY"})
    void v1ListenersTakeAV1Line(ProxyProtocol mode) throws IOException {
        assertEquals(1, read(mode, "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n").version());
    }

    @Test
    void aListenerRefusesTheVersionItDoesNotExpect() {
        byte[] v2 = v2(0x21, 0x11, concat(ip("10.1.2.3"), ip("10.0.0.1"), port(1), port(2)));
        assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(v2), ProxyProtocol.V1));
        assertThrows(Malformed.class, () -> read(ProxyProtocol.V2, "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"));
        assertThrows(Malformed.class, () -> ProxyHeaderParser.read(stream(new byte[] {0x16, 0x03, 0x01}), ProxyProtocol.ANY),
                "a TLS ClientHello where a header belongs");
    }

    // ---- helpers ----

    private static ProxyHeader read(ProxyProtocol mode, String header) throws IOException {
        return ProxyHeaderParser.read(stream(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)), mode);
    }

    static byte[] v2(int versionAndCommand, int familyAndTransport, byte[] block) {
        byte[] prefix = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a");
        return concat(prefix, new byte[] {(byte) versionAndCommand, (byte) familyAndTransport,
                (byte) (block.length >> 8), (byte) block.length}, block);
    }

    static byte[] tlv(int type, byte[] value) {
        return concat(new byte[] {(byte) type, (byte) (value.length >> 8), (byte) value.length}, value);
    }

    /** Fills in the CRC32C TLV (type 3, assumed the first TLV after 12 bytes of IPv4 addresses). */
    private static byte[] withCrc(byte[] header) {
        CRC32C crc = new CRC32C();
        crc.update(header);
        long v = crc.getValue();
        int at = 16 + 12 + 3;
        for (int i = 0; i < 4; i++) {
            header[at + i] = (byte) (v >> (24 - 8 * i));
        }
        return header;
    }

    static byte[] ip(String literal) {
        return new InetSocketAddress(literal, 0).getAddress().getAddress();
    }

    static byte[] port(int port) {
        return new byte[] {(byte) (port >> 8), (byte) port};
    }

    private static InetSocketAddress address(String literal, int port) {
        return new InetSocketAddress(literal, port);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static ByteArrayInputStream stream(byte[]... parts) {
        return new ByteArrayInputStream(concat(parts));
    }
}
