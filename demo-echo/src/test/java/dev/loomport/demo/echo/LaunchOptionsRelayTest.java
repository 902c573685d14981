package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The relay is configured from the command line like any listener: unknown keys go to the handler. */
class LaunchOptionsRelayTest {

    @Test
    void aRelayListenerCarriesItsUpstreamToTheHandler() {
        LaunchOptions options = LaunchOptions.parse("--listen", "relay@127.0.0.1:7100,upstream=127.0.0.1:7007,"
                + "connect-timeout=2s,idle-timeout=5m", "--grace", "30s");
        ListenerConfig relay = options.listeners().getFirst();
        assertEquals("relay", relay.handler());
        assertEquals(7100, relay.port());
        assertEquals(Map.of("upstream", "127.0.0.1:7007", "connect-timeout", "2s"), relay.handlerOptions());
        assertEquals(Duration.ofMinutes(5), relay.timeouts().idleTimeout());
        assertEquals(Duration.ofSeconds(30), options.grace());
    }

    @Test
    void theUsageShowsTheRelayAndTheGracePeriod() {
        assertTrue(LaunchOptions.USAGE.contains("--listen relay@127.0.0.1:7100,upstream=127.0.0.1:7007"));
        assertTrue(LaunchOptions.USAGE.contains("default 10s"));
        assertEquals(Duration.ofSeconds(10), LaunchOptions.parse().grace());
    }
}
