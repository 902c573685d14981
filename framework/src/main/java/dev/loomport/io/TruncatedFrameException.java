package dev.loomport.io;

import java.io.EOFException;

/**
 * The stream ended inside a line, a frame or a fixed-size read: the peer closed (or half-closed) before
 * sending all of it. Distinct from a clean end of stream between frames, which the reading methods
 * report by returning {@code null}.
 */
public final class TruncatedFrameException extends EOFException {
    private static final long serialVersionUID = 1L;
    private final long expected;
    private final long received;

    /**
     * @param what     what was cut short, such as "line" or "frame"
     * @param expected the bytes it should have had, or -1 when unknown (a line has no declared length)
     * @param received the bytes of it that arrived
     */
    public TruncatedFrameException(String what, long expected, long received) {
        super("end of stream inside a " + what + " after " + received + " bytes"
                + (expected >= 0 ? " of " + expected : ""));
        this.expected = expected;
        this.received = received;
    }

    /** The bytes it should have had, or -1 when unknown. */
    public long expected() {
        return expected;
    }

    /** The bytes of it that arrived before the end of stream. */
    public long received() {
        return received;
    }
}
