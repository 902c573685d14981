package dev.loomport.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.util.concurrent.locks.LockSupport;

/**
 * A loop-path connection's registration with its {@link IoLoop}: none until the connection first has to
 * wait, then one key kept for its life (read interest stays on, level-triggered: no re-arm per message,
 * the point of the loop path for held connections). A connection served without ever waiting costs its
 * loop nothing: no registration, no wakeup, no deregistration. Registering is the connection's own
 * threads' work, never the accept thread's.
 */
final class LoopKey {
    private static final VarHandle REGISTERING = Fields.of(MethodHandles.lookup(), "registering", boolean.class);

    private final IoLoop loop;
    private volatile SelectionKey key;    // null until the first wait
    private volatile boolean registering; // a reader and a writer may both wait first: one registers (REGISTERING)

    LoopKey(IoLoop loop) {
        this.loop = loop;
    }

    /** Whether the connection has registered (it has had to wait). */
    boolean registered() {
        return key != null;
    }

    /** For a test that plays the loop: {@code k} is the connection's key. */
    void set(SelectionKey k) {
        key = k;
    }

    /** The loop's: turns {@code op} off; the key is known, as the loop only hears of a registered channel. */
    void off(int op) {
        key.interestOpsAnd(~op);
    }

    /** Turns {@code op} on, registering {@code owner}'s channel first if it is not yet. */
    void on(int op, LoopChannel owner) throws IOException {
        SelectionKey k = key;
        if (k == null) {
            k = register(owner);
        }
        try {
            k.interestOpsOr(op); // seen at the loop's next select, which the wakeup makes now
        } catch (CancelledKeyException e) {
            throw new SocketException("Socket closed");
        }
        loop.wakeup();
    }

    /**
     * After the owner closed its channel: the JDK releases a registered channel's descriptor only when its
     * selector drops the cancelled key, at the loop's next select; the wakeup makes that now, so that an idle
     * loop holds no closed descriptors. A wakeup while one is pending does nothing: a burst of closes costs one.
     */
    void closed() {
        if (key != null) { // else a registration racing with the close sees the close (register)
            loop.wakeup();
        }
    }

    /**
     * Registers with no interest, so that the loop cannot find the channel ready before {@code key} is set
     * (a client that sent and closed at once); the caller turns interest on after. A close racing with this
     * either sees the key ({@link #closed}) or is seen here, and the loop is woken either way.
     */
    private SelectionKey register(LoopChannel owner) throws IOException {
        // Not a lock: a writer that registered and parked holds the connection's write lock, and a reader
        // must never wait for it; the one registering is in a single non-blocking call.
        while (!REGISTERING.compareAndSet(this, false, true)) {
            if (key != null) {
                return key;
            }
            // Park, never spin: since JDK 24 the registrant gives up its carrier while it waits for a monitor
            // inside channel.register, and spinners holding every carrier would keep it from ever finishing.
            LockSupport.parkNanos(10_000);
        }
        try {
            SelectionKey k = key;
            if (k == null) {
                try {
                    k = loop.register(owner.channel(), owner);
                } catch (ClosedChannelException e) {
                    throw new SocketException("Socket closed", e);
                }
                key = k;
                if (owner.isClosed()) {
                    loop.wakeup();
                    throw new SocketException("Socket closed");
                }
            }
            return k;
        } finally {
            registering = false;
        }
    }
}
