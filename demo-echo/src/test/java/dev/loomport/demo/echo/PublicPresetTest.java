package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.BoundListener;
import dev.loomport.Limits;
import dev.loomport.ListenerConfig;
import dev.loomport.SocketOptions;
import dev.loomport.Timeouts;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 3: one switch for a public-facing listener ({@code preset=public},
 * {@link ListenerConfig.Builder#publicFacing()}), defaults unchanged without it, and the launcher's one
 * warning for a listener beyond loopback that runs without it.
 */
class PublicPresetTest {

    @Test
    void thePresetAppliesWhatDocsLimitsRecommends() {
        ListenerConfig c = LaunchOptions.parse("--listen", "echo@0.0.0.0:0,preset=public").listeners().getFirst();
        assertTrue(c.publicFacing());
        assertEquals(Limits.PUBLIC_FACING, c.limits());
        assertEquals(Timeouts.PUBLIC_FACING, c.timeouts());
        assertEquals(ListenerConfig.Overflow.REJECT, c.limits().overflow());
        assertEquals(100, c.limits().maxConnectionsPerSource());
        assertEquals(Duration.ofMinutes(5), c.timeouts().idleTimeout());
        assertEquals(Duration.ofSeconds(30), c.timeouts().writeTimeout());
        assertEquals(64, c.timeouts().minReceiveRate());
        assertEquals(Duration.ofHours(24), c.timeouts().maxLifetime());
        assertEquals(4096, c.socket().backlog());
        assertEquals(ListenerConfig.builder("echo").publicFacing().build().limits(), c.limits(), "the API's preset");
    }

    @Test
    void keysGivenWithThePresetChangeItWhereverTheyStand() {
        for (String spec : List.of("echo@0,min-receive-rate=0,preset=public,max-per-source=0",
                "echo@0,preset=public,min-receive-rate=0,max-per-source=0")) {
            ListenerConfig c = LaunchOptions.parse("--listen", spec).listeners().getFirst();
            assertEquals(0, c.timeouts().minReceiveRate(), spec);
            assertEquals(0, c.limits().maxConnectionsPerSource(), spec);
            assertEquals(Duration.ofMinutes(5), c.timeouts().idleTimeout(), spec);
        }
    }

    @Test
    void withoutThePresetTheDefaultsStay() {
        ListenerConfig c = LaunchOptions.parse("--listen", "echo@0").listeners().getFirst();
        assertFalse(c.publicFacing());
        assertEquals(Limits.DEFAULTS, c.limits());
        assertEquals(Timeouts.DEFAULTS, c.timeouts());
        assertEquals(SocketOptions.DEFAULTS, c.socket());
    }

    @Test
    void anUnknownPresetNamesTheKeyAndTheValue() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> LaunchOptions.parse("--listen", "echo@0,preset=open"));
        assertTrue(e.getMessage().contains("preset must be public: 'open'"), e.getMessage());
    }

    @Test
    void theLauncherWarnsOnceForListenersBeyondLoopbackWithoutThePreset() {
        ListenerConfig open = LaunchOptions.parse("--listen", "echo@0.0.0.0:0").listeners().getFirst();
        ListenerConfig preset = LaunchOptions.parse("--listen", "echo@0.0.0.0:0,preset=public").listeners().getFirst();
        ListenerConfig loopback = LaunchOptions.parse("--listen", "echo@127.0.0.1:0").listeners().getFirst();
        BoundListener wildcard = new BoundListener("echo", "echo", new InetSocketAddress("0.0.0.0", 7007));
        BoundListener wildcard2 = new BoundListener("echo-2", "echo", new InetSocketAddress("0.0.0.0", 7008));
        BoundListener local = new BoundListener("echo-3", "echo", new InetSocketAddress("127.0.0.1", 7009));

        Optional<String> warned = PublicFacingCheck.warning(List.of(open, preset, loopback),
                List.of(wildcard, wildcard2, local));
        assertEquals(Optional.of("loomport: warning: echo (0.0.0.0:7007) is bound beyond loopback without"
                + " preset=public: the defaults suit loopback and a balancer in front, not clients straight from"
                + " the internet (see docs/limits.md)"), warned);
        assertEquals(Optional.empty(), PublicFacingCheck.warning(List.of(preset, loopback), List.of(wildcard, local)));
    }
}
