package dev.loomport.demo.echo;

import dev.loomport.ListenerConfig;
import dev.loomport.SocketOptions;
import dev.loomport.demo.cli.Durations;
import dev.loomport.demo.cli.Option;
import dev.loomport.demo.cli.OptionTable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The keys loomport itself reads in a {@code --listen} spec ({@code idle-timeout=5m}): one table that
 * both applies them to a {@link ListenerConfig.Builder} and writes their help. The defaults shown are
 * {@link ListenerConfig}'s own (a test checks that giving each one changes nothing); the launcher does
 * not set them.
 */
final class ListenerKeys {
    private ListenerKeys() {
    }

    /** The key of the one switch for a public-facing listener; the launcher applies it before the others. */
    static final String PRESET = "preset";

    static final OptionTable<ListenerConfig.Builder> TABLE = new OptionTable<>("=",
            Option.of(PRESET, "public", null, "public: the limits and timeouts docs/limits.md recommends for a"
                    + " listener facing the internet (reject beyond 10000 connections with 'busy', 100 per"
                    + " address, idle 5m, write 30s, min-receive-rate 64/30s, lifetime 24h, backlog 4096);"
                    + " other keys change it, wherever they stand",
                    (b, k, v) -> preset(b, k, v)),
            Option.of("name", "NAME", null, "the listener's name in thread names, logs and metric tags"
                    + " (default: the handler's name; a second listener of that name gets -2 appended)",
                    (b, k, v) -> b.name(v)),
            Option.of("backlog", "N", "1024", "accept queue length; the kernel caps it (net.core.somaxconn)",
                    (b, k, v) -> b.backlog(integer(k, v))),
            Option.of("reuse-address", "true|false", "true", "SO_REUSEADDR on the listening socket",
                    (b, k, v) -> b.reuseAddress(bool(k, v))),
            Option.of("reuse-port", "true|false", "false", "SO_REUSEPORT: several processes share the port",
                    (b, k, v) -> b.reusePort(bool(k, v))),
            Option.of("tcp-no-delay", "true|false", "true", "TCP_NODELAY on accepted sockets",
                    (b, k, v) -> b.tcpNoDelay(bool(k, v))),
            Option.of("keep-alive", "true|false", "false", "SO_KEEPALIVE on accepted sockets",
                    (b, k, v) -> b.keepAlive(bool(k, v))),
            Option.of("receive-buffer", "BYTES", "131072", "SO_RCVBUF of accepted sockets; 0 = the OS's default"
                    + " and its auto-tuning",
                    (b, k, v) -> b.receiveBufferSize(integer(k, v))),
            Option.of("send-buffer", "BYTES", "131072", "SO_SNDBUF of accepted sockets; 0 = the OS's default"
                    + " and its auto-tuning",
                    (b, k, v) -> b.sendBufferSize(integer(k, v))),
            Option.of("io", "default|jdk|loop", "default", "how accepted bytes reach the handler: the JDK's socket"
                    + " path, or loomport's own readiness loops; default: loop on JDK 21, jdk on later JDKs"
                    + " (-Ddev.loomport.io=jdk|loop changes the default); a TLS listener always takes jdk"
                    + " (docs/performance.md)",
                    (b, k, v) -> b.ioPath(ioPath(v))),
            Option.of("max-connections", "N", "10000", "open connections at once; 0 = no limit",
                    (b, k, v) -> b.maxConnections(integer(k, v))),
            Option.of("overflow", "backpressure|reject", "backpressure", "beyond max-connections: stop"
                    + " accepting until a connection ends, or accept and close at once",
                    (b, k, v) -> b.overflow(overflow(v))),
            Option.of("reject-message", "TEXT", null, "written to a connection a limit rejects, before it is"
                    + " closed (at most 1 KiB; never on a TLS listener)",
                    (b, k, v) -> b.rejectMessage(v)),
            Option.of("max-per-source", "N", "0", "open connections from one remote address; 0 = no limit",
                    (b, k, v) -> b.maxConnectionsPerSource(integer(k, v))),
            Option.of("idle-timeout", "DURATION", "0", "close a connection that has neither read nor written"
                    + " a byte for this long; 0 = never",
                    (b, k, v) -> b.idleTimeout(Durations.parse(k, v))),
            Option.of("write-timeout", "DURATION", "60s", "close a connection whose write has made no"
                    + " progress for this long (a client that stopped reading); 0 = never",
                    (b, k, v) -> b.writeTimeout(Durations.parse(k, v))),
            Option.of("max-lifetime", "DURATION", "0", "close a connection this long after it was accepted;"
                    + " 0 = never",
                    (b, k, v) -> b.maxLifetime(Durations.parse(k, v))),
            Option.of("min-receive-rate", "BYTES_PER_SECOND/WINDOW", "0", "close a client that sends slower"
                    + " than this on average while the handler waits to read (slowloris), such as 128/30s;"
                    + " 0 = no minimum",
                    ListenerKeys::minReceiveRate),
            Option.of("proxy-protocol", "none|v1|v2|any", "none", "expect a PROXY protocol header (from a"
                    + " load balancer) before every connection's first byte",
                    (b, k, v) -> b.proxyProtocol(proxyProtocol(v))),
            // ';' between networks: ',' already separates the keys of a spec.
            Option.of("proxy-trusted", "CIDR;CIDR...", null, "the balancers' networks, allowed to send that"
                    + " header, such as 10.0.0.0/8;fd00::/8; required with proxy-protocol",
                    (b, k, v) -> b.proxyTrusted(List.of(v.split(";", -1)))),
            Option.of("proxy-header-timeout", "DURATION", "5s", "how long the whole PROXY header may take to"
                    + " arrive; never 0",
                    (b, k, v) -> b.proxyHeaderTimeout(Durations.parse(k, v))));

    /**
     * Applies {@code key=value} if loomport knows the key, and says whether it did. Errors name the key as
     * the user typed it, whether parsing or the builder found the fault.
     */
    static boolean apply(ListenerConfig.Builder b, String key, String value) {
        var row = TABLE.find(key);
        if (row.isEmpty()) {
            return false;
        }
        try {
            row.get().apply().apply(b, key, value);
        } catch (IllegalArgumentException e) {
            String why = String.valueOf(e.getMessage());
            throw why.startsWith(key) ? e : new IllegalArgumentException(key + "=" + value + ": " + why, e);
        }
        return true;
    }

    private static void preset(ListenerConfig.Builder b, String key, String value) {
        if (!value.equals("public")) {
            throw new IllegalArgumentException(key + " must be public: '" + value + "'");
        }
        b.publicFacing();
    }

    /** {@code BYTES_PER_SECOND/WINDOW}, or {@code 0} for none. */
    private static void minReceiveRate(ListenerConfig.Builder b, String key, String value) {
        if (value.equals("0")) {
            b.minReceiveRate(0, Duration.ZERO);
            return;
        }
        int slash = value.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException(key + " must be BYTES_PER_SECOND/WINDOW, such as 128/30s, or 0: '"
                    + value + "'");
        }
        b.minReceiveRate(integer(key, value.substring(0, slash)), Durations.parse(key, value.substring(slash + 1)));
    }

    private static SocketOptions.IoPath ioPath(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "default" -> SocketOptions.IoPath.DEFAULT;
            case "jdk" -> SocketOptions.IoPath.JDK;
            case "loop" -> SocketOptions.IoPath.LOOP;
            default -> throw new IllegalArgumentException("io must be default, jdk or loop: '" + value + "'");
        };
    }

    private static ListenerConfig.Overflow overflow(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "backpressure" -> ListenerConfig.Overflow.BACKPRESSURE;
            case "reject" -> ListenerConfig.Overflow.REJECT;
            default -> throw new IllegalArgumentException("overflow must be backpressure or reject: '" + value + "'");
        };
    }

    private static ListenerConfig.ProxyProtocol proxyProtocol(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "none", "off" -> ListenerConfig.ProxyProtocol.NONE;
            case "v1" -> ListenerConfig.ProxyProtocol.V1;
            case "v2" -> ListenerConfig.ProxyProtocol.V2;
            case "any" -> ListenerConfig.ProxyProtocol.ANY;
            default -> throw new IllegalArgumentException(
                    "proxy-protocol must be none, v1, v2 or any: '" + value + "'");
        };
    }

    static int integer(String what, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + (value.matches("[+-]?\\d+") ? " is out of range" : " is not a number")
                    + ": '" + value + "'");
        }
    }

    private static boolean bool(String what, String value) {
        return switch (value) {
            case "true", "on" -> true;
            case "false", "off" -> false;
            default -> throw new IllegalArgumentException(what + " must be true or false: '" + value + "'");
        };
    }
}
