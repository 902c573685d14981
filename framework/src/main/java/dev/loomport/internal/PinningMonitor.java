package dev.loomport.internal;

import dev.loomport.BoundListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * Counts, per listener and handler, the times a connection's virtual thread pinned its carrier
 * ({@code jdk.VirtualThreadPinned}: blocked while it could not unmount, for longer than the threshold),
 * as the counter {@code loomport.connections.pinned}, and logs the first one of each handler at WARNING
 * with the stack that pinned. Pinning is a handler bug that costs every other connection a carrier.
 *
 * <p>It reads the events from an in-process JFR {@link RecordingStream}, whose one platform thread this
 * object owns: {@link #start} starts it, {@link #close()} ends it and waits for it. Whoever owns the
 * server owns this.
 *
 * <p>An event names its thread; loomport names a connection's thread after its listener
 * ({@code loomport <listener> ...}, its subtasks {@code <that name> subtask-N}), and listener names are
 * letters, digits and {@code . _ -}, so the listener is the word after {@code loomport }. Mapping by
 * name needs nothing from the connection's hot path (a registry keyed by thread would cost a map put
 * and remove per connection, paid whether anything pins or not). Threads of no known listener (the
 * application's own) are not counted.
 */
public final class PinningMonitor implements AutoCloseable {
    /** The JDK's own default threshold for this event (default.jfc): long pins, not every brief one. */
    public static final Duration DEFAULT_THRESHOLD = Duration.ofMillis(20);
    static final String METER = ListenerMetrics.PREFIX + "connections.pinned";
    private static final String EVENT = "jdk.VirtualThreadPinned";
    private static final String THREAD_PREFIX = "loomport ";
    private static final int STACK_FRAMES = 32;
    private static final Logger LOG = System.getLogger(PinningMonitor.class.getName());

    private final RecordingStream stream;
    private final Map<String, Counter> counters;
    private final Map<String, String> handlers;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private PinningMonitor(RecordingStream stream, Map<String, Counter> counters, Map<String, String> handlers) {
        this.stream = stream;
        this.counters = counters;
        this.handlers = handlers;
    }

    /**
     * Registers a counter at 0 for every listener (so it is there before anything pins) and starts
     * streaming pinned events longer than {@code threshold}.
     */
    public static PinningMonitor start(MeterRegistry registry, List<BoundListener> listeners, Duration threshold) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.isNegative()) {
            throw new IllegalArgumentException("pinning threshold must not be negative: " + threshold);
        }
        Map<String, Counter> counters = new HashMap<>();
        Map<String, String> handlers = new HashMap<>();
        for (BoundListener listener : listeners) {
            handlers.put(listener.name(), listener.handlerName());
            counters.put(listener.name(), Counter.builder(METER)
                    .description("Times a connection's virtual thread pinned its carrier longer than the threshold")
                    .tags("listener", listener.name(), "handler", listener.handlerName(),
                            "port", String.valueOf(listener.address().getPort())) // as every loomport meter
                    .register(registry));
        }
        RecordingStream stream = new RecordingStream();
        try {
            stream.enable(EVENT).withThreshold(threshold).withStackTrace();
            PinningMonitor monitor = new PinningMonitor(stream, Map.copyOf(counters), Map.copyOf(handlers));
            stream.onEvent(EVENT, monitor::pinned);
            stream.startAsync();
            return monitor;
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /** The listener a thread serves, by its name, or {@code null} when it is none of ours. */
    static String listenerOf(String threadName) {
        if (threadName == null || !threadName.startsWith(THREAD_PREFIX)) {
            return null;
        }
        int start = THREAD_PREFIX.length();
        int end = start;
        while (end < threadName.length() && threadName.charAt(end) != ' ' && threadName.charAt(end) != '#') {
            end++;
        }
        return end > start ? threadName.substring(start, end) : null;
    }

    private void pinned(RecordedEvent event) {
        RecordedThread thread = event.getThread();
        String name = thread == null ? null : thread.getJavaName();
        String listener = listenerOf(name);
        Counter counter = listener == null ? null : counters.get(listener);
        if (counter == null) {
            return;
        }
        counter.increment();
        String handler = handlers.get(listener);
        if (warned.add(handler) && LOG.isLoggable(Level.WARNING)) {
            LOG.log(Level.WARNING, "handler " + handler + " pinned its carrier thread for "
                    + event.getDuration().toMillis() + " ms on " + name + " (listener " + listener
                    + "); counted in " + METER + ", logged once per handler:\n" + stack(event.getStackTrace()));
        }
    }

    private static String stack(RecordedStackTrace trace) {
        if (trace == null) {
            return "\t(no stack trace recorded)";
        }
        StringBuilder text = new StringBuilder();
        List<RecordedFrame> frames = trace.getFrames();
        for (int i = 0; i < Math.min(frames.size(), STACK_FRAMES); i++) {
            RecordedFrame frame = frames.get(i);
            text.append("\tat ").append(frame.getMethod().getType().getName()).append('.')
                    .append(frame.getMethod().getName());
            if (frame.getLineNumber() > 0) {
                text.append(" line ").append(frame.getLineNumber());
            }
            text.append('\n');
        }
        if (frames.size() > STACK_FRAMES || trace.isTruncated()) {
            text.append("\t...\n");
        }
        return text.toString();
    }

    /** Stops the stream and waits for its thread; idempotent. The counters stay, with their values. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stream.close();
        try {
            stream.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
