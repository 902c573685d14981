package dev.loomport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    @Test
    void ipv4Networks() throws UnknownHostException {
        Cidr loopback = Cidr.parse("127.0.0.0/8");
        assertTrue(loopback.contains(ip("127.0.0.1")));
        assertTrue(loopback.contains(ip("127.255.255.255")));
        assertFalse(loopback.contains(ip("128.0.0.1")));
        assertFalse(loopback.contains(ip("::1")), "another family is never in it");
        Cidr odd = Cidr.parse("10.0.0.192/27");
        assertTrue(odd.contains(ip("10.0.0.223")));
        assertFalse(odd.contains(ip("10.0.0.224")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.9")));
        assertTrue(Cidr.parse("192.0.2.7").contains(ip("192.0.2.7")));
        assertFalse(Cidr.parse("192.0.2.7").contains(ip("192.0.2.8")));
    }

    @Test
    void ipv6Networks() throws UnknownHostException {
        assertTrue(Cidr.parse("::1/128").contains(ip("::1")));
        assertFalse(Cidr.parse("::1/128").contains(ip("127.0.0.1")));
        Cidr ula = Cidr.parse("fd00::/8");
        assertTrue(ula.contains(ip("fd12:3456::1")));
        assertFalse(ula.contains(ip("fe80::1")));
        assertTrue(Cidr.parse("2001:db8::/33").contains(ip("2001:db8:7fff::1")));
        assertFalse(Cidr.parse("2001:db8::/33").contains(ip("2001:db8:8000::1")));
        assertTrue(Cidr.parse("::/0").contains(ip("2001:db8::1")));
    }

    @Test
    void canonicalForm() {
        assertEquals("10.0.0.0/8", Cidr.parse(" 10.0.0.0/8 ").toString());
        assertEquals("192.0.2.7/32", Cidr.parse("192.0.2.7").toString());
        assertEquals(Cidr.parse("fd00::/8"), Cidr.parse("FD00:0::/8"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/08", "::/129", "10.0.0.0/8/8",
        "10.0.0.256/32", "10.0.0/24", "010.0.0.0/8", "localhost", "example.com/8", "::ffff:10.0.0.0/104",
        "fe80::1%eth0/64", "1:::2/64", "10.0.0.0 /8"})
    void notANetwork(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(value));
        assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage());
    }

    @Test
    void hostBitsBeyondThePrefixAreAMistakeWithASuggestion() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.1.2.3/8"));
        assertEquals("not a network: '10.1.2.3/8' has bits set beyond /8; did you mean 10.0.0.0/8?", e.getMessage());
    }

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }
}
