package dev.loomport.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The meters of one listener, all tagged {@code listener}, {@code handler} and {@code port}, all named
 * under {@code loomport.} (docs/metrics.md lists them). Meters are registered once, when the listener
 * binds, so the per-connection and per-byte paths only increment.
 *
 * <p>Names end with what they count ({@code loomport.accepted.connections}, base unit
 * {@code connections}) so that Prometheus, which appends the base unit unless the name already ends
 * with it, shows {@code loomport_accepted_connections_total} rather than
 * {@code loomport_connections_accepted_connections_total}.
 */
final class ListenerMetrics {
    static final String PREFIX = "loomport.";

    /** Why a connection was refused: the {@code reason} tag of {@code loomport.rejected.connections}. */
    enum RejectReason {
        MAX_CONNECTIONS("max-connections"),
        PER_SOURCE("per-source"),
        /**
         * The connection's thread could not be started: the stop is already closing everything. Not a
         * socket accepted as the stop begins, which is served (Listener.admit).
         */
        SHUTDOWN("shutdown");

        final String tag;

        RejectReason(String tag) {
            this.tag = tag;
        }
    }

    private final MeterRegistry registry;
    private final Tags tags;
    private final Gauge active;
    private final Counter accepted;
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Map<Outcome, Counter> closed = new EnumMap<>(Outcome.class);
    private final Timer duration;
    private final LongTaskTimer open;
    private final Counter received;
    private final Counter sent;
    private final Map<Class<?>, Counter> handlerErrors = new ConcurrentHashMap<>();
    private final Map<Class<?>, Counter> acceptErrors = new ConcurrentHashMap<>();

    ListenerMetrics(MeterRegistry registry, String listener, String handler, int port, IntSupplier active) {
        this.registry = registry;
        this.tags = Tags.of("listener", listener, "handler", handler, "port", Integer.toString(port));
        this.active = Gauge.builder(PREFIX + "active.connections", active::getAsInt)
                .description("Connections open now")
                .baseUnit("connections")
                .tags(tags)
                .strongReference(true)
                .register(registry);
        accepted = Counter.builder(PREFIX + "accepted.connections")
                .description("Connections accepted and handed to the handler")
                .baseUnit("connections")
                .tags(tags)
                .register(registry);
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, Counter.builder(PREFIX + "rejected.connections")
                    .description("Connections refused by a limit, closed without reaching the handler")
                    .baseUnit("connections")
                    .tags(tags).tag("reason", reason.tag)
                    .register(registry));
        }
        for (Outcome outcome : Outcome.values()) {
            closed.put(outcome, Counter.builder(PREFIX + "closed.connections")
                    .description("Connections that have ended, by how they ended")
                    .baseUnit("connections")
                    .tags(tags).tag("outcome", outcome.tag())
                    .register(registry));
        }
        duration = Timer.builder(PREFIX + "connection.duration")
                .description("How long connections stayed open, accept to close")
                .tags(tags)
                .register(registry);
        open = LongTaskTimer.builder(PREFIX + "connection.age")
                .description("Connections still open, and how long they have been open")
                .tags(tags)
                .register(registry);
        received = Counter.builder(PREFIX + "received.bytes")
                .description("Bytes read from clients' sockets")
                .baseUnit("bytes")
                .tags(tags)
                .register(registry);
        sent = Counter.builder(PREFIX + "sent.bytes")
                .description("Bytes written to clients' sockets")
                .baseUnit("bytes")
                .tags(tags)
                .register(registry);
    }

    void accepted() {
        accepted.increment();
    }

    void rejected(RejectReason reason) {
        rejected.get(reason).increment();
    }

    LongTaskTimer.Sample opened() {
        return open.start();
    }

    void closed(Outcome outcome, long nanos, LongTaskTimer.Sample openSample) {
        openSample.stop();
        duration.record(nanos, TimeUnit.NANOSECONDS);
        closed.get(outcome).increment();
    }

    Counter received() {
        return received;
    }

    Counter sent() {
        return sent;
    }

    /** Counted by the real cause: a scope's failed join by the subtask's exception, not ExecutionException. */
    void handlerFailed(Throwable t) {
        countError(handlerErrors, "handler.errors", "Handler calls that ended by throwing, by exception class",
                VirtualTaskScope.realCause(t));
    }

    void acceptFailed(Throwable t) {
        countError(acceptErrors, "accept.errors",
                "Failed accepts (for example, out of file descriptors), by exception class", t);
    }

    /**
     * Unregisters the gauge when the server has stopped. It reads this listener's connection set, and
     * a registry hands back the meter it already has for the same name and tags: a later server with
     * the same listener name and port would otherwise report this stopped one's count. The counters
     * and timers stay, so their last values can still be read, and a later server adds to them.
     */
    void close() {
        registry.remove(active);
    }

    /** Exception classes are a bounded set in practice: a program has only so many. */
    private void countError(Map<Class<?>, Counter> counters, String name, String description, Throwable t) {
        counters.computeIfAbsent(t.getClass(), c -> Counter.builder(PREFIX + name)
                .description(description)
                .tags(tags).tag("exception", c.getSimpleName().isEmpty() ? c.getName() : c.getSimpleName())
                .register(registry)).increment();
    }
}
