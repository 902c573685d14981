package dev.loomport;

/**
 * The socket options one listener binds with and sets on every socket it accepts. Immutable and checked
 * when made: an error names the option and the value. Start from {@link #DEFAULTS} and change what
 * differs with the {@code with...} methods.
 *
 * @param backlog accept queue length, at least 1; default 1024. The kernel caps it
 *        ({@code net.core.somaxconn} on Linux)
 * @param reuseAddress {@code SO_REUSEADDR} on the listening socket; default true
 * @param reusePort {@code SO_REUSEPORT}: several processes share the port; default false. Start fails
 *        where the OS lacks it
 * @param tcpNoDelay {@code TCP_NODELAY} on accepted sockets; default true
 * @param keepAlive {@code SO_KEEPALIVE} on accepted sockets; default false
 * @param receiveBufferSize {@code SO_RCVBUF} in bytes, 0 to {@link ListenerConfig#MAX_BUFFER_SIZE};
 *        default {@value #DEFAULT_BUFFER_SIZE}; 0 = the OS's default and its auto-tuning (on Linux up to
 *        {@code tcp_rmem}'s maximum, 6 MiB). Set on the listening socket, so accepted sockets inherit it
 *        before the handshake that sizes the TCP window
 * @param sendBufferSize {@code SO_SNDBUF} in bytes, 0 to {@link ListenerConfig#MAX_BUFFER_SIZE};
 *        default {@value #DEFAULT_BUFFER_SIZE}; 0 = the OS's default and its auto-tuning (on Linux up to
 *        {@code tcp_wmem}'s maximum, 4 MiB)
 * @param ioPath how accepted sockets' bytes reach their handler ({@link IoPath}); default
 *        {@link IoPath#DEFAULT}: the framework's readiness loops on JDK 21, the JDK's own path elsewhere
 */
public record SocketOptions(int backlog, boolean reuseAddress, boolean reusePort, boolean tcpNoDelay,
        boolean keepAlive, int receiveBufferSize, int sendBufferSize, IoPath ioPath) {

    /**
     * The options as loomport 0.1 had them, served on {@link IoPath#DEFAULT}: kept so that code compiled
     * against that constructor still links.
     */
    public SocketOptions(int backlog, boolean reuseAddress, boolean reusePort, boolean tcpNoDelay,
            boolean keepAlive, int receiveBufferSize, int sendBufferSize) {
        this(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize, sendBufferSize, IoPath.DEFAULT);
    }

    /**
     * How a listener's plain-TCP connections are served. Either way the handler sees the same blocking
     * streams with the same semantics (interrupts and closes that wake a blocked read or write at once,
     * half-close, every timeout and limit); they differ only in speed, by JDK (docs/performance.md,
     * "Issue 18"). A TLS listener always takes {@link #JDK}.
     */
    public enum IoPath {
        /**
         * {@link #LOOP} on JDK 21, where it measured faster, {@link #JDK} on every later JDK; the system
         * property {@code dev.loomport.io} ({@code jdk} or {@code loop}) overrides this default (and only
         * it) for the whole process.
         */
        DEFAULT,
        /** The JDK's path: a virtual thread blocked in a {@code java.net.Socket} read or write. */
        JDK,
        /**
         * The framework's own: non-blocking sockets watched by two readiness loops (NIO selectors on
         * threads the server owns) that keep read interest registered, read on readiness into the
         * connection's buffer (at most 64 KiB ahead of the handler) and wake the one thread that waits.
         */
        LOOP
    }

    /**
     * The default socket buffers, each way: 128 KiB. Bounded rather than the OS's auto-tuning so that a
     * client that stops reading (or a handler that stops reading) pins little kernel memory (Linux
     * accounts twice the size asked for: 256 KiB a direction), and so that a blocked write wakes often
     * enough for the write timeout to see a slow reader's progress (docs/limits.md). Ample on loopback and
     * in a data centre; a bulk transfer over a long path may want more, or 0.
     */
    public static final int DEFAULT_BUFFER_SIZE = 128 * 1024;

    /** Every default: backlog 1024, {@code SO_REUSEADDR} and {@code TCP_NODELAY} on, 128 KiB buffers. */
    public static final SocketOptions DEFAULTS = new SocketOptions(1024, true, false, true, false,
            DEFAULT_BUFFER_SIZE, DEFAULT_BUFFER_SIZE, IoPath.DEFAULT);

    /** @throws IllegalArgumentException naming the option and the value that is out of range */
    public SocketOptions {
        OptionChecks.atLeast("backlog", backlog, 1);
        OptionChecks.bufferSize("receiveBufferSize", receiveBufferSize);
        OptionChecks.bufferSize("sendBufferSize", sendBufferSize);
        java.util.Objects.requireNonNull(ioPath, "ioPath");
    }

    public SocketOptions withBacklog(int backlog) {
        return new SocketOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize,
                sendBufferSize, ioPath);
    }

    public SocketOptions withReuseAddress(boolean on) {
        return new SocketOptions(backlog, on, reusePort, tcpNoDelay, keepAlive, receiveBufferSize, sendBufferSize, ioPath);
    }

    public SocketOptions withReusePort(boolean on) {
        return new SocketOptions(backlog, reuseAddress, on, tcpNoDelay, keepAlive, receiveBufferSize, sendBufferSize, ioPath);
    }

    public SocketOptions withTcpNoDelay(boolean on) {
        return new SocketOptions(backlog, reuseAddress, reusePort, on, keepAlive, receiveBufferSize, sendBufferSize, ioPath);
    }

    public SocketOptions withKeepAlive(boolean on) {
        return new SocketOptions(backlog, reuseAddress, reusePort, tcpNoDelay, on, receiveBufferSize, sendBufferSize, ioPath);
    }

    public SocketOptions withReceiveBufferSize(int bytes) {
        return new SocketOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, bytes, sendBufferSize, ioPath);
    }

    public SocketOptions withSendBufferSize(int bytes) {
        return new SocketOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize, bytes, ioPath);
    }

    public SocketOptions withIoPath(IoPath path) {
        return new SocketOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive, receiveBufferSize,
                sendBufferSize, path);
    }
}
