package dev.loomport.demo.echo;

import dev.loomport.BoundListener;
import dev.loomport.Server;
import dev.loomport.ServerConfig;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.SignalHandler;

/**
 * The launcher: serves the listeners given on the command line, and its metrics on
 * {@code /metrics} unless {@code --metrics off}, until SIGTERM or Ctrl-C, then stops gracefully and
 * exits 0. Exit 2: the command line is wrong; exit 1: the server or its metrics endpoint could not start.
 * SIGHUP re-reads the TLS listeners' key material ({@link Server#reloadTls()}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        // One line per log record (System.Logger's default backend is java.util.logging), unless the
        // user configured logging.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s %5$s%6$s%n");
        }
        PrintStream out = System.out;
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loomport: " + e.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        PluginDirectory plugins;
        try {
            plugins = PluginDirectory.load(options.plugins(), options.pluginsGiven());
        } catch (RuntimeException e) {
            System.err.println("loomport: " + e.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        if (options.help()) {
            out.print(LaunchOptions.USAGE + "\n" + HandlerHelp.text(HandlerHelp.find(plugins)) + "\n" + plugins.help());
            return;
        }
        out.print(plugins.describe());
        ServerConfig.Builder config = ServerConfig.builder();
        plugins.plugins().forEach(config::plugin);
        options.listeners().forEach(config::listener);
        config.pinningThreshold(options.pinning()); // null: --pinning off
        MetricsEndpoint metrics = null;
        Server server;
        try {
            if (options.metrics() != null) {
                metrics = MetricsEndpoint.start(options.metrics()); // joins the global registry, the server's default
            } else {
                config.meterRegistry(new CompositeMeterRegistry()); // --metrics off: record nothing at all
            }
            server = Server.start(config.build());
            if (metrics != null) {
                metrics.show(ConnectionSource.of(server));
            }
        } catch (Exception e) {
            if (metrics != null) {
                metrics.close();
            }
            String message = e.getMessage() != null ? e.getMessage() : e.toString();
            // A handler no plug-in has: say where the launcher looked, and what it could not load there.
            if (message.startsWith("no handler named ")) {
                message += "; " + plugins.explain();
            }
            System.err.println("loomport: " + message);
            System.exit(1);
            return;
        }
        // First signal: graceful stop. Second: stop now.
        AtomicInteger signals = new AtomicInteger();
        SignalHandler stop = signal -> {
            if (signals.getAndIncrement() == 0) {
                server.shutdown(options.grace());
            } else {
                server.close();
            }
        };
        Signals installer = new Signals(System.err);
        installer.handle("TERM", stop, "a graceful stop on SIGTERM", true);
        // INT is ignored in background jobs of scripts: not worth a warning.
        installer.handle("INT", stop, "a graceful stop on Ctrl-C", false);
        installer.handle("HUP", signal -> reloadTls(server), "reloading TLS certificates on SIGHUP",
                options.listeners().stream().anyMatch(l -> l.tls().isPresent()));

        for (BoundListener listener : server.listeners()) {
            out.println("listening " + listener.handlerName() + " " + listener.hostAndPort());
        }
        PublicFacingCheck.warning(options.listeners(), server.listeners()).ifPresent(System.err::println);
        if (metrics != null) {
            out.println("metrics " + metrics.url());
            out.println("connections " + metrics.pageUrl());
        }
        out.flush();
        try {
            server.awaitTermination();
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
        System.exit(0);
    }

    /** A bad file leaves the old material in use; the server keeps running either way. */
    private static void reloadTls(Server server) {
        try {
            var reloaded = server.reloadTls();
            System.out.println(reloaded.isEmpty() ? "no TLS listener to reload"
                    : "reloaded TLS " + String.join(" ", reloaded));
        } catch (IOException e) {
            System.err.println("loomport: TLS reload failed, old certificates stay in use: " + e.getMessage());
        }
        System.out.flush();
    }
}
