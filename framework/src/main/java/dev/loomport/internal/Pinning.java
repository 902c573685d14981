package dev.loomport.internal;

import dev.loomport.BoundListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A server's {@link PinningMonitor}, or the object that does nothing when the configuration sets no
 * pinning threshold or Flight Recorder cannot start: the engine has one path either way.
 *
 * <p>The monitor's stream thread is the server's like any other: counted in {@link ThreadCount} from
 * start until {@link #close()} has waited for it, so {@code Server.liveThreads()} reads 0 only once it
 * has ended.
 */
final class Pinning implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Pinning.class.getName());
    static final Pinning OFF = new Pinning(null, null);

    private final PinningMonitor monitor; // null: off
    private final ThreadCount threads;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Pinning(PinningMonitor monitor, ThreadCount threads) {
        this.monitor = monitor;
        this.threads = threads;
    }

    /** Starts the monitor over {@code listeners} when {@code threshold} is set; {@link #OFF} otherwise. */
    static Pinning start(Optional<Duration> threshold, MeterRegistry registry, List<BoundListener> listeners,
            ThreadCount threads) {
        if (threshold.isEmpty()) {
            return OFF;
        }
        threads.starting();
        try {
            return new Pinning(PinningMonitor.start(registry, listeners, threshold.get()), threads);
        } catch (RuntimeException | LinkageError e) { // no Flight Recorder here: serve without the count
            threads.notStarted();
            LOG.log(Level.WARNING, "pinned virtual threads are not counted: Flight Recorder could not start: " + e);
            return OFF;
        }
    }

    /** Stops the stream and waits for its thread; idempotent. */
    @Override
    public void close() {
        if (monitor == null || !closed.compareAndSet(false, true)) {
            return;
        }
        try {
            monitor.close();
        } finally {
            threads.exited();
        }
    }
}
