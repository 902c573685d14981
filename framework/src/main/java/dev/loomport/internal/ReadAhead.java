package dev.loomport.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What a loop read of one connection while its reader was not waiting, in order, and what that holds
 * against the read-ahead bound ({@link LoopChannel#MAX_BUFFERED}). The loop adds chunks, the one reader
 * (under its lock) takes them; the two counts are fields with atomic adds rather than Atomic* objects,
 * which would add two headers to every held connection.
 */
final class ReadAhead {
    private static final VarHandle BUFFERED = Fields.of(MethodHandles.lookup(), "buffered", int.class);
    private static final VarHandle HELD = Fields.of(MethodHandles.lookup(), "held", int.class);

    private final Queue<byte[]> arrived = new ConcurrentLinkedQueue<>();
    private volatile int buffered; // unread bytes: available()
    /** Unread bytes plus {@link LoopChannel#CHUNK_OVERHEAD} per queued chunk: what the pause is decided on. */
    private volatile int held;
    private byte[] current; // the reader's: the chunk it reads from pos on
    private int pos;

    /** Whether no chunk is queued (the reader may still be in {@code current}). */
    boolean isEmpty() {
        return arrived.isEmpty();
    }

    /** The loop: how much more it may read ahead now; at most 0 once the bound is reached. */
    int room() {
        return LoopChannel.MAX_BUFFERED - held;
    }

    /**
     * The loop: queues {@code n} bytes of {@code from} (flipped); true once the bound is reached. Each chunk
     * is charged its overhead too, so that a client sending a byte at a time cannot make the queue hold
     * many times the bound in array headers and nodes.
     */
    boolean add(ByteBuffer from, int n) {
        byte[] chunk = new byte[n];
        from.get(chunk);
        arrived.add(chunk);
        BUFFERED.getAndAdd(this, n);
        return (int) HELD.getAndAdd(this, n + LoopChannel.CHUNK_OVERHEAD) + n + LoopChannel.CHUNK_OVERHEAD
                >= LoopChannel.MAX_BUFFERED;
    }

    /** The reader: copies at most {@code len} queued bytes into {@code b} at {@code off}; 0 if none is queued. */
    int take(byte[] b, int off, int len) {
        if (current == null || pos == current.length) {
            current = arrived.poll();
            pos = 0;
            if (current == null) {
                return 0;
            }
            HELD.getAndAdd(this, -LoopChannel.CHUNK_OVERHEAD);
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        BUFFERED.getAndAdd(this, -n);
        HELD.getAndAdd(this, -n);
        return n;
    }

    /** Bytes read ahead and not yet taken. */
    int available() {
        return Math.max(0, buffered);
    }
}
