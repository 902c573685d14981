package dev.loomport.internal;

/** How a connection ended: the {@code outcome} tag of {@code loomport.closed.connections}. */
enum Outcome {
    /** The handler returned after the client had shut down its output (read returned -1). */
    CLIENT_CLOSED("client-closed"),
    /** The handler returned while the client was still sending: the server chose to end it. */
    SERVER_CLOSED("server-closed"),
    /** Reading or writing the client's socket failed: reset, broken pipe. */
    CLIENT_RESET("client-reset"),
    /** The handler threw something that was not the client's socket failing; the client gets a RST. */
    ERROR("error"),
    /**
     * The client sent a line or frame over the limit the handler read it with: the handler let a
     * {@code dev.loomport.io.FrameTooLargeException} through. The client's doing, not a handler error.
     */
    FRAME_TOO_LARGE("frame-too-large"),
    /** No byte read or written for the listener's idle timeout. */
    IDLE_TIMEOUT("idle-timeout"),
    /** A write made no progress for the listener's write timeout: the client stopped reading. */
    WRITE_TIMEOUT("write-timeout"),
    /** Open longer than the listener's maximum lifetime. */
    LIFETIME("lifetime"),
    /** The handler waited to read longer than the client's bytes paid for: below the minimum receive rate. */
    TOO_SLOW("too-slow"),
    /** Still open when the server closed, or when its grace period ran out. */
    SHUTDOWN("shutdown"),
    /** The TLS handshake failed, or did not finish within the handshake timeout (the set-up deadline
     * while the TLS step runs); the handler never saw the connection. */
    TLS_HANDSHAKE("tls-handshake"),
    /**
     * The listener expects a PROXY protocol header and the peer sent a malformed, truncated or oversized
     * one, something else, or not all of it within the header timeout (the set-up deadline while the
     * PROXY step runs). The handler never ran.
     */
    PROXY_HEADER("proxy-header"),
    /**
     * The listener expects a PROXY protocol header and the peer is not in its trusted networks: closed
     * before reading a byte, so nobody can claim another's address. The handler never ran.
     */
    PROXY_UNTRUSTED("proxy-untrusted");

    private final String tag;

    Outcome(String tag) {
        this.tag = tag;
    }

    String tag() {
        return tag;
    }
}
