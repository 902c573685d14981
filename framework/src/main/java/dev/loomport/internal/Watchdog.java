package dev.loomport.internal;

import dev.loomport.ListenerConfig;
import dev.loomport.Timeouts;
import dev.loomport.TlsConfig;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Enforces every connection's time limits (the set-up deadline of the PROXY and TLS steps, idle, write,
 * lifetime, minimum rate: the rows of {@link ConnectionClock}) for a whole server from one virtual
 * thread, by looking at each connection's timestamps every tick, rather than arming a timer per read or
 * write. A tick is a tenth of the shortest timeout, kept between 10 ms and
 * 1 s, so a timeout fires at most a tenth of itself late, or 10 ms for timeouts under 100 ms.
 */
final class Watchdog {
    private final List<Listener> listeners;
    private final Duration tick;
    private volatile boolean stopped;
    private Thread thread;

    private Watchdog(List<Listener> listeners, Duration tick) {
        this.listeners = listeners;
        this.tick = tick;
    }

    /** A watchdog for these listeners, or {@code null} when none of them has a timeout. */
    static Watchdog forListeners(List<Listener> listeners) {
        return listeners.stream()
                .map(Listener::config)
                .flatMap(Watchdog::timeouts)
                .filter(d -> !d.isZero())
                .min(Duration::compareTo)
                .map(shortest -> new Watchdog(listeners, clamp(shortest.dividedBy(10))))
                .orElse(null);
    }

    private static Stream<Duration> timeouts(ListenerConfig c) {
        Stream<Duration> proxy = c.proxy().protocol() == ListenerConfig.ProxyProtocol.NONE
                ? Stream.empty() : Stream.of(c.proxy().headerTimeout());
        Timeouts t = c.timeouts();
        return Stream.of(Stream.of(t.idleTimeout(), t.writeTimeout(), t.maxLifetime(), t.receiveRateWindow()),
                c.tls().map(TlsConfig::handshakeTimeout).stream(), proxy).flatMap(s -> s);
    }

    private static Duration clamp(Duration d) {
        Duration min = Duration.ofMillis(10);
        Duration max = Duration.ofSeconds(1);
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }

    void start(ThreadCount threads) {
        thread = threads.start(Thread.ofVirtual().name("loomport watchdog"), this::run);
    }

    private void run() {
        while (!stopped) {
            try {
                Thread.sleep(tick);
            } catch (InterruptedException e) {
                continue; // stop() interrupts; the loop condition decides
            }
            long now = System.nanoTime();
            for (Listener listener : listeners) {
                listener.checkTimeouts(now);
            }
        }
    }

    void stop() {
        stopped = true;
        if (thread != null) { // null: starting it failed
            thread.interrupt();
            Engine.joinUninterruptibly(thread);
        }
    }
}
