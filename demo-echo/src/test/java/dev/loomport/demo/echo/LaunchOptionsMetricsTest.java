package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** {@code --metrics}: where the launcher serves {@code /metrics}, or {@code off}. */
class LaunchOptionsMetricsTest {

    @Test
    void defaultIsLoopbackPort9464() {
        assertEquals(new InetSocketAddress("127.0.0.1", 9464), LaunchOptions.parse().metrics());
    }

    @Test
    void takesHostAndPortInEitherSpelling() {
        assertEquals(new InetSocketAddress("127.0.0.1", 0), LaunchOptions.parse("--metrics", "127.0.0.1:0").metrics());
        assertEquals(new InetSocketAddress("::1", 9100), LaunchOptions.parse("--metrics=[::1]:9100").metrics());
        assertEquals(new InetSocketAddress("127.0.0.1", 9100), LaunchOptions.parse("--metrics", "9100").metrics());
    }

    @Test
    void offMeansNone() {
        assertNull(LaunchOptions.parse("--metrics", "off").metrics());
        assertNull(LaunchOptions.parse("--metrics=off", "--listen", "echo@127.0.0.1:0").metrics());
    }

    @Test
    void mistakesNameTheOptionAndTheValue() {
        assertMessage("--metrics '127.0.0.1:70000': port out of range 0..65535: 70000", "127.0.0.1:70000");
        assertMessage("--metrics 'on': port is not a number: 'on'", "on");
        assertMessage("--metrics '::1:80': expected HOST:PORT or off (an IPv6 host goes in brackets: [::1]:9464)",
                "::1:80");
        assertEquals("--metrics needs a value",
                assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--metrics")).getMessage());
    }

    @Test
    void usageDescribesIt() {
        assertTrue(LaunchOptions.USAGE.contains("--metrics HOST:PORT|off"), LaunchOptions.USAGE);
    }

    private static void assertMessage(String expected, String value) {
        var e = assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse("--metrics", value));
        assertEquals(expected, e.getMessage());
    }
}
