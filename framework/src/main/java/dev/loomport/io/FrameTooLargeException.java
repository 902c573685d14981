package dev.loomport.io;

import java.io.IOException;

/**
 * A line or frame from the peer is longer than the limit its reader was given. Thrown before more than
 * the limit is held in memory; the reader is unusable afterwards (it stopped inside the frame), so the
 * connection should end. loomport counts a connection whose handler lets it through under its own
 * outcome, {@code frame-too-large}, not as a handler error.
 */
public final class FrameTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long limit;
    private final long seen;

    /**
     * @param what  what was too large, such as "line" or "frame"
     * @param limit the largest allowed, in bytes
     * @param seen  how large it is, in bytes: the declared length of a length-prefixed frame, or the
     *              bytes read so far of a line that has not ended ("at least")
     * @param atLeast whether {@code seen} is only what was read before giving up
     */
    public FrameTooLargeException(String what, long limit, long seen, boolean atLeast) {
        super(what + " longer than the limit of " + limit + " bytes: " + (atLeast ? "at least " : "") + seen + " bytes");
        this.limit = limit;
        this.seen = seen;
    }

    /** The limit, in bytes. */
    public long limit() {
        return limit;
    }

    /** The size seen, in bytes (for a line, what was read before giving up: a lower bound). */
    public long seen() {
        return seen;
    }
}
