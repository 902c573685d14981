package dev.loomport.demo.echo;

import dev.loomport.ListenerConfig;
import dev.loomport.demo.cli.Durations;
import dev.loomport.demo.cli.Option;
import dev.loomport.demo.cli.OptionTable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher's command line. Every mistake is an {@link IllegalArgumentException} whose message is one
 * line naming the option and the bad value. {@code metrics} is where to serve {@code /metrics}, or
 * {@code null} for {@code --metrics off}; {@code pinning} the pinning threshold, or {@code null} for
 * {@code --pinning off}.
 *
 * <p>The options, a spec's keys ({@link ListenerKeys}) and the TLS keys ({@link TlsOptions}) are each one
 * table that the parser reads and the help text is written from. A launcher option's default is applied
 * through the same row, as if the user had typed it.
 */
record LaunchOptions(List<ListenerConfig> listeners, Duration grace, InetSocketAddress metrics, Duration pinning,
        boolean help, Path plugins, boolean pluginsGiven) {

    /** What the command line has said so far. */
    static final class Given {
        final List<ListenerConfig> listeners = new ArrayList<>();
        final Set<String> options = new HashSet<>();
        Duration grace;
        InetSocketAddress metrics;
        Duration pinning;
        boolean help;
        Path plugins;
    }

    static final OptionTable<Given> OPTIONS = new OptionTable<>(" ",
            Option.of("--listen", "SPEC", "echo@127.0.0.1:7007", "serve a handler on a port; repeat for more"
                    + " ports. SPEC is below", (g, k, v) -> g.listeners.add(listener(v))),
            Option.of("--grace", "DURATION", "10s", "how long SIGTERM / Ctrl-C waits for connections to end"
                    + " before closing them; a second Ctrl-C stops at once", (g, k, v) -> g.grace = grace(v)),
            Option.of("--metrics", "HOST:PORT|off", "127.0.0.1:9464", "serve Prometheus metrics on"
                    + " http://HOST:PORT/metrics (PORT 0 picks a free port); off: no endpoint, and the server"
                    + " records no metrics", (g, k, v) -> g.metrics = metrics(v)),
            Option.of("--pinning", "DURATION|off", "20ms", "count, per handler, the virtual threads that pin"
                    + " their carrier longer than DURATION (loomport_connections_pinned_total) and log each handler's"
                    + " first with its stack; this starts Flight Recorder in the process; off: not counted",
                    (g, k, v) -> g.pinning = pinning(v)),
            Option.of("--plugins", "DIR", PluginDirectory.DEFAULT, "load each jar, or folder of jars, in DIR as a"
                    + " plug-in in a module layer of its own; the default directory may be missing, a given one"
                    + " may not", (g, k, v) -> g.plugins = directory(v)),
            Option.of("--help", "", null, "this text, and the handlers found", (g, k, v) -> g.help = true),
            Option.of("-h", "", null, "the same", (g, k, v) -> g.help = true));

    /** The help text but for the handlers, which {@link HandlerHelp} lists as it finds them. */
    static final String USAGE = usageLine() + "\n\n" + OPTIONS.help("  ") + """

            SPEC is HANDLER@[HOST:]PORT[,KEY=VALUE]... or HANDLER@stdin[,KEY=VALUE]...
              HOST defaults to 127.0.0.1 (IPv6 in brackets: [::1]:7007); PORT 0 picks a free port.
              stdin: serve the listening socket the launcher was started with as its standard input
              (systemd StandardInput=socket; see docs/deploy.md), at most one listener; backlog,
              reuse-address, reuse-port and receive-buffer are then the service manager's.
              A KEY loomport does not know (below) is passed to the handler.

            KEYs loomport knows:
            """ + ListenerKeys.TABLE.help("  ") + "\n" + TlsOptions.USAGE + """

            DURATION: %s.
            Prints "listening HANDLER HOST:PORT" for each listener once it accepts, then
            "metrics http://HOST:PORT/metrics" unless --metrics off.

            For example, echo on port 7007 and a relay to it on port 7100:
              loomport --listen echo@127.0.0.1:7007 --listen relay@127.0.0.1:7100,upstream=127.0.0.1:7007
            """.formatted(Durations.FORMS);

    /** The address of a listener on the inherited socket: {@code echo@stdin}. */
    static final String STDIN = "stdin";

    private static final Pattern ADDRESS = Pattern.compile("(?:\\[([^]]+)]:|([^:\\[\\]]*):)?([^:]*)");

    private static String usageLine() {
        StringBuilder line = new StringBuilder("usage: loomport");
        OPTIONS.rows().forEach(row -> line.append(" [").append(OPTIONS.synopsis(row)).append(']'));
        return line.toString();
    }

    static LaunchOptions parse(String... args) {
        Given given = new Given();
        for (int i = 0; i < args.length && !given.help; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            String typed = args[i];
            Option<Given> row = OPTIONS.find(arg)
                    .orElseThrow(() -> new IllegalArgumentException("unknown option '" + typed + "'"));
            if (row.takesValue() && value == null) {
                value = next(args, ++i, arg);
            } else if (!row.takesValue() && value != null) {
                throw new IllegalArgumentException(arg + " takes no value: '" + typed + "'");
            }
            row.apply().apply(given, arg, value);
            given.options.add(arg);
        }
        for (Option<Given> row : OPTIONS.rows()) {
            if (row.defaultValue() != null && !given.options.contains(row.name())) {
                row.apply().apply(given, row.name(), row.defaultValue());
            }
        }
        long onStdin = given.listeners.stream().filter(ListenerConfig::inheritedChannel).count();
        if (onStdin > 1) { // the launcher has one stdin
            throw new IllegalArgumentException("--listen: " + onStdin + " listeners on stdin; the launcher inherits"
                    + " one socket, so at most one listener can serve it");
        }
        return new LaunchOptions(given.help ? List.of() : List.copyOf(given.listeners), given.grace,
                given.metrics, given.pinning, given.help, given.plugins, given.options.contains("--plugins"));
    }

    /** A path as the platform takes it; one it refuses (a NUL, on Linux) is named with the option. */
    private static Path directory(String value) {
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("--plugins '" + value + "': not a path: " + e.getReason(), e);
        }
    }

    private static Duration grace(String value) {
        Duration grace = Durations.parse("--grace", value);
        if (grace.isNegative()) {
            throw new IllegalArgumentException("--grace must not be negative: '" + value + "'");
        }
        return grace;
    }

    private static Duration pinning(String value) {
        if (value.equals("off")) {
            return null;
        }
        Duration threshold = Durations.parse("--pinning", value);
        if (threshold.isNegative()) {
            throw new IllegalArgumentException("--pinning must not be negative: '" + value + "'");
        }
        return threshold;
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** {@code HANDLER@[HOST:]PORT[,KEY=VALUE]...} or {@code HANDLER@stdin[,KEY=VALUE]...} */
    static ListenerConfig listener(String spec) {
        try {
            String[] parts = spec.split(",", -1);
            int at = parts[0].indexOf('@');
            if (at <= 0) {
                throw new IllegalArgumentException("expected HANDLER@[HOST:]PORT or HANDLER@stdin");
            }
            ListenerConfig.Builder b = ListenerConfig.builder(parts[0].substring(0, at));
            if (parts[0].substring(at + 1).equals(STDIN)) {
                b.inheritedChannel(); // the launcher only serves it: it never reads its stdin
            } else {
                address(b, parts[0].substring(at + 1));
            }
            TlsOptions tls = new TlsOptions();
            // The preset first, wherever it stands: the keys given with it change it, never the reverse.
            Arrays.sort(parts, 1, parts.length, Comparator.comparing(p -> !p.startsWith(ListenerKeys.PRESET + "=")));
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("expected KEY=VALUE, got '" + parts[i] + "'");
                }
                String key = parts[i].substring(0, eq);
                String value = parts[i].substring(eq + 1);
                if (!tls.apply(key, value) && !ListenerKeys.apply(b, key, value)) {
                    b.handlerOption(key, value);
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
            int port = ListenerKeys.integer("port", m.group(3));
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
        b.port(ListenerKeys.integer("port", m.group(3)));
    }
}
