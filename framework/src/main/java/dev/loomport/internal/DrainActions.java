package dev.loomport.internal;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * A connection's drain actions ({@code Connection.onDrain}): registered by its handler, run once, in
 * order, on a thread of the listener's when the server starts draining, and interrupted when the
 * connection ends if they are still running then, so that they end with it at the latest.
 */
final class DrainActions {
    private static final System.Logger LOG = System.getLogger(DrainActions.class.getName());
    private static final VarHandle ACTIONS = Fields.of(MethodHandles.lookup(), "actions", List.class);

    private final SocketConnection connection;
    private volatile List<Runnable> actions = List.of(); // replaced whole (ACTIONS); null once drained
    private volatile Thread running;  // the thread running the actions, while it does
    private volatile boolean ended;   // the connection has ended: the actions are to stop

    DrainActions(SocketConnection connection) {
        this.connection = connection;
    }

    /** Registers {@code action}; runs it at once, on the calling thread, if the server is draining already. */
    void add(Runnable action) {
        Objects.requireNonNull(action, "action");
        while (true) { // registering is rare: copy the list, swap it in unless a drain or another action came first
            List<Runnable> current = actions;
            if (current == null) {
                break; // already draining: run it now
            }
            List<Runnable> more = new ArrayList<>(current); // never changed once swapped in
            more.add(action);
            if (ACTIONS.compareAndSet(this, current, more)) {
                return;
            }
        }
        run(action);
    }

    /**
     * The server is draining: runs the actions, if any, through {@code runner} (a thread of the
     * listener's), so that an action that blocks cannot hold up the stop.
     */
    @SuppressWarnings("unchecked")
    void drain(Executor runner) {
        List<Runnable> registered = (List<Runnable>) ACTIONS.getAndSet(this, null);
        if (registered != null && !registered.isEmpty()) {
            runner.execute(() -> runAll(registered));
        }
    }

    private void runAll(List<Runnable> registered) {
        Thread.currentThread().setName("loomport " + connection.listener().name() + "#" + connection.id() + " drain");
        running = Thread.currentThread();
        try {
            for (Runnable action : registered) {
                if (ended) {
                    break;
                }
                run(action);
            }
        } finally {
            running = null;
        }
    }

    /** The connection has ended: an action still running is interrupted, and those not begun never run. */
    void connectionEnded() {
        ended = true;
        Thread thread = running;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run(Runnable action) {
        try {
            action.run();
        } catch (Throwable t) { // a stop must go on whatever the handler's action does
            LOG.log(Level.WARNING, connection.prefix() + "drain action failed", t);
        }
    }
}
