package dev.loomport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.HandlerContext;
import dev.loomport.spi.HandlerPlugin;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every mistake at start is one clear error, and nothing stays half-started. */
class StartErrorsTest {

    private static ServerConfig.Builder config(HandlerPlugin... plugins) {
        return TestServers.config(plugins);
    }

    @Test
    void portInUseNamesHostAndPortAndLeavesNoListenerBound() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int free = probe.getLocalPort();
            probe.close();
            ServerConfig cfg = config(TestHandlers.echo())
                    .listener(ListenerConfig.builder("echo").port(free).build())
                    .listener(ListenerConfig.builder("echo").port(taken.getLocalPort()).build())
                    .build();
            BindException e = assertThrows(BindException.class, () -> Server.start(cfg));
            assertEquals("127.0.0.1:" + taken.getLocalPort() + " is already in use", e.getMessage());
            try (ServerSocket again = new ServerSocket(free, 50, InetAddress.getLoopbackAddress())) {
                assertEquals(free, again.getLocalPort()); // the first listener was released: all or none
            }
        }
    }

    @Test
    void unknownHandlerListsTheAvailableOnes() {
        ServerConfig cfg = config(TestHandlers.echo(), TestHandlers.handler("discard", c -> { }))
                .listener(ListenerConfig.builder("ech0").build())
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Server.start(cfg));
        assertEquals("no handler named 'ech0'; available: discard, echo", e.getMessage());
    }

    @Test
    void noHandlerAtAllSaysNoneWasFound() {
        // The framework's own tests put no plug-in on the path.
        ServerConfig cfg = config().listener(ListenerConfig.builder("echo").build()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Server.start(cfg));
        assertEquals("no handler named 'echo': no HandlerPlugin was found on the module path"
                + " or the class path", e.getMessage());
    }

    @Test
    void twoHandlersWithOneNameNameBothClasses() {
        ServerConfig cfg = config(new Same1(), new Same2())
                .listener(ListenerConfig.builder("same").build())
                .build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Server.start(cfg));
        assertEquals("two plug-ins are named 'same': " + Same1.class.getName() + " and " + Same2.class.getName(),
                e.getMessage());
    }

    @Test
    void aHandlerWithABadNameIsRefused() {
        ServerConfig cfg = config(TestHandlers.handler("a b", c -> { }))
                .listener(ListenerConfig.builder("echo").build())
                .build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Server.start(cfg));
        assertTrue(e.getMessage().endsWith("has an invalid name (letters, digits, '.', '_' or '-'): 'a b'"),
                e.getMessage());
    }

    @Test
    void optionsAHandlerDoesNotTakeAreRefusedBeforeBinding() {
        ServerConfig cfg = config(TestHandlers.echo())
                .listener(ListenerConfig.builder("echo").handlerOption("upstream", "x:1").build())
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Server.start(cfg));
        assertEquals("listener 'echo': plug-in " + TestHandlers.echo().getClass().getName()
                + " (handler 'echo'): unknown option 'upstream'; it takes no options", e.getMessage());
    }

    @Test
    void unknownHostIsNamed() {
        ServerConfig cfg = config(TestHandlers.echo())
                .listener(ListenerConfig.builder("echo").host("no-such-host.invalid").build())
                .build();
        Exception e = assertThrows(java.net.UnknownHostException.class, () -> Server.start(cfg));
        assertEquals("listener echo: unknown host 'no-such-host.invalid'", e.getMessage());
    }

    @Test
    void configurationValuesAreCheckedAsTheyAreSet() {
        assertMessage("port out of range 0..65535: 70000", () -> ListenerConfig.builder("echo").port(70000));
        assertMessage("port out of range 0..65535: -1", () -> ListenerConfig.builder("echo").port(-1));
        assertMessage("backlog must be at least 1: -5", () -> ListenerConfig.builder("echo").backlog(-5));
        assertMessage("maxConnections must be at least 0: -1",
                () -> ListenerConfig.builder("echo").maxConnections(-1));
        assertMessage("proxyHeaderTimeout must be 1ms to 365 days: PT4800000H",
                () -> ListenerConfig.builder("echo").proxyHeaderTimeout(Duration.ofDays(200_000)));
        assertMessage("idleTimeout must be zero (none) or 1ms to 365 days: PT-1S",
                () -> ListenerConfig.builder("echo").idleTimeout(Duration.ofSeconds(-1)));
        assertMessage("handler must be letters, digits, '.', '_' or '-': 'my handler'",
                () -> ListenerConfig.builder("my handler"));
        assertMessage("host must not be blank: ' '", () -> ListenerConfig.builder("echo").host(" "));
        assertMessage("a server needs at least one listener; none was given", () -> ServerConfig.builder().build());
        assertMessage("grace period must not be negative: PT-1S", () -> {
            try (Server s = Server.start(config(TestHandlers.echo())
                    .listener(ListenerConfig.builder("echo").build()).build())) {
                s.shutdown(Duration.ofSeconds(-1));
            }
            return null;
        });
    }

    @Test
    void twoListenersGivenOneNameAreRefused() {
        ServerConfig cfg = config(TestHandlers.echo())
                .listener(ListenerConfig.builder("echo").name("a").build())
                .listener(ListenerConfig.builder("echo").name("a").build())
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Server.start(cfg));
        assertEquals("two listeners are named 'a'", e.getMessage());
    }

    private interface Action {
        Object run() throws Exception;
    }

    private static void assertMessage(String expected, Action action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertEquals(expected, e.getMessage());
    }

    public static final class Same1 implements HandlerPlugin {
        @Override public String name() { return "same"; }
        @Override public ConnectionHandler create(HandlerContext context) { return c -> { }; }
    }

    public static final class Same2 implements HandlerPlugin {
        @Override public String name() { return "same"; }
        @Override public ConnectionHandler create(HandlerContext context) { return (Connection c) -> { }; }
    }
}
