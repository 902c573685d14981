package dev.loomport.demo.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig;
import dev.loomport.Server;
import dev.loomport.ServerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RelayOptionsTest {

    @Test
    void upstreamIsHostAndPortWithIpv6InBrackets() {
        RelayOptions v4 = RelayOptions.parse(Map.of("upstream", "127.0.0.1:7007"));
        assertEquals(new RelayOptions("127.0.0.1", 7007, RelayOptions.DEFAULT_CONNECT_TIMEOUT), v4);
        RelayOptions v6 = RelayOptions.parse(Map.of("upstream", "[::1]:7007", "connect-timeout", "250ms"));
        assertEquals(new RelayOptions("::1", 7007, Duration.ofMillis(250)), v6);
        assertEquals("[::1]:7007", v6.upstream());
        assertEquals(Duration.ZERO,
                RelayOptions.parse(Map.of("upstream", "h:1", "connect-timeout", "0")).connectTimeout());
        assertEquals(Duration.ofMinutes(1),
                RelayOptions.parse(Map.of("upstream", "h:1", "connect-timeout", "PT1M")).connectTimeout());
    }

    @Test
    void connectTimeoutTakesEveryFormTheLauncherTakesHoursToo() {
        // It once had a parser of its own, which knew no 'h' while the launcher's idle-timeout=1h worked.
        assertEquals(Duration.ofHours(1),
                RelayOptions.parse(Map.of("upstream", "h:1", "connect-timeout", "1h")).connectTimeout());
        assertEquals(Duration.ofMillis(1),
                RelayOptions.parse(Map.of("upstream", "h:1", "connect-timeout", "1ms")).connectTimeout());
        assertEquals(Duration.ofDays(365),
                RelayOptions.parse(Map.of("upstream", "h:1", "connect-timeout", "8760h")).connectTimeout());
    }

    @Test
    void aMissingUpstreamSaysWhatIsNeeded() {
        var e = assertThrows(IllegalArgumentException.class, () -> RelayOptions.parse(Map.of()));
        assertEquals("relay needs the option upstream=HOST:PORT", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:", ":7007", "host:port", "::1:7007", "[::1]", "a:b:7"})
    void aBadUpstreamIsNamedInOneLine(String upstream) {
        var e = assertThrows(IllegalArgumentException.class, () -> RelayOptions.parse(Map.of("upstream", upstream)));
        assertTrue(e.getMessage().endsWith("'" + upstream + "'"), e.getMessage());
        assertTrue(e.getMessage().startsWith("relay upstream must be HOST:PORT"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:0", "localhost:65536", "localhost:99999"})
    void anUpstreamPortOutOfRangeIsNamed(String upstream) {
        var e = assertThrows(IllegalArgumentException.class, () -> RelayOptions.parse(Map.of("upstream", upstream)));
        assertEquals("relay upstream port out of range 1..65535: '" + upstream + "'", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "-1s", "10", "PT0.0001S", "", "PT-1H", "8761h", "99999999999999999999h"})
    void aBadConnectTimeoutIsNamed(String timeout) {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RelayOptions.parse(Map.of("upstream", "h:1", "connect-timeout", timeout)));
        assertTrue(e.getMessage().startsWith("relay connect-timeout must be"), e.getMessage());
        assertTrue(e.getMessage().endsWith("'" + timeout + "'"), e.getMessage());
    }

    @Test
    void anUnknownOptionIsNamedWithItsValue() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RelayOptions.parse(Map.of("upstream", "h:1", "upsteam", "h:2")));
        assertTrue(e.getMessage().startsWith("unknown relay option upsteam='h:2'"), e.getMessage());
    }

    @Test
    void aServerWithABadRelayDoesNotStartAndSaysWhichListenerAndValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> Server.start(ServerConfig.builder()
                .listener(ListenerConfig.builder("relay").handlerOption("upstream", "nowhere").build())
                .meterRegistry(new SimpleMeterRegistry())
                .build()));
        assertTrue(e.getMessage().contains("relay upstream must be HOST:PORT"), e.getMessage());
        assertTrue(e.getMessage().endsWith("'nowhere'"), e.getMessage());
    }

    @Test
    void aListenerWithoutUpstreamIsRefusedBeforeAnythingBinds() {
        var e = assertThrows(IllegalArgumentException.class, () -> Server.start(ServerConfig.builder()
                .listener(ListenerConfig.builder("relay").build())
                .meterRegistry(new SimpleMeterRegistry())
                .build()));
        assertTrue(e.getMessage().endsWith("(handler 'relay'): missing option upstream=HOST:PORT (where to, an IPv6"
                + " host in brackets)"), e.getMessage());
    }
}
