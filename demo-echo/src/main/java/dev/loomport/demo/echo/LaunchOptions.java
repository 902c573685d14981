package dev.loomport.demo.echo;

import dev.loomport.ListenerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher's command line. Every mistake is an {@link IllegalArgumentException} whose message is one
 * line naming the option and the bad value. {@code metrics} is where to serve {@code /metrics}, or
 * {@code null} for {@code --metrics off}.
 */
record LaunchOptions(List<ListenerConfig> listeners, Duration grace, InetSocketAddress metrics, boolean help) {

    static final int DEFAULT_PORT = 7007;
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    /** Loopback only: metrics say how busy the server is, which is nobody else's business by default. */
    static final InetSocketAddress DEFAULT_METRICS = new InetSocketAddress("127.0.0.1", 9464);

    static final String USAGE = """
            usage: loomport [--listen SPEC]... [--grace DURATION] [--metrics HOST:PORT|off] [--help]

              --listen SPEC     serve a handler on a port; repeat for more ports. SPEC is
                                  HANDLER@[HOST:]PORT[,KEY=VALUE]...
                                HOST defaults to 127.0.0.1 (IPv6 in brackets: [::1]:7007);
                                PORT 0 picks a free port. KEYs loomport knows:
                                  name, backlog, reuse-address, reuse-port, tcp-no-delay,
                                  keep-alive, receive-buffer, send-buffer, max-connections,
                                  overflow (backpressure|reject), reject-message,
                                  max-per-source, idle-timeout, write-timeout, max-lifetime,
                                  proxy-protocol (none|v1|v2|any), proxy-trusted (the
                                  balancers' networks, ';' between them, for example
                                  '10.0.0.0/8;fd00::/8'), proxy-header-timeout (5s),
                                  min-receive-rate (BYTES_PER_SECOND/WINDOW, e.g. 128/30s),
                                  and the TLS keys below;
                                any other KEY is passed to the handler.
                                default: --listen echo@127.0.0.1:7007
              --grace DURATION  how long SIGTERM / Ctrl-C waits for connections to end
                                before closing them (default 10s; a second Ctrl-C stops at once)
              --metrics HOST:PORT|off
                                serve Prometheus metrics on http://HOST:PORT/metrics
                                (default 127.0.0.1:9464; PORT 0 picks a free port);
                                off: no endpoint, and the server records no metrics
              --help            this text

            Handlers in this demo:
              echo              writes back every byte it reads
              relay             forwards each connection to upstream=HOST:PORT (required);
                                connect-timeout=DURATION (default 10s). For example
                                  --listen relay@127.0.0.1:7100,upstream=127.0.0.1:7007

            DURATION: 0, 250ms, 30s, 5m, 1h, or ISO-8601 (PT30S).
            Prints "listening HANDLER HOST:PORT" for each listener once it accepts, then
            "metrics http://HOST:PORT/metrics" unless --metrics off.

            """ + TlsOptions.USAGE;

    private static final Pattern ADDRESS = Pattern.compile("(?:\\[([^]]+)]:|([^:\\[\\]]*):)?([^:]*)");
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    static LaunchOptions parse(String... args) {
        List<ListenerConfig> listeners = new ArrayList<>();
        Duration grace = DEFAULT_GRACE;
        InetSocketAddress metrics = DEFAULT_METRICS;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--help", "-h" -> {
                    return new LaunchOptions(List.of(), grace, metrics, true);
                }
                case "--listen" -> listeners.add(listener(value != null ? value : next(args, ++i, arg)));
                case "--grace" -> grace = grace(value != null ? value : next(args, ++i, arg));
                case "--metrics" -> metrics = metrics(value != null ? value : next(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (listeners.isEmpty()) {
            listeners.add(ListenerConfig.builder("echo").port(DEFAULT_PORT).build());
        }
        return new LaunchOptions(List.copyOf(listeners), grace, metrics, false);
    }

    private static Duration grace(String value) {
        Duration grace = duration("--grace", value);
        if (grace.isNegative()) {
            throw new IllegalArgumentException("--grace must not be negative: '" + value + "'");
        }
        return grace;
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** {@code HANDLER@[HOST:]PORT[,KEY=VALUE]...} */
    static ListenerConfig listener(String spec) {
        try {
            String[] parts = spec.split(",", -1);
            int at = parts[0].indexOf('@');
            if (at <= 0) {
                throw new IllegalArgumentException("expected HANDLER@[HOST:]PORT");
            }
            ListenerConfig.Builder b = ListenerConfig.builder(parts[0].substring(0, at));
            address(b, parts[0].substring(at + 1));
            TlsOptions tls = new TlsOptions();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("expected KEY=VALUE, got '" + parts[i] + "'");
                }
                String key = parts[i].substring(0, eq);
                if (TlsOptions.isTlsKey(key)) {
                    tls.put(key, parts[i].substring(eq + 1));
                } else {
                    option(b, key, parts[i].substring(eq + 1));
                }
            }
            return b.tls(tls.build()).build();
        } catch (IllegalArgumentException e) {
            String shown = spec.replaceAll("(tls-password)=[^,]*", "$1=(hidden)"); // logs keep stderr
            throw new IllegalArgumentException("--listen '" + shown + "': " + e.getMessage(), e);
        }
    }

    /** {@code [HOST:]PORT} or {@code off}; HOST defaults to 127.0.0.1. */
    static InetSocketAddress metrics(String spec) {
        if (spec.equals("off")) {
            return null;
        }
        try {
            Matcher m = ADDRESS.matcher(spec);
            if (!m.matches()) {
                throw new IllegalArgumentException("expected HOST:PORT or off"
                        + " (an IPv6 host goes in brackets: [::1]:9464)");
            }
            String host = m.group(1) != null ? m.group(1) : m.group(2);
            int port = integer("port", m.group(3));
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range 0..65535: " + port);
            }
            host = host == null || host.isEmpty() ? "127.0.0.1" : host;
            try {
                return new InetSocketAddress(InetAddress.getByName(host), port);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("unknown host '" + host + "'");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--metrics '" + spec + "': " + e.getMessage(), e);
        }
    }

    private static void address(ListenerConfig.Builder b, String address) {
        Matcher m = ADDRESS.matcher(address);
        if (!m.matches()) {
            throw new IllegalArgumentException("bad address '" + address
                    + "' (an IPv6 host goes in brackets: [::1]:7007)");
        }
        String host = m.group(1) != null ? m.group(1) : m.group(2);
        if (host != null && !host.isEmpty()) {
            b.host(host);
        }
        b.port(integer("port", m.group(3)));
    }

    /** Errors name the key as the user typed it, whether parsing or the builder found the fault. */
    private static void option(ListenerConfig.Builder b, String key, String value) {
        try {
            apply(b, key, value);
        } catch (IllegalArgumentException e) {
            String why = String.valueOf(e.getMessage());
            throw why.startsWith(key) ? e : new IllegalArgumentException(key + "=" + value + ": " + why, e);
        }
    }

    private static void apply(ListenerConfig.Builder b, String key, String value) {
        switch (key) {
            case "name" -> b.name(value);
            case "backlog" -> b.backlog(integer(key, value));
            case "reuse-address" -> b.reuseAddress(bool(key, value));
            case "reuse-port" -> b.reusePort(bool(key, value));
            case "tcp-no-delay" -> b.tcpNoDelay(bool(key, value));
            case "keep-alive" -> b.keepAlive(bool(key, value));
            case "receive-buffer" -> b.receiveBufferSize(integer(key, value));
            case "send-buffer" -> b.sendBufferSize(integer(key, value));
            case "max-connections" -> b.maxConnections(integer(key, value));
            case "max-per-source" -> b.maxConnectionsPerSource(integer(key, value));
            case "overflow" -> b.overflow(overflow(value));
            case "reject-message" -> b.rejectMessage(value);
            case "idle-timeout" -> b.idleTimeout(duration(key, value));
            case "write-timeout" -> b.writeTimeout(duration(key, value));
            case "max-lifetime" -> b.maxLifetime(duration(key, value));
            case "proxy-protocol" -> b.proxyProtocol(proxyProtocol(value));
            case "proxy-trusted" -> b.proxyTrusted(List.of(value.split(";", -1))); // ',' separates keys
            case "proxy-header-timeout" -> b.proxyHeaderTimeout(duration(key, value));
            case "min-receive-rate" -> minReceiveRate(b, key, value);
            default -> b.handlerOption(key, value);
        }
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
        b.minReceiveRate(integer(key, value.substring(0, slash)), duration(key, value.substring(slash + 1)));
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

    private static int integer(String what, String value) {
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

    static Duration duration(String what, String value) {
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = SIMPLE_DURATION.matcher(value);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            return Duration.parse(value);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(what + " is too long to be a duration: '" + value + "'");
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(what + " is not a duration (such as 250ms, 30s, 5m, PT1H): '"
                    + value + "'");
        }
    }
}
