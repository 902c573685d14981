package dev.loomport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.HandlerContext;
import dev.loomport.spi.HandlerOption;
import dev.loomport.spi.HandlerPlugin;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * The plug-in's side of a server's life: options checked before {@code create}, one handler per
 * listener, errors that name the plug-in, the listener and the cause, and {@code close} exactly once on
 * every way a server stops, after the last connection.
 */
class PluginLifecycleTest {

    /** A handler that counts its connections and its closes, and may block until released. */
    static final class Counting implements ConnectionHandler {
        final AtomicInteger active = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicInteger activeWhenClosed = new AtomicInteger(-1);
        final CountDownLatch entered = new CountDownLatch(1);
        volatile boolean blockForever;

        @Override
        public void handle(Connection connection) throws Exception {
            active.incrementAndGet();
            try {
                entered.countDown();
                if (blockForever) {
                    connection.input().read(); // gives way when the server closes the socket
                }
            } finally {
                active.decrementAndGet();
            }
        }

        @Override
        public void close() {
            activeWhenClosed.set(active.get());
            closed.incrementAndGet();
        }
    }

    /** A plug-in that records every handler it creates and the contexts it was given. */
    static final class Recording implements HandlerPlugin {
        final List<Counting> created = new CopyOnWriteArrayList<>();
        final List<HandlerContext> contexts = new CopyOnWriteArrayList<>();
        final String name;
        final List<HandlerOption> options;
        final Function<HandlerContext, RuntimeException> failure;
        volatile boolean block;

        Recording(String name, List<HandlerOption> options, Function<HandlerContext, RuntimeException> failure) {
            this.name = name;
            this.options = options;
            this.failure = failure;
        }

        Recording(String name) {
            this(name, List.of(), context -> null);
        }

        @Override public String name() { return name; }
        @Override public List<HandlerOption> options() { return options; }

        @Override
        public ConnectionHandler create(HandlerContext context) {
            contexts.add(context);
            RuntimeException e = failure.apply(context);
            if (e != null) {
                throw e;
            }
            Counting handler = new Counting();
            handler.blockForever = block;
            created.add(handler);
            return handler;
        }
    }

    private static ServerConfig.Builder config(HandlerPlugin... plugins) {
        return TestServers.config(plugins);
    }

    @Test
    void eachListenerGetsItsOwnHandlerAndAGracefulStopClosesEachOnceAfterItsLastConnection() throws Exception {
        Recording plugin = new Recording("rec");
        Server server = Server.start(config(plugin)
                .listener(ListenerConfig.builder("rec").name("one").build())
                .listener(ListenerConfig.builder("rec").name("two").build())
                .build());
        assertEquals(2, plugin.created.size());
        assertEquals(List.of("one", "two"), plugin.contexts.stream().map(HandlerContext::listenerName).toList());
        try (Socket client = TestClients.connect(server.listeners().getFirst().address())) {
            client.getOutputStream().write(1);
            assertTrue(plugin.created.getFirst().entered.await(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        server.shutdown(Duration.ofSeconds(30));
        for (Counting handler : plugin.created) {
            assertEquals(1, handler.closed.get());
            assertEquals(0, handler.activeWhenClosed.get(), "closed while a connection was still being served");
        }
        server.close(); // a second stop closes nothing twice
        plugin.created.forEach(h -> assertEquals(1, h.closed.get()));
    }

    @Test
    void anAbortClosesTheHandlerOnceAfterTheBlockedConnectionHasEnded() throws Exception {
        Recording plugin = new Recording("rec");
        plugin.block = true;
        Server server = Server.start(config(plugin).listener(ListenerConfig.builder("rec").build()).build());
        try (Socket client = TestClients.connect(server)) {
            client.getOutputStream().write(1);
            Counting handler = plugin.created.getFirst();
            assertTrue(handler.entered.await(30, java.util.concurrent.TimeUnit.SECONDS));
            server.close();
            assertEquals(1, handler.closed.get());
            assertEquals(0, handler.activeWhenClosed.get());
        }
    }

    @Test
    void aStartThatFailsInALaterPluginClosesTheHandlersAlreadyCreated() {
        Recording good = new Recording("good");
        Recording bad = new Recording("bad", List.of(), context -> new NullPointerException("a bug in create"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Server.start(config(good, bad)
                .listener(ListenerConfig.builder("good").build())
                .listener(ListenerConfig.builder("bad").name("broken").build())
                .build()));
        assertEquals("listener 'broken': plug-in " + Recording.class.getName() + " (handler 'bad') failed to create"
                + " its handler: java.lang.NullPointerException: a bug in create", e.getMessage());
        assertInstanceOf(NullPointerException.class, e.getCause());
        assertEquals(1, good.created.getFirst().closed.get());
    }

    @Test
    void aStartThatFailsToBindClosesEveryHandlerItCreated() throws Exception {
        Recording plugin = new Recording("rec");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThrows(java.net.BindException.class, () -> Server.start(config(plugin)
                    .listener(ListenerConfig.builder("rec").name("free").build())
                    .listener(ListenerConfig.builder("rec").name("taken").port(taken.getLocalPort()).build())
                    .build()));
        }
        assertEquals(2, plugin.created.size());
        plugin.created.forEach(h -> assertEquals(1, h.closed.get()));
    }

    @Test
    void aHandlerWhoseCloseThrowsIsLoggedAndTheStopGoesOn() throws Exception {
        HandlerPlugin plugin = HandlerPlugin.of("sticky", () -> new ConnectionHandler() {
            @Override public void handle(Connection connection) { }
            @Override public void close() throws Exception {
                throw new java.io.IOException("pool would not close");
            }
        });
        try (LogCapture log = LogCapture.loomport()) {
            Server server = Server.start(config(plugin).listener(ListenerConfig.builder("sticky").build()).build());
            server.close();
            assertTrue(server.isTerminated());
            assertFalse(log.messages(Level.WARNING, "pool would not close").isEmpty());
        }
    }

    @Test
    void optionsAreCheckedAgainstWhatThePluginDeclaresBeforeCreate() {
        List<HandlerOption> declared = List.of(
                HandlerOption.required("upstream", "HOST:PORT", "where to send"),
                HandlerOption.optional("retries", "N", "3", "how often to try"));
        Recording plugin = new Recording("up", declared, context -> null);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Server.start(
                config(plugin).listener(ListenerConfig.builder("up").handlerOption("upstream", "h:1")
                        .handlerOption("colour", "red").build()).build()));
        assertEquals("listener 'up': plug-in " + Recording.class.getName() + " (handler 'up'): unknown option"
                + " 'colour'; it takes: upstream, retries", unknown.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> Server.start(
                config(plugin).listener(ListenerConfig.builder("up").handlerOption("retries", "2").build()).build()));
        assertEquals("listener 'up': plug-in " + Recording.class.getName() + " (handler 'up'): missing option"
                + " upstream=HOST:PORT (where to send)", missing.getMessage());
        assertTrue(plugin.contexts.isEmpty(), "create ran with bad options");
    }

    @Test
    void aPluginThatRefusesAnOptionValueIsNamedWithTheListener() {
        Recording plugin = new Recording("up", List.of(HandlerOption.optional("retries", "N", "3", "tries")),
                context -> new IllegalArgumentException("retries must be a number: '" + context.options().get("retries")
                        + "'"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Server.start(
                config(plugin).listener(ListenerConfig.builder("up").name("edge")
                        .handlerOption("retries", "many").build()).build()));
        assertEquals("listener 'edge': plug-in " + Recording.class.getName() + " (handler 'up'): retries must be a"
                + " number: 'many'", e.getMessage());
    }

    @Test
    void theContextHoldsTheGivenOptionsUnmodifiable() throws Exception {
        Recording plugin = new Recording("up", List.of(HandlerOption.optional("retries", "N", "3", "tries")),
                context -> null);
        try (Server server = Server.start(config(plugin).listener(ListenerConfig.builder("up")
                .handlerOption("retries", "5").build()).build())) {
            HandlerContext context = plugin.contexts.getFirst();
            assertEquals(Map.of("retries", "5"), context.options());
            assertEquals("5", context.option("retries").orElseThrow());
            assertThrows(UnsupportedOperationException.class, () -> context.options().put("x", "y"));
        }
    }

    @Test
    void aPluginThatReturnsNoHandlerStopsTheStart() {
        HandlerPlugin plugin = HandlerPlugin.of("none", () -> null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Server.start(
                config(plugin).listener(ListenerConfig.builder("none").build()).build()));
        assertTrue(e.getMessage().endsWith("(handler 'none') returned no handler from create()"), e.getMessage());
    }

    @Test
    void aHandlerOptionChecksItsKeyAndThatARequiredOneHasNoDefault() {
        HandlerOption option = HandlerOption.optional("a", "X", "", "");
        assertEquals("a", option.key());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HandlerOption.required("bad key", "X", "d"));
        assertEquals("option key must be letters, digits, '.', '_' or '-': 'bad key'", e.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> new HandlerOption("k", "X", "1", true, "d"));
        assertEquals("required option 'k' cannot have a default: 1", both.getMessage());
    }
}
