package dev.loomport.demo.echo;

import dev.loomport.ListenerConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher's command line. Every mistake is an {@link IllegalArgumentException} whose message is one
 * line naming the option and the bad value.
 */
record LaunchOptions(List<ListenerConfig> listeners, Duration grace, boolean help) {

    static final int DEFAULT_PORT = 7007;
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    static final String USAGE = """
            usage: loomport [--listen SPEC]... [--grace DURATION] [--help]

              --listen SPEC     serve a handler on a port; repeat for more ports. SPEC is
                                  HANDLER@[HOST:]PORT[,KEY=VALUE]...
                                HOST defaults to 127.0.0.1 (IPv6 in brackets: [::1]:7007);
                                PORT 0 picks a free port. KEYs loomport knows:
                                  name, backlog, reuse-address, reuse-port, tcp-no-delay,
                                  keep-alive, receive-buffer, send-buffer, max-connections,
                                  overflow (backpressure|reject), reject-message,
                                  max-per-source, idle-timeout, write-timeout, max-lifetime;
                                any other KEY is passed to the handler.
                                default: --listen echo@127.0.0.1:7007
              --grace DURATION  how long SIGTERM / Ctrl-C waits for connections to end
                                before closing them (default 10s; a second Ctrl-C stops at once)
              --help            this text

            Handlers in this demo:
              echo              writes back every byte it reads
              relay             forwards each connection to upstream=HOST:PORT (required);
                                connect-timeout=DURATION (default 10s). For example
                                  --listen relay@127.0.0.1:7100,upstream=127.0.0.1:7007

            DURATION: 0, 250ms, 30s, 5m, 1h, or ISO-8601 (PT30S).
            Prints "listening HANDLER HOST:PORT" for each listener once it accepts.
            """;

    private static final Pattern ADDRESS = Pattern.compile("(?:\\[([^]]+)]:|([^:\\[\\]]*):)?([^:]*)");
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    static LaunchOptions parse(String... args) {
        List<ListenerConfig> listeners = new ArrayList<>();
        Duration grace = DEFAULT_GRACE;
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
                    return new LaunchOptions(List.of(), grace, true);
                }
                case "--listen" -> listeners.add(listener(value != null ? value : next(args, ++i, arg)));
                case "--grace" -> grace = duration("--grace", value != null ? value : next(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (listeners.isEmpty()) {
            listeners.add(ListenerConfig.builder("echo").port(DEFAULT_PORT).build());
        }
        return new LaunchOptions(List.copyOf(listeners), grace, false);
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
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("expected KEY=VALUE, got '" + parts[i] + "'");
                }
                option(b, parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--listen '" + spec + "': " + e.getMessage(), e);
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

    private static void option(ListenerConfig.Builder b, String key, String value) {
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
            default -> b.handlerOption(key, value);
        }
    }

    private static ListenerConfig.Overflow overflow(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "backpressure" -> ListenerConfig.Overflow.BACKPRESSURE;
            case "reject" -> ListenerConfig.Overflow.REJECT;
            default -> throw new IllegalArgumentException("overflow must be backpressure or reject: '" + value + "'");
        };
    }

    private static int integer(String what, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is not a number: '" + value + "'");
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
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(what + " is not a duration (such as 250ms, 30s, 5m, PT1H): '"
                    + value + "'");
        }
    }
}
