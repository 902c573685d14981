package dev.loomport;

import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;

/** Servers for tests: one listener on 127.0.0.1, port 0, metrics into a registry of the test's own. */
final class TestServers {
    private TestServers() {
    }

    static Server serve(ListenerConfig.Builder listener, HandlerPlugin handler, MeterRegistry registry)
            throws IOException {
        return Server.start(ServerConfig.builder()
                .listener(listener.build())
                .plugin(handler)
                .meterRegistry(registry)
                .build());
    }

    static Server serve(HandlerPlugin handler, MeterRegistry registry) throws IOException {
        return serve(ListenerConfig.builder(handler.name()), handler, registry);
    }

    static Server serve(HandlerPlugin handler) throws IOException {
        return serve(handler, new SimpleMeterRegistry());
    }

    /** A configuration, listeners still to add, that serves {@code plugins} and keeps its meters apart. */
    static ServerConfig.Builder config(HandlerPlugin... plugins) {
        ServerConfig.Builder b = ServerConfig.builder().meterRegistry(new SimpleMeterRegistry());
        for (HandlerPlugin p : plugins) {
            b.plugin(p);
        }
        return b;
    }

    /** Connections that ended with this outcome tag ({@code client-closed}, {@code shutdown}, ...). */
    static long closed(MeterRegistry registry, String outcome) {
        return Meters.closed(registry, outcome);
    }

    /** Connections that ended, however they ended. */
    static long closed(MeterRegistry registry) {
        return Meters.count(registry, "loomport.closed.connections");
    }

    /**
     * Threads the I/O loops add to a server whose listeners take the default I/O path: 2 loops and a
     * waker each on the loop path (as dev.loomport.io or the JDK chooses it), none on the JDK's.
     */
    static int ioLoopThreads() {
        String forced = System.getProperty("dev.loomport.io");
        boolean loop = forced != null ? forced.equals("loop") : Runtime.version().feature() == 21;
        return loop ? 4 : 0;
    }

    static long accepted(MeterRegistry registry) {
        return Meters.accepted(registry);
    }
}
