package dev.loomport.demo.echo;

import dev.loomport.BoundListener;
import dev.loomport.Server;
import dev.loomport.ServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The launcher: serves the listeners given on the command line until SIGTERM or Ctrl-C, then stops
 * gracefully and exits 0. Exit 2: the command line is wrong; exit 1: the server could not start.
 * SIGHUP re-reads the TLS listeners' key material ({@link Server#reloadTls()}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        PrintStream out = System.out;
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loomport: " + e.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        if (options.help()) {
            out.print(LaunchOptions.USAGE);
            return;
        }
        ServerConfig.Builder config = ServerConfig.builder();
        options.listeners().forEach(config::listener);
        Server server;
        try {
            server = Server.start(config.build());
        } catch (Exception e) {
            System.err.println("loomport: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
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
        Signal.handle(new Signal("TERM"), stop);
        Signal.handle(new Signal("INT"), stop);
        Signal.handle(new Signal("HUP"), signal -> reloadTls(server));

        for (BoundListener listener : server.listeners()) {
            out.println("listening " + listener.handler() + " " + listener.hostAndPort());
        }
        out.flush();
        server.awaitTermination();
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
