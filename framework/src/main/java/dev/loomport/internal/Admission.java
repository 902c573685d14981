package dev.loomport.internal;

import dev.loomport.Limits;
import dev.loomport.ListenerConfig;
import dev.loomport.internal.ListenerMetrics.RejectReason;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * A listener's admission limits: the connection slots ({@code maxConnections}) and the count of open
 * connections per source address ({@code maxConnectionsPerSource}). A limit that is off is an object that
 * never refuses, so the accept loop has one path whatever is configured.
 */
final class Admission {
    private final Slots slots;
    private final PerSource perSource;
    private final boolean backpressure;

    Admission(Limits limits) {
        this.slots = limits.maxConnections() > 0 ? new Limited(limits.maxConnections()) : Slots.NONE;
        this.perSource = limits.maxConnectionsPerSource() > 0
                ? new Counted(limits.maxConnectionsPerSource()) : PerSource.NONE;
        this.backpressure = limits.overflow() == ListenerConfig.Overflow.BACKPRESSURE;
    }

    /**
     * With {@code BACKPRESSURE}, waits for a slot before accepting (the kernel's backlog holds newcomers
     * meanwhile) and returns true: the caller holds a slot. Otherwise returns false at once.
     */
    boolean awaitSlot() throws InterruptedException {
        if (!backpressure) {
            return false;
        }
        slots.acquire();
        return true;
    }

    /**
     * Admits a connection from {@code source}: takes a slot unless {@code slotHeld}, and counts the source.
     * Returns {@code null} when admitted (the connection holds both until {@link #release}), or the limit
     * that refused it, having given back whatever it held, the caller's slot included.
     */
    RejectReason admit(InetAddress source, boolean slotHeld) {
        if (!slotHeld && !slots.tryAcquire()) {
            return RejectReason.MAX_CONNECTIONS;
        }
        if (!perSource.acquire(source)) {
            slots.release();
            return RejectReason.PER_SOURCE;
        }
        return null;
    }

    /** Gives back what an admitted connection from {@code source} held. */
    void release(InetAddress source) {
        slots.release(); // first: whoever sees a connection end can connect and be admitted
        perSource.release(source);
    }

    /** Gives back a slot taken by {@link #awaitSlot()} for a socket that was never admitted. */
    void releaseSlot() {
        slots.release();
    }

    /** Connection slots: a semaphore, or none to run out of. */
    private interface Slots {
        Slots NONE = new Slots() {
            @Override public void acquire() { }
            @Override public boolean tryAcquire() { return true; }
            @Override public void release() { }
        };

        void acquire() throws InterruptedException;
        boolean tryAcquire();
        void release();
    }

    private static final class Limited implements Slots {
        private final Semaphore permits;

        Limited(int max) {
            permits = new Semaphore(max);
        }

        @Override public void acquire() throws InterruptedException { permits.acquire(); }
        @Override public boolean tryAcquire() { return permits.tryAcquire(); }
        @Override public void release() { permits.release(); }
    }

    /** Open connections per remote address: counted, or not at all. */
    private interface PerSource {
        PerSource NONE = new PerSource() {
            @Override public boolean acquire(InetAddress source) { return true; }
            @Override public void release(InetAddress source) { }
        };

        boolean acquire(InetAddress source);
        void release(InetAddress source);
    }

    private static final class Counted implements PerSource {
        private final int max;
        private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();

        Counted(int max) {
            this.max = max;
        }

        @Override
        public boolean acquire(InetAddress source) {
            boolean[] acquired = {false};
            open.compute(source, (address, count) -> {
                int n = count == null ? 0 : count;
                if (n >= max) {
                    return count;
                }
                acquired[0] = true;
                return n + 1;
            });
            return acquired[0];
        }

        @Override
        public void release(InetAddress source) {
            open.computeIfPresent(source, (address, count) -> count == 1 ? null : count - 1);
        }
    }
}
