package dev.loomport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig.Overflow;
import dev.loomport.ListenerConfig.ProxyProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The option groups: their defaults are the builder's, a group set whole equals the same options set one
 * by one, and each group checks itself.
 */
class ListenerConfigGroupsTest {

    @Test
    void aDefaultBuilderHoldsEveryGroupsDefaults() {
        ListenerConfig c = ListenerConfig.builder("echo").build();
        assertEquals(SocketOptions.DEFAULTS, c.socket());
        assertEquals(Limits.DEFAULTS, c.limits());
        assertEquals(Timeouts.DEFAULTS, c.timeouts());
        assertEquals(ProxyConfig.DEFAULTS, c.proxy());
    }

    @Test
    void aGroupSetWholeEqualsItsOptionsSetOneByOne() {
        ListenerConfig whole = ListenerConfig.builder("echo")
                .socket(SocketOptions.DEFAULTS.withBacklog(64).withKeepAlive(true).withSendBufferSize(4096))
                .limits(Limits.DEFAULTS.withMaxConnections(5).withOverflow(Overflow.REJECT).withRejectMessage("busy"))
                .timeouts(Timeouts.DEFAULTS.withIdleTimeout(Duration.ofMinutes(1))
                        .withMinReceiveRate(10, Duration.ofSeconds(3)))
                .proxy(ProxyConfig.of(ProxyProtocol.V1, "10.0.0.0/8").withHeaderTimeout(Duration.ofSeconds(2)))
                .build();
        ListenerConfig flat = ListenerConfig.builder("echo")
                .backlog(64).keepAlive(true).sendBufferSize(4096)
                .maxConnections(5).overflow(Overflow.REJECT).rejectMessage("busy")
                .idleTimeout(Duration.ofMinutes(1)).minReceiveRate(10, Duration.ofSeconds(3))
                .proxyProtocol(ProxyProtocol.V1).proxyTrusted("10.0.0.0/8").proxyHeaderTimeout(Duration.ofSeconds(2))
                .build();
        assertEquals(flat.socket(), whole.socket());
        assertEquals(flat.limits(), whole.limits());
        assertEquals(flat.timeouts(), whole.timeouts());
        assertEquals(flat.proxy(), whole.proxy());
        assertArrayEquals("busy".getBytes(StandardCharsets.UTF_8), whole.limits().rejectBytes());
    }

    @Test
    void aFlatSetterAfterAGroupChangesOnlyItsOption() {
        ListenerConfig c = ListenerConfig.builder("echo")
                .limits(Limits.DEFAULTS.withMaxConnections(5).withMaxConnectionsPerSource(2))
                .maxConnections(7)
                .build();
        assertEquals(Limits.DEFAULTS.withMaxConnections(7).withMaxConnectionsPerSource(2), c.limits());
    }

    @Test
    void eachGroupChecksItselfNamingTheOptionAndTheValue() {
        assertMessage("backlog must be at least 1: 0", () -> SocketOptions.DEFAULTS.withBacklog(0));
        assertMessage("maxConnectionsPerSource must be at least 0: -1",
                () -> new Limits(1, Overflow.REJECT, "", -1));
        assertMessage("idleTimeout must be zero (none) or 1ms to 365 days: PT-1S",
                () -> Timeouts.DEFAULTS.withIdleTimeout(Duration.ofSeconds(-1)));
        assertMessage("proxyHeaderTimeout must be 1ms to 365 days: PT0S",
                () -> ProxyConfig.DEFAULTS.withHeaderTimeout(Duration.ZERO));
        assertEquals("overflow", assertThrows(NullPointerException.class,
                () -> Limits.DEFAULTS.withOverflow(null)).getMessage());
    }

    @Test
    void aProxyHeaderNeedsTrustedNetworksHoweverItIsGiven() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ProxyConfig(ProxyProtocol.ANY, List.of(), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("proxyTrusted"), e.getMessage());
        // the flat setters may come in any order: the pair is checked when the listener is built
        ListenerConfig c = ListenerConfig.builder("echo").proxyProtocol(ProxyProtocol.ANY).proxyTrusted("::1").build();
        assertEquals(List.of("0:0:0:0:0:0:0:1/128"), c.proxy().trusted());
    }

    @Test
    void noMinimumRateMeansNoWindow() {
        assertEquals(Duration.ZERO, Timeouts.DEFAULTS.withMinReceiveRate(0, Duration.ofSeconds(5)).receiveRateWindow());
    }

    private static void assertMessage(String expected, Executable make) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, make).getMessage());
    }
}
