package dev.loomport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A listener on the inherited channel: the options of the listening socket are the service manager's and
 * are refused, in either order; the rest apply; and a process without an inherited socket gets an error
 * that says so. (Serving a real inherited socket needs a child process: demo-echo's SocketActivationIT.)
 */
class InheritedChannelConfigTest {

    @Test
    void theListeningSocketsOptionsAreRefusedNamingOptionAndValue() {
        assertRefused("host", "0.0.0.0", b -> b.host("0.0.0.0"));
        assertRefused("host", "127.0.0.1", b -> b.host("127.0.0.1")); // given at all, even the default
        assertRefused("port", "7007", b -> b.port(7007));
        assertRefused("port", "0", b -> b.port(0));
        assertRefused("backlog", "64", b -> b.backlog(64));
        assertRefused("reuseAddress", "false", b -> b.reuseAddress(false));
        assertRefused("reusePort", "true", b -> b.reusePort(true));
        assertRefused("receiveBufferSize", "65536", b -> b.receiveBufferSize(65536));
        assertRefused("backlog", "8", b -> b.socket(SocketOptions.DEFAULTS.withBacklog(8)));
    }

    private static void assertRefused(String option, String value, UnaryOperator<ListenerConfig.Builder> set) {
        for (boolean inheritedFirst : new boolean[] {true, false}) {
            ListenerConfig.Builder b = ListenerConfig.builder("echo");
            b = inheritedFirst ? set.apply(b.inheritedChannel()) : set.apply(b).inheritedChannel();
            ListenerConfig.Builder built = b;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, built::build, option);
            assertTrue(e.getMessage().startsWith(option + " cannot be set on a listener of the inherited channel"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("): " + value), e.getMessage());
        }
    }

    @Test
    void optionsOfAcceptedSocketsAndEveryOtherGroupApply() {
        ListenerConfig c = ListenerConfig.builder("echo").inheritedChannel()
                .tcpNoDelay(false).keepAlive(true).sendBufferSize(8192)
                .maxConnections(5).idleTimeout(Duration.ofSeconds(30))
                .proxyProtocol(ListenerConfig.ProxyProtocol.V2).proxyTrusted("10.0.0.0/8")
                .build();
        assertTrue(c.inheritedChannel());
        assertEquals(SocketOptions.DEFAULTS.withTcpNoDelay(false).withKeepAlive(true).withSendBufferSize(8192),
                c.socket());
        assertEquals(5, c.limits().maxConnections());
        assertEquals("listener echo (echo on the inherited socket)", c.toString());
        assertFalse(ListenerConfig.builder("echo").build().inheritedChannel(), "the default binds");
    }

    @Test
    void withoutAnInheritedSocketStartFailsNamingTheListenerAndBindsNothing() throws Exception {
        assumeTrue(System.inheritedChannel() == null, "this JVM's stdin is a socket");
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int free = probe.getLocalPort();
            probe.close();
            ServerConfig config = ServerConfig.builder().meterRegistry(new SimpleMeterRegistry())
                    .plugin(TestHandlers.echo())
                    .listener(ListenerConfig.builder("echo").port(free).build())
                    .listener(ListenerConfig.builder("echo").name("activated").inheritedChannel().build())
                    .build();
            IOException e = assertThrows(IOException.class, () -> Server.start(config));
            assertTrue(e.getMessage().startsWith("listener activated: no inherited channel: standard input is not"
                    + " a socket (System.inheritedChannel() is null)"), e.getMessage());
            try (ServerSocket again = new ServerSocket(free, 50, InetAddress.getLoopbackAddress())) {
                assertEquals(free, again.getLocalPort()); // the bound listener was released: all or none
            }
        }
    }
}
