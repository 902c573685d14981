package dev.loomport.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The array a reader parked with nothing queued offers its loop, so that the loop reads the socket straight
 * into it: a message that finds its reader waiting (every message of a ping-pong) costs no array of its own
 * and is copied once, as on the JDK's path. The reader fills the fields and then publishes the offer; the
 * loop takes it (compare-and-set), reads, and publishes what it put there; the reader withdraws it after
 * its wait, taking what was put there. Between take and fill the loop is in one non-blocking read and one
 * copy, so a reader withdrawing then spins briefly instead of parking.
 */
final class ReadOffer {
    private static final int NONE = 0;
    private static final int OFFERED = 1;
    private static final int TAKEN = 2;
    private static final int FILLED = 3;
    private static final VarHandle STATE = Fields.of(MethodHandles.lookup(), "state", int.class);

    private volatile int state;
    // Written by the reader before OFFERED, read by the loop after it took the offer (the volatile state
    // orders both); filled is the loop's, written before FILLED.
    private byte[] into;
    private int off;
    private int len;
    private int filled;

    /** The reader: {@code b[off..off+len)} may receive what the loop reads next. */
    void offer(byte[] b, int off, int len) {
        this.into = b;
        this.off = off;
        this.len = len;
        this.filled = 0;
        state = OFFERED;
    }

    /** Whether the loop has put bytes in the offered array: the reader's wait is over. */
    boolean filled() {
        return state == FILLED;
    }

    /** The loop: the offered length if it now holds the offer (then it must {@link #fill} or {@link #decline}), else 0. */
    int take() {
        return STATE.compareAndSet(this, OFFERED, TAKEN) ? len : 0;
    }

    /** The loop: puts {@code n} bytes of {@code from} (flipped, at most the offered length) in the offered array. */
    void fill(ByteBuffer from, int n) {
        from.get(into, off, n);
        filled = n;
        state = FILLED;
    }

    /** The loop: read nothing into the offer after all; it stands for the next readiness. */
    void decline() {
        state = OFFERED;
    }

    /** The reader, after its wait: how many bytes the loop put in its array, 0 if none (the offer is then withdrawn). */
    int withdraw() {
        while (true) {
            int s = state;
            if (s == OFFERED && STATE.compareAndSet(this, OFFERED, NONE)) {
                into = null;
                return 0;
            }
            if (s == FILLED) {
                int n = filled;
                into = null;
                state = NONE;
                return n;
            }
            Thread.onSpinWait(); // TAKEN: the loop is reading into the array this moment
        }
    }
}
