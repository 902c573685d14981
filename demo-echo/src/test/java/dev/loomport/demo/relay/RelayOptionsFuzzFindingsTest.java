package dev.loomport.demo.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loomport.ListenerConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Inputs that {@link RelayOptionsFuzzTest} found breaking {@link RelayOptions}, kept as plain tests (the
 * same bytes are in its corpus, {@code RelayOptionsFuzzTestInputs/parsesOptions/crash-*}).
 */
class RelayOptionsFuzzFindingsTest {

    /** A '[' inside the brackets made a host whose upstream() text ("a[b:7007") did not parse back. */
    @Test
    void aBracketInsideTheBracketsIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RelayOptions.parse(Map.of("upstream", "[\uFFFD\u00021[\uFFFD\u0002]:7007")));
        assertEquals("relay upstream must be HOST:PORT ([::1]:7007 for IPv6): '[\uFFFD\u00021[\uFFFD\u0002]:7007'",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RelayOptions.parse(Map.of("upstream", "[a[b]:7007")));
        assertEquals("[::1]:7007", RelayOptions.parse(Map.of("upstream", "[::1]:7007")).upstream());
    }

    /**
     * "[ ]:07" gave a blank host, and "[U+001D U+FFFD]:7" a host that strip() cut when upstream() was
     * read back (Java's whitespace includes U+001C..U+001F; the regex's {@code \s} does not):
     * whitespace of either kind is no part of a host name or an address.
     */
    @Test
    void whitespaceInTheHostIsRefused() {
        String[] hosts = {"[ ]:07", "[a b]:7", "a b:7", "a\tb:7", "[\u001d\ufffd]:7", "a\u001fb:7"};
        for (String upstream : hosts) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> RelayOptions.parse(Map.of("upstream", upstream, "connect-timeout", "5ms")));
            assertEquals("relay upstream must be HOST:PORT ([::1]:7007 for IPv6): '" + upstream + "'", e.getMessage());
        }
        assertEquals("10.0.0.1:7", RelayOptions.parse(Map.of("upstream", " 10.0.0.1:7 ")).upstream());
    }

    /**
     * Found by reading the code while writing the target, not by the fuzzer: an ISO duration past
     * Long.MAX_VALUE milliseconds threw ArithmeticException from toMillis(). Now anything over
     * ListenerConfig.MAX_TIMEOUT is refused by name, like every other timeout.
     */
    @Test
    void aConnectTimeoutTooLongForMillisecondsIsRefusedByName() {
        for (String timeout : new String[] {"PT9223372036854775807S", "PT8784H"}) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> RelayOptions.parse(Map.of("upstream", "h:1", "connect-timeout", timeout)));
            assertEquals("relay connect-timeout must be 0 or a duration from 1ms to 365 days"
                    + " (250ms, 30s, 5m, 1h, PT1M): '" + timeout + "'", e.getMessage());
        }
        assertEquals(ListenerConfig.MAX_TIMEOUT,
                RelayOptions.parse(Map.of("upstream", "h:1", "connect-timeout", "PT8760H")).connectTimeout());
    }
}
