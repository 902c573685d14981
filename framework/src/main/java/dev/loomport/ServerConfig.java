package dev.loomport;

import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Server} serves: its listeners, the plug-ins they may name, and where metrics go.
 * Immutable; made with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code listeners}: at least one.</li>
 *   <li>{@code plugins}: plug-ins given directly (for example {@code HandlerPlugin.of(name, factory)} in a
 *       test), in addition to those found with
 *       {@link java.util.ServiceLoader} (default: none given; discovery is always on).</li>
 *   <li>{@code meterRegistry}: default {@link Metrics#globalRegistry}, so an application that adds its
 *       registry there sees loomport's meters with no more wiring. To turn metrics off, pass a
 *       registry that records nothing, such as an empty
 *       {@link io.micrometer.core.instrument.composite.CompositeMeterRegistry}.</li>
 *   <li>{@code pinningThreshold}: count, per listener and handler, the times a connection's virtual
 *       thread pinned its carrier for longer than this ({@code loomport.connections.pinned}) and log the
 *       first of each handler with its stack (docs/observability.md). Default: unset, off: counting starts
 *       Flight Recorder in the process, which is the application's decision. {@code Duration.ZERO}
 *       counts every pin.</li>
 * </ul>
 */
public final class ServerConfig {

    private final List<ListenerConfig> listeners;
    private final List<HandlerPlugin> plugins;
    private final MeterRegistry meterRegistry;
    private final Duration pinningThreshold; // null: off

    private ServerConfig(Builder b) {
        listeners = List.copyOf(b.listeners);
        plugins = List.copyOf(b.plugins);
        meterRegistry = b.meterRegistry;
        pinningThreshold = b.pinningThreshold;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<ListenerConfig> listeners() { return listeners; }
    public List<HandlerPlugin> plugins() { return plugins; }
    public MeterRegistry meterRegistry() { return meterRegistry; }
    /** The pinning threshold; empty when pinned threads are not counted (the default). */
    public Optional<Duration> pinningThreshold() { return Optional.ofNullable(pinningThreshold); }

    /** Collects a server's configuration. */
    public static final class Builder {
        private final List<ListenerConfig> listeners = new ArrayList<>();
        private final List<HandlerPlugin> plugins = new ArrayList<>();
        private MeterRegistry meterRegistry = Metrics.globalRegistry;
        private Duration pinningThreshold;

        private Builder() {
        }

        public Builder listener(ListenerConfig listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Makes {@code plugin} available by its name, beside the plug-ins {@code ServiceLoader} finds. */
        public Builder plugin(HandlerPlugin plugin) {
            plugins.add(Objects.requireNonNull(plugin, "plugin"));
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        /**
         * Counts pins of a connection's carrier longer than {@code threshold}; {@code null} turns it off
         * again (the default).
         *
         * @throws IllegalArgumentException if {@code threshold} is negative
         */
        public Builder pinningThreshold(Duration threshold) {
            if (threshold != null && threshold.isNegative()) {
                throw new IllegalArgumentException("pinningThreshold must not be negative: " + threshold);
            }
            this.pinningThreshold = threshold;
            return this;
        }

        /** @throws IllegalArgumentException if there is no listener */
        public ServerConfig build() {
            if (listeners.isEmpty()) {
                throw new IllegalArgumentException("a server needs at least one listener; none was given");
            }
            return new ServerConfig(this);
        }
    }
}
