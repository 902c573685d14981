package dev.loomport.internal;

import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The scopes a connection's threads have opened, newest first, and which connection the current thread
 * serves: only a connection's handler and its subtasks may open scopes of its. Made by a connection's
 * first {@code openScope}: most connections never open one, so most hold none of this.
 */
final class ConnectionScopes {
    /** The connection whose handler or subtask the current thread runs. */
    private static final ThreadLocal<SocketConnection> CURRENT = new ThreadLocal<>();

    private final ConcurrentLinkedDeque<VirtualTaskScope> opened = new ConcurrentLinkedDeque<>();

    /** Makes the calling thread (the handler's, or a subtask's) one of {@code connection}'s. */
    static void adopt(SocketConnection connection) {
        CURRENT.set(connection);
    }

    /** Whether the calling thread is {@code connection}'s handler or one of its subtasks. */
    static boolean serves(SocketConnection connection) {
        return CURRENT.get() == connection;
    }

    void add(VirtualTaskScope scope) {
        opened.addFirst(scope);
    }

    void remove(VirtualTaskScope scope) {
        opened.remove(scope);
    }

    /**
     * Closes, newest first, the scopes that {@code owner} opened ({@code null}: every scope): inner
     * scopes end before the scopes whose subtasks opened them.
     */
    void closeOwnedBy(Thread owner) {
        for (VirtualTaskScope scope : opened) {
            if (owner == null || scope.owner() == owner) {
                scope.forceClose();
            }
        }
    }
}
