package dev.loomport.internal;

import dev.loomport.BoundListener;
import dev.loomport.ConnectionInfo;
import dev.loomport.ListenerConfig;
import dev.loomport.ServerConfig;
import dev.loomport.spi.ConnectionHandler;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What {@link dev.loomport.Server} stands on: starts every listener or none, and stops them all.
 *
 * <p>Ownership: the engine owns its listeners and the watchdog; a listener owns its accept loop and its
 * connections; a connection owns its scopes' subtasks. Stopping walks that tree from the top and
 * returns only when every thread in it has ended.
 *
 * <pre>
 *  RUNNING ──shutdown(grace)──▶ DRAINING ──no connection left, or deadline──▶ (close the rest) ─▶ TERMINATED
 *           stop accepting,                 close() meanwhile: deadline = now
 *           tell handlers
 * </pre>
 */
public final class Engine {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    private enum State { RUNNING, DRAINING, TERMINATED }

    private final MeterRegistry meterRegistry;
    private final ThreadCount threads = new ThreadCount();
    private final AtomicLong ids = new AtomicLong();
    private final List<Listener> listeners = new ArrayList<>();
    /** One TLS reload at a time per server, so that "all listeners or none" holds when two arrive together. */
    private final ReentrantLock reloading = new ReentrantLock();
    private Watchdog watchdog;
    private volatile IoLoops ioLoops; // started with the first listener on the loop path; null: none is
    private Pinning pinning = Pinning.OFF;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile State state = State.RUNNING;
    private long deadline; // nanoTime; guarded by lock

    private Engine(MeterRegistry meterRegistry) {
        this.meterRegistry = meterRegistry;
    }

    /**
     * Finds and configures every listener's handler, then binds every listener; only when all are bound
     * does any start accepting. On any failure whatever was bound is closed again.
     */
    public static Engine start(ServerConfig config) throws IOException {
        return start(config, listener -> { });
    }

    /**
     * {@link #start(ServerConfig)}, with {@code beforeAccepting} called before each listener starts its
     * accept loop: tests throw from it to check that a failure after binding leaves nothing behind.
     */
    static Engine start(ServerConfig config, Consumer<Listener> beforeAccepting) throws IOException {
        HandlerRegistry registry = HandlerRegistry.load(config.plugins());
        List<String> names = names(config.listeners());
        List<ConnectionHandler> handlers = new ArrayList<>();
        try {
            for (int i = 0; i < names.size(); i++) {
                ListenerConfig listener = config.listeners().get(i);
                handlers.add(Plugins.create(registry.get(listener.handler()), names.get(i), listener));
            }
        } catch (RuntimeException e) {
            Plugins.close(handlers, names); // a start that fails releases what the plug-ins made for it
            throw e;
        }
        List<TlsHandshaker> tls = new ArrayList<>(); // read every key file before anything binds
        try {
            for (int i = 0; i < names.size(); i++) {
                var given = config.listeners().get(i).tls();
                tls.add(given.isPresent() ? TlsHandshaker.load(names.get(i), given.get()) : null);
            }
        } catch (IOException | RuntimeException e) {
            Plugins.close(handlers, names);
            throw e;
        }

        Engine engine = new Engine(config.meterRegistry());
        try {
            for (int i = 0; i < names.size(); i++) {
                engine.listeners.add(Listener.bind(names.get(i), config.listeners().get(i), handlers.get(i), tls.get(i),
                        engine));
            }
        } catch (IOException | RuntimeException e) {
            engine.listeners.forEach(Listener::stopAccepting);
            engine.listeners.forEach(l -> l.metrics().close());
            Plugins.close(handlers, names);
            throw e;
        }
        try {
            engine.watchdog = Watchdog.forListeners(engine.listeners);
            if (engine.watchdog != null) {
                engine.watchdog.start(engine.threads);
            }
            for (Listener listener : engine.listeners) {
                if (listener.onLoops() && engine.ioLoops == null) {
                    engine.ioLoops = IoLoops.start(engine.threads);
                }
                beforeAccepting.accept(listener);
                listener.start();
                LOG.log(Level.DEBUG, () -> "listening " + listener.bound().handlerName() + " "
                        + listener.bound().hostAndPort() + " (listener " + listener.name() + ")");
            }
            engine.pinning = Pinning.start(config.pinningThreshold(), engine.meterRegistry, engine.listeners(),
                    engine.threads);
        } catch (IOException | RuntimeException | Error e) { // a thread that would not start: no Server to close what is bound
            try {
                engine.shutdown(Duration.ZERO);
            } catch (RuntimeException | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return engine;
    }

    /** Explicit names as given; a missing one is the handler's name, made unique by -2, -3, ... */
    private static List<String> names(List<ListenerConfig> configs) {
        Set<String> taken = new HashSet<>();
        for (ListenerConfig c : configs) {
            if (c.name() != null && !taken.add(c.name())) {
                throw new IllegalArgumentException("two listeners are named '" + c.name() + "'");
            }
        }
        List<String> names = new ArrayList<>();
        for (ListenerConfig c : configs) {
            String name = c.name();
            if (name == null) {
                name = c.handler();
                for (int n = 2; !taken.add(name); n++) {
                    name = c.handler() + "-" + n;
                }
            }
            names.add(name);
        }
        return names;
    }

    public List<BoundListener> listeners() {
        return listeners.stream().map(Listener::bound).toList();
    }

    /** Re-reads the key material of every TLS listener: all of it, or none if any file is bad. */
    public List<String> reloadTls() throws IOException {
        reloading.lock();
        try {
            return TlsHandshaker.reloadAll(listeners.stream().map(Listener::tls).filter(t -> t != null).toList());
        } finally {
            reloading.unlock();
        }
    }

    /**
     * Stops accepting, tells handlers the server is draining, waits up to {@code grace} for connections
     * to end, then closes the rest and waits for every thread. A second call, from any thread, waits for
     * the first to finish, and shortens its grace period if it asks for less.
     *
     * @throws WrongThreadException when called from one of this server's own threads (a handler, a
     *         subtask): it would wait for itself to end
     */
    public void shutdown(Duration grace) {
        if (threads.countsCurrentThread()) {
            throw new WrongThreadException("a server cannot be stopped from one of its own threads ("
                    + Thread.currentThread().getName() + "): it would wait for itself to end");
        }
        boolean coordinator;
        lock.lock();
        try {
            long asked = saturatedDeadline(grace);
            coordinator = state == State.RUNNING;
            if (coordinator) {
                state = State.DRAINING;
                deadline = asked;
            } else if (asked - deadline < 0) {
                deadline = asked;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (!coordinator) {
            awaitTerminationUninterruptibly();
            return;
        }
        boolean interrupted = false;
        try {
            listeners.forEach(Listener::stopAccepting);
            int open = activeConnections();
            if (open > 0 && !grace.isZero()) {
                LOG.log(Level.INFO, () -> "draining: waiting up to " + grace + " for " + open + " connection(s)");
            }
            listeners.forEach(Listener::drain);
            interrupted = awaitDrainedOrDeadline();
        } finally {
            // Whatever happened above, a stop ends with nothing left running: close the rest and wait.
            StopReport report = new StopReport(listeners);
            int left = activeConnections();
            if (left > 0 && !grace.isZero()) {
                LOG.log(Level.INFO, () -> "grace period over: closing " + left + " connection(s) still open");
                report.stillWaiting("at the end of the grace period");
            }
            listeners.forEach(Listener::stopAccepting); // idempotent; here in case it failed above
            listeners.forEach(Listener::abortAll);
            for (Listener listener : listeners) {
                while (!listener.awaitConnections(StopReport.PERIOD_NANOS)) {
                    report.stillWaiting("after closing them");
                }
            }
            if (ioLoops != null) {
                ioLoops.stop(); // no connection is left for them to serve
            }
            pinning.close(); // after the last connection thread, before termination is signalled
            listeners.forEach(l -> l.metrics().close());
            // Every connection has ended: each handler may release what its plug-in made for it.
            Plugins.close(listeners.stream().map(Listener::handler).toList(),
                    listeners.stream().map(Listener::name).toList());
            if (watchdog != null) {
                watchdog.stop();
            }
            state = State.TERMINATED;
            terminated.countDown();
            LOG.log(Level.DEBUG, "stopped");
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until no connection is open or the deadline (which a later stop may shorten) passes. */
    private boolean awaitDrainedOrDeadline() {
        boolean interrupted = false;
        lock.lock();
        try {
            long left;
            while (activeConnections() > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true; // an interrupted stop stops at once
                    deadline = System.nanoTime();
                }
            }
        } finally {
            lock.unlock();
        }
        return interrupted;
    }

    private static long saturatedDeadline(Duration grace) {
        long now = System.nanoTime();
        long nanos;
        try {
            nanos = grace.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE / 2;
        }
        return now + Math.min(nanos, Long.MAX_VALUE / 2);
    }

    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    private void awaitTerminationUninterruptibly() {
        uninterruptibly(terminated::await);
    }

    static void joinUninterruptibly(Thread thread) {
        uninterruptibly(thread::join);
    }

    private interface Wait {
        void await() throws InterruptedException;
    }

    /** Waits to the end even if interrupted, then restores the interrupt for the caller to see. */
    private static void uninterruptibly(Wait wait) {
        boolean interrupted = false;
        while (true) {
            try {
                wait.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a stop is under way: begun, not yet over; false before it and once the server has terminated. */
    public boolean isDraining() {
        return state == State.DRAINING;
    }

    public boolean isTerminated() {
        return state == State.TERMINATED;
    }

    /** At most {@code limit} open connections, newest first (see {@link ConnectionSnapshot}). */
    public List<ConnectionInfo> connections(int limit) {
        return ConnectionSnapshot.newest(listeners, limit);
    }

    public int activeConnections() {
        int n = 0;
        for (Listener l : listeners) {
            n += l.openCount();
        }
        return n;
    }

    /**
     * Threads this server started that have not ended: accept loops, connections, subtasks, watchdog,
     * the I/O loops and their wakers, and the pinning monitor's stream thread.
     */
    public int liveThreads() {
        return threads.live();
    }

    MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    ThreadCount threads() {
        return threads;
    }

    /** The I/O loops; only a listener on the loop path asks, after the engine started them for it. */
    IoLoops ioLoops() {
        return ioLoops;
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    /** A connection ended: wake a shutdown that waits for the last one. */
    void connectionEnded() {
        if (state == State.DRAINING) {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
