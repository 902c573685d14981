package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The launcher's limit and timeout keys: what they set, and that nonsense names the key and the value. */
class LaunchOptionsLimitsTest {

    @Test
    void everyLimitKeyReachesTheListener() {
        ListenerConfig c = LaunchOptions.parse("--listen", "echo@127.0.0.1:0,max-connections=500,overflow=reject,"
                + "reject-message=busy,max-per-source=20,idle-timeout=5m,write-timeout=30s,max-lifetime=1h,"
                + "min-receive-rate=128/30s,receive-buffer=65536,send-buffer=131072,backlog=4096").listeners().getFirst();
        assertEquals(500, c.limits().maxConnections());
        assertEquals(ListenerConfig.Overflow.REJECT, c.limits().overflow());
        assertArrayEquals("busy".getBytes(StandardCharsets.UTF_8), c.limits().rejectBytes());
        assertEquals(20, c.limits().maxConnectionsPerSource());
        assertEquals(Duration.ofMinutes(5), c.timeouts().idleTimeout());
        assertEquals(Duration.ofSeconds(30), c.timeouts().writeTimeout());
        assertEquals(Duration.ofHours(1), c.timeouts().maxLifetime());
        assertEquals(128, c.timeouts().minReceiveRate());
        assertEquals(Duration.ofSeconds(30), c.timeouts().receiveRateWindow());
        assertEquals(65536, c.socket().receiveBufferSize());
        assertEquals(131072, c.socket().sendBufferSize());
        assertEquals(4096, c.socket().backlog());
    }

    @Test
    void zeroTurnsTimeoutsAndLimitsOff() {
        ListenerConfig c = LaunchOptions.parse("--listen", "echo@0,max-connections=0,max-per-source=0,idle-timeout=0,"
                + "write-timeout=0,max-lifetime=0,min-receive-rate=0,overflow=BACKPRESSURE").listeners().getFirst();
        assertEquals(0, c.limits().maxConnections());
        assertEquals(Duration.ZERO, c.timeouts().writeTimeout());
        assertEquals(0, c.timeouts().minReceiveRate());
        assertEquals(ListenerConfig.Overflow.BACKPRESSURE, c.limits().overflow());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            max-connections  | -1
            max-connections  | many
            max-connections  | 99999999999
            max-per-source   | -5
            overflow         | drop
            backlog          | 0
            receive-buffer   | -1
            send-buffer      | 2000000000
            idle-timeout     | -5s
            idle-timeout     | PT-5S
            idle-timeout     | 0.5s
            idle-timeout     | 10
            write-timeout    | 99999999999999999999h
            write-timeout    | 9223372036854775807h
            write-timeout    | PT0.0000001S
            max-lifetime     | 9000h
            max-lifetime     | forever
            min-receive-rate | 100
            min-receive-rate | -1/5s
            min-receive-rate | 100/0
            min-receive-rate | lots/5s
            min-receive-rate | 2000000000/5s
            min-receive-rate | 100/-5s
            """)
    void nonsenseNamesTheKeyAndTheValue(String key, String value) {
        String spec = "echo@127.0.0.1:0," + key + "=" + value;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaunchOptions.parse("--listen", spec));
        String message = e.getMessage();
        assertTrue(message.startsWith("--listen '" + spec + "': " + key), message);
        assertTrue(message.contains(value), () -> "names the value '" + value + "': " + message);
        assertTrue(!message.contains("\n"), () -> "one line: " + message);
    }

    @Test
    void aRejectMessageOverOneKibibyteIsRefused() {
        String spec = "echo@0,reject-message=" + "x".repeat(1025);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaunchOptions.parse("--listen", spec));
        assertTrue(e.getMessage().contains("reject-message=") && e.getMessage().endsWith("1025"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"PT-1S", "-1s", "soon", "99999999999999999999s"})
    void aNonsenseGracePeriodIsRefused(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaunchOptions.parse("--grace", value));
        assertTrue(e.getMessage().startsWith("--grace") && e.getMessage().contains(value), e.getMessage());
    }
}
