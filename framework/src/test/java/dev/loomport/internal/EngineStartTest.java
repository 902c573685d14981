package dev.loomport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loomport.ListenerConfig;
import dev.loomport.ServerConfig;
import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A start that fails after binding (a thread that will not start) leaves nothing bound and nothing running. */
class EngineStartTest {

    @Test
    void aFailureAfterBindingClosesEveryListenerAndStopsEveryThread() throws Exception {
        HandlerPlugin idle = HandlerPlugin.of("idle", () -> connection -> { });
        ServerConfig config = ServerConfig.builder()
                .listener(ListenerConfig.builder("idle").build())
                .listener(ListenerConfig.builder("idle").build())
                .plugin(idle)
                .meterRegistry(new SimpleMeterRegistry())
                .build();
        List<InetSocketAddress> bound = new ArrayList<>();
        AtomicReference<ThreadCount> threads = new AtomicReference<>();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Engine.start(config, listener -> {
            bound.add(listener.bound().address());
            threads.set(listener.threads());
            if (bound.size() == 2) { // the first listener is accepting, the watchdog runs
                throw new IllegalStateException("injected: cannot start a thread");
            }
        }));
        assertEquals("injected: cannot start a thread", thrown.getMessage());
        assertEquals(0, threads.get().live(), "threads left running");
        for (InetSocketAddress address : bound) {
            try (ServerSocket again = new ServerSocket()) {
                again.bind(address); // throws if the failed start left it bound
            } catch (IOException e) {
                throw new AssertionError(address + " is still bound after the failed start", e);
            }
        }
    }
}
