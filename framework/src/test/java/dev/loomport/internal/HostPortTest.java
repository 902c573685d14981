package dev.loomport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, 127.0.0.1:7007",
            "::1, [::1]:7007",
            "::, [::]:7007",
            "2001:db8:0:0:1:0:0:1, [2001:db8::1:0:0:1]:7007", // the first of two equal runs
            "2001:db8:0:1:1:1:1:1, [2001:db8:0:1:1:1:1:1]:7007", // one zero group stays
            "fe80:0:0:0:0:0:0:0, [fe80::]:7007",
            "0:0:1:0:0:0:1:0, [0:0:1::1:0]:7007", // the longest run
    })
    void writesAddressesCompressedAndIpv6InBrackets(String literal, String expected) throws Exception {
        assertEquals(expected, HostPort.of(new InetSocketAddress(InetAddress.getByName(literal), 7007)));
    }

    @ParameterizedTest
    @CsvSource({"localhost, localhost:80", "::1, [::1]:80", "10.0.0.1, 10.0.0.1:80"})
    void writesConfiguredHostsAsGiven(String host, String expected) {
        assertEquals(expected, HostPort.of(host, 80));
    }
}
