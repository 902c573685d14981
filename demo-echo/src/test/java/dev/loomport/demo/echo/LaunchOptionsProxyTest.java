package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig;
import dev.loomport.ListenerConfig.ProxyProtocol;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher's PROXY protocol keys. */
class LaunchOptionsProxyTest {

    @Test
    void proxyKeysSetTheListener() {
        ListenerConfig c = LaunchOptions.listener(
                "echo@127.0.0.1:0,proxy-protocol=v2,proxy-trusted=127.0.0.0/8;::1/128,proxy-header-timeout=250ms");
        assertEquals(ProxyProtocol.V2, c.proxy().protocol());
        assertEquals(List.of("127.0.0.0/8", "0:0:0:0:0:0:0:1/128"), c.proxy().trusted());
        assertEquals(Duration.ofMillis(250), c.proxy().headerTimeout());
        assertEquals(ProxyProtocol.ANY, LaunchOptions.listener("echo@0,proxy-protocol=ANY,proxy-trusted=10.0.0.0/8")
                .proxy().protocol());
        assertEquals(ProxyProtocol.NONE, LaunchOptions.listener("echo@0").proxy().protocol());
    }

    @Test
    void mistakesNameTheSpecAndTheValue() {
        assertMessage("echo@0,proxy-protocol=v3,proxy-trusted=10.0.0.0/8",
                "proxy-protocol must be none, v1, v2 or any: 'v3'");
        assertMessage("echo@0,proxy-protocol=v1", "needs the networks");
        assertMessage("echo@0,proxy-protocol=v1,proxy-trusted=10.0.0.0/8;10.0.0.1/8", "'10.0.0.1/8'");
        assertMessage("echo@0,proxy-protocol=v1,proxy-trusted=10.0.0.0/8;", "''");
        assertMessage("echo@0,proxy-protocol=v1,proxy-trusted=lb.internal", "'lb.internal'");
        assertMessage("echo@0,proxy-header-timeout=0", "proxyHeaderTimeout must be 1ms to 365 days");
    }

    private static void assertMessage(String spec, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LaunchOptions.listener(spec));
        assertTrue(e.getMessage().startsWith("--listen '" + spec + "': "), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
