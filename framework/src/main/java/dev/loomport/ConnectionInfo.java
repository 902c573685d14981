package dev.loomport;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of one open connection, for a live view of a server: who it is, how long it has been open,
 * how many bytes went each way, when it last moved a byte, and what its handler's thread is doing.
 *
 * <p>{@link Server#connections(int)} returns these, newest first, at most {@code limit} of them, so a
 * page over 10,000 open connections stays small. The byte counts are the handler's (after TLS: the
 * decrypted bytes); {@code activity} is the handler's own thread's, not its subtasks'.
 *
 * @param id            the connection's id, as in its log lines and thread name
 * @param listener      the listener's name
 * @param handler       the handler's name
 * @param remoteAddress the client's address and port (from the PROXY protocol header when there was one)
 * @param opened        when it was accepted
 * @param bytesIn       bytes read from the client so far
 * @param bytesOut      bytes written to the client so far
 * @param lastActive    when a byte last moved either way (the accept time if none has)
 * @param activity      what the handler's thread is doing now
 */
public record ConnectionInfo(long id, String listener, String handler, InetSocketAddress remoteAddress,
        Instant opened, long bytesIn, long bytesOut, Instant lastActive, Activity activity) {

    /** What a connection's handler thread is doing at the moment of the snapshot. */
    public enum Activity {
        /** Blocked reading the client's bytes. */
        READING,
        /** Blocked writing to the client (its buffers are full, or the write is under way). */
        WRITING,
        /** Waiting for subtasks it forked ({@code TaskScope.join}). */
        IN_SUBTASK,
        /** Running the handler's own code, or blocked on something that is not the socket. */
        RUNNING
    }

    public ConnectionInfo {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(opened, "opened");
        Objects.requireNonNull(lastActive, "lastActive");
        Objects.requireNonNull(activity, "activity");
        if (bytesIn < 0 || bytesOut < 0) {
            throw new IllegalArgumentException("byte counts must not be negative: in " + bytesIn + ", out " + bytesOut);
        }
    }
}
