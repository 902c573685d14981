package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchOptionsTest {

    /** Found by the launcher's fuzz target: a path the platform refuses is named with the option. */
    @Test
    void aPluginsPathThePlatformRefusesIsNamedWithTheOption() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LaunchOptions.parse("--plugins", "a\u0000b"));
        assertTrue(e.getMessage().startsWith("--plugins 'a\u0000b': not a path: "), e.getMessage());
    }

    @Test
    void withNoArgumentsServesEchoOn7007OnLoopback() {
        LaunchOptions o = LaunchOptions.parse();
        assertEquals(1, o.listeners().size());
        ListenerConfig l = o.listeners().getFirst();
        assertEquals("echo", l.handler());
        assertEquals("127.0.0.1", l.host());
        assertEquals(7007, l.port());
        assertEquals(Duration.ofSeconds(10), o.grace());
    }

    @Test
    void listenersAreRepeatableWithHostsPortsAndOptions() {
        LaunchOptions o = LaunchOptions.parse("--listen", "echo@0.0.0.0:7007", "--listen=relay@[::1]:0,upstream=h:1,"
                + "idle-timeout=5m,max-connections=50,overflow=reject,name=r", "--listen", "echo@:9", "--grace", "2s");
        assertEquals(3, o.listeners().size());
        ListenerConfig a = o.listeners().get(0);
        ListenerConfig b = o.listeners().get(1);
        ListenerConfig c = o.listeners().get(2);
        assertEquals("0.0.0.0", a.host());
        assertEquals(7007, a.port());
        assertEquals("relay", b.handler());
        assertEquals("::1", b.host());
        assertEquals(0, b.port());
        assertEquals("r", b.name());
        assertEquals(Map.of("upstream", "h:1"), b.handlerOptions());
        assertEquals(Duration.ofMinutes(5), b.timeouts().idleTimeout());
        assertEquals(50, b.limits().maxConnections());
        assertEquals(ListenerConfig.Overflow.REJECT, b.limits().overflow());
        assertEquals("127.0.0.1", c.host());
        assertEquals(9, c.port());
        assertEquals(Duration.ofSeconds(2), o.grace());
    }

    @Test
    void pinningIsADurationOrOff() {
        assertEquals(Duration.ofMillis(20), LaunchOptions.parse().pinning(), "on by default in the demo");
        assertEquals(Duration.ofMillis(5), LaunchOptions.parse("--pinning", "5ms").pinning());
        assertEquals(Duration.ZERO, LaunchOptions.parse("--pinning=0").pinning());
        assertEquals(null, LaunchOptions.parse("--pinning", "off").pinning());
        assertError("--pinning is not a duration (such as 250ms, 30s, 5m, PT1H): 'soon'", "--pinning", "soon");
        assertError("--pinning must not be negative: 'PT-1S'", "--pinning", "PT-1S");
    }

    @Test
    void helpIsRecognised() {
        assertTrue(LaunchOptions.parse("--help").help());
        assertTrue(LaunchOptions.parse("-h", "--no-such-option").help(), "what follows --help is not read");
        assertError("--help takes no value: '--help=me'", "--help=me");
    }

    @Test
    void theDefaultsAreTheHelpsAppliedAsIfTyped() {
        LaunchOptions typed = LaunchOptions.parse("--listen", "echo@127.0.0.1:7007", "--grace", "10s",
                "--metrics", "127.0.0.1:9464", "--pinning", "20ms");
        LaunchOptions none = LaunchOptions.parse();
        assertEquals(typed.grace(), none.grace());
        assertEquals(typed.pinning(), none.pinning());
        assertEquals(typed.metrics(), none.metrics());
        assertEquals(java.nio.file.Path.of("plugins"), none.plugins());
        assertTrue(!none.pluginsGiven() && LaunchOptions.parse("--plugins", "plugins").pluginsGiven());
        SameValues.assertSameValues(typed.listeners().getFirst(), none.listeners().getFirst(), "--listen");
        assertTrue(LaunchOptions.USAGE.startsWith("usage: loomport [--listen SPEC] [--grace DURATION]"
                + " [--metrics HOST:PORT|off] [--pinning DURATION|off] [--plugins DIR] [--help] [-h]\n"), LaunchOptions.USAGE);
        for (var row : LaunchOptions.OPTIONS.rows()) {
            String line = LaunchOptions.USAGE.lines().filter(l -> l.startsWith("  " + row.name() + " "))
                    .findFirst().orElseThrow(() -> new AssertionError(row.name() + " has no line in the help"));
            assertTrue(line.contains(row.description().substring(0, Math.min(20, row.description().length()))), line);
        }
    }

    @Test
    void everyMistakeIsOneLineNamingTheValue() {
        assertError("--listen 'echo@127.0.0.1:70000': port out of range 0..65535: 70000",
                "--listen", "echo@127.0.0.1:70000");
        assertError("--listen 'echo': expected HANDLER@[HOST:]PORT or HANDLER@stdin", "--listen", "echo");
        assertError("--listen 'echo@localhost:http': port is not a number: 'http'", "--listen", "echo@localhost:http");
        assertError("--listen 'echo@::1:7': bad address '::1:7' (an IPv6 host goes in brackets: [::1]:7007)",
                "--listen", "echo@::1:7");
        assertError("--listen 'echo@:7,backlog=-1': backlog must be at least 1: -1", "--listen", "echo@:7,backlog=-1");
        assertError("--listen 'echo@:7,idle-timeout=soon': idle-timeout is not a duration (such as 250ms, 30s, 5m,"
                + " PT1H): 'soon'", "--listen", "echo@:7,idle-timeout=soon");
        assertError("--listen 'echo@:7,keep-alive=yes': keep-alive must be true or false: 'yes'",
                "--listen", "echo@:7,keep-alive=yes");
        assertError("--listen 'echo@:7,overflow=drop': overflow must be backpressure or reject: 'drop'",
                "--listen", "echo@:7,overflow=drop");
        assertError("--listen 'echo@:7,oops': expected KEY=VALUE, got 'oops'", "--listen", "echo@:7,oops");
        assertError("--listen 'b@d@:7': handler must be letters, digits, '.', '_' or '-': 'b@d'"
                .replace("b@d@:7", "b d@:7").replace("'b@d'", "'b d'"), "--listen", "b d@:7");
        assertError("--listen needs a value", "--listen");
        assertError("unknown option '--lisen'", "--lisen", "echo@:7");
        assertError("--grace is not a duration (such as 250ms, 30s, 5m, PT1H): '-1s'", "--grace", "-1s");
    }

    @Test
    void stdinIsTheInheritedSocketForOneListenerWithoutTheListeningSocketsKeys() {
        LaunchOptions o = LaunchOptions.parse("--listen", "echo@stdin,idle-timeout=1m,keep-alive=true",
                "--listen", "whoami@127.0.0.1:0");
        ListenerConfig activated = o.listeners().get(0);
        assertTrue(activated.inheritedChannel());
        assertEquals(Duration.ofMinutes(1), activated.timeouts().idleTimeout());
        assertTrue(activated.socket().keepAlive());
        assertTrue(!o.listeners().get(1).inheritedChannel());
        assertError("--listen 'echo@stdin,backlog=64': backlog cannot be set on a listener of the inherited channel:"
                + " the service manager opened that socket and set it (systemd: Backlog=): 64",
                "--listen", "echo@stdin,backlog=64");
        assertError("--listen 'echo@stdin,reuse-port=true': reusePort cannot be set on a listener of the inherited"
                + " channel: the service manager opened that socket and set it (systemd: ReusePort=): true",
                "--listen", "echo@stdin,reuse-port=true");
        assertError("--listen: 2 listeners on stdin; the launcher inherits one socket, so at most one listener can"
                + " serve it", "--listen", "echo@stdin", "--listen", "whoami@stdin");
        assertTrue(LaunchOptions.USAGE.contains("HANDLER@stdin"), LaunchOptions.USAGE);
    }

    private static void assertError(String message, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse(args));
        assertEquals(message, e.getMessage());
    }
}
