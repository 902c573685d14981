package dev.loomport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every limit and timeout refuses nonsense at once, naming the option and the value. */
class ListenerConfigLimitsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ListenerConfig c = ListenerConfig.builder("echo").build();
        assertEquals(10_000, c.limits().maxConnections());
        assertEquals(ListenerConfig.Overflow.BACKPRESSURE, c.limits().overflow());
        assertEquals(0, c.limits().rejectBytes().length);
        assertEquals(0, c.limits().maxConnectionsPerSource());
        assertEquals(Duration.ZERO, c.timeouts().idleTimeout());
        assertEquals(Duration.ofSeconds(60), c.timeouts().writeTimeout());
        assertEquals(Duration.ZERO, c.timeouts().maxLifetime());
        assertEquals(0, c.timeouts().minReceiveRate());
        assertEquals(Duration.ZERO, c.timeouts().receiveRateWindow());
        assertEquals(1024, c.socket().backlog());
    }

    @Test
    void zeroMeansNoneWhereItHasAMeaning() {
        ListenerConfig c = ListenerConfig.builder("echo")
                .maxConnections(0).maxConnectionsPerSource(0)
                .idleTimeout(Duration.ZERO).writeTimeout(Duration.ZERO).maxLifetime(Duration.ZERO)
                .minReceiveRate(0, Duration.ofSeconds(5)) // the window of no minimum is no window
                .receiveBufferSize(0).sendBufferSize(0)
                .build();
        assertEquals(0, c.limits().maxConnections());
        assertEquals(Duration.ZERO, c.timeouts().writeTimeout());
        assertEquals(0, c.timeouts().minReceiveRate());
        assertEquals(Duration.ZERO, c.timeouts().receiveRateWindow());
    }

    @Test
    void theLargestSensibleValuesAreAccepted() {
        ListenerConfig c = ListenerConfig.builder("echo")
                .idleTimeout(Duration.ofDays(365)).writeTimeout(Duration.ofMillis(1)).maxLifetime(Duration.ofDays(365))
                .minReceiveRate(ListenerConfig.MAX_RECEIVE_RATE, Duration.ofDays(365))
                .receiveBufferSize(ListenerConfig.MAX_BUFFER_SIZE)
                .rejectMessage("x".repeat(ListenerConfig.MAX_REJECT_MESSAGE))
                .maxConnections(Integer.MAX_VALUE)
                .build();
        assertEquals(Duration.ofDays(365), c.timeouts().maxLifetime());
        assertEquals(ListenerConfig.MAX_REJECT_MESSAGE, c.limits().rejectBytes().length);
    }

    static Stream<Arguments> nonsense() {
        Duration tooLong = Duration.ofDays(366);
        Duration overflowsNanos = Duration.ofSeconds(Long.MAX_VALUE);
        String tooLongMessage = "é".repeat(513); // 1,026 bytes in UTF-8, though only 513 characters
        return Stream.of(
                bad("maxConnections: -1", b -> b.maxConnections(-1), "maxConnections", "-1"),
                bad("maxConnectionsPerSource: -3", b -> b.maxConnectionsPerSource(-3), "maxConnectionsPerSource", "-3"),
                bad("backlog: 0", b -> b.backlog(0), "backlog", "0"),
                bad("backlog: negative", b -> b.backlog(-1), "backlog", "-1"),
                bad("receiveBufferSize: negative", b -> b.receiveBufferSize(-1), "receiveBufferSize", "-1"),
                bad("receiveBufferSize: 2 GiB - 1", b -> b.receiveBufferSize(Integer.MAX_VALUE),
                        "receiveBufferSize", "2147483647"),
                bad("sendBufferSize: 1 GiB + 1", b -> b.sendBufferSize(ListenerConfig.MAX_BUFFER_SIZE + 1),
                        "sendBufferSize", "1073741825"),
                bad("idleTimeout: negative", b -> b.idleTimeout(Duration.ofSeconds(-5)), "idleTimeout", "PT-5S"),
                bad("idleTimeout: a nanosecond", b -> b.idleTimeout(Duration.ofNanos(1)), "idleTimeout", "PT0.000000001S"),
                bad("idleTimeout: over a year", b -> b.idleTimeout(tooLong), "idleTimeout", "PT8784H"),
                bad("writeTimeout: negative", b -> b.writeTimeout(Duration.ofMillis(-1)), "writeTimeout", "PT-0.001S"),
                bad("writeTimeout: beyond nanoseconds", b -> b.writeTimeout(overflowsNanos), "writeTimeout",
                        overflowsNanos.toString()),
                bad("maxLifetime: negative", b -> b.maxLifetime(Duration.ofHours(-1)), "maxLifetime", "PT-1H"),
                bad("maxLifetime: over a year", b -> b.maxLifetime(tooLong), "maxLifetime", "PT8784H"),
                bad("minReceiveRate: negative", b -> b.minReceiveRate(-1, Duration.ofSeconds(5)), "minReceiveRate", "-1"),
                bad("minReceiveRate: absurd", b -> b.minReceiveRate(Integer.MAX_VALUE, Duration.ofSeconds(5)),
                        "minReceiveRate", "2147483647"),
                bad("minReceiveRate: no window", b -> b.minReceiveRate(100, Duration.ZERO), "minReceiveRate", "PT0S"),
                bad("minReceiveRate: negative window", b -> b.minReceiveRate(100, Duration.ofSeconds(-1)),
                        "receiveRateWindow", "PT-1S"),
                bad("minReceiveRate: window over a year", b -> b.minReceiveRate(100, tooLong),
                        "receiveRateWindow", "PT8784H"),
                bad("rejectMessage: over 1 KiB in UTF-8", b -> b.rejectMessage(tooLongMessage), "rejectMessage", "1026"),
                bad("port: out of range", b -> b.port(65536), "port", "65536"));
    }

    private static Arguments bad(String name, Consumer<ListenerConfig.Builder> set, String option, String value) {
        return Arguments.argumentSet(name, set, option, value);
    }

    @ParameterizedTest
    @MethodSource("nonsense")
    void nonsenseIsRefusedNamingTheOptionAndTheValue(Consumer<ListenerConfig.Builder> set, String option, String value) {
        ListenerConfig.Builder builder = ListenerConfig.builder("echo");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> set.accept(builder));
        assertTrue(e.getMessage().contains(option), () -> "names " + option + ": " + e.getMessage());
        assertTrue(e.getMessage().endsWith(value), () -> "ends with the value " + value + ": " + e.getMessage());
    }

    @Test
    void aRefusedValueLeavesTheBuilderAsItWas() {
        ListenerConfig.Builder builder = ListenerConfig.builder("echo").maxConnections(5).minReceiveRate(10,
                Duration.ofSeconds(3));
        assertThrows(IllegalArgumentException.class, () -> builder.maxConnections(-1));
        assertThrows(IllegalArgumentException.class, () -> builder.minReceiveRate(10, Duration.ZERO));
        ListenerConfig c = builder.build();
        assertEquals(5, c.limits().maxConnections());
        assertEquals(10, c.timeouts().minReceiveRate());
        assertEquals(Duration.ofSeconds(3), c.timeouts().receiveRateWindow());
    }

    @Test
    void missingDurationsAreNamed() {
        ListenerConfig.Builder builder = ListenerConfig.builder("echo");
        assertEquals("idleTimeout", assertThrows(NullPointerException.class, () -> builder.idleTimeout(null)).getMessage());
        assertEquals("writeTimeout", assertThrows(NullPointerException.class, () -> builder.writeTimeout(null)).getMessage());
        assertEquals("maxLifetime", assertThrows(NullPointerException.class, () -> builder.maxLifetime(null)).getMessage());
        assertEquals("receiveRateWindow",
                assertThrows(NullPointerException.class, () -> builder.minReceiveRate(1, null)).getMessage());
    }

    @Test
    void theRejectMessageIsCopiedAsUtf8() {
        byte[] expected = "busy, try later\n".getBytes(StandardCharsets.UTF_8);
        ListenerConfig c = ListenerConfig.builder("echo").rejectMessage("busy, try later\n").build();
        assertArrayEquals(expected, c.limits().rejectBytes());
        c.limits().rejectBytes()[0] = 'X';
        assertArrayEquals(expected, c.limits().rejectBytes(), "the config is immutable");
    }
}
