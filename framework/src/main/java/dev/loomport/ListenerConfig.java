package dev.loomport;

import dev.loomport.internal.HostPort;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One listener: a host and port to accept on, the name of the handler that serves what it accepts, and
 * how, in groups of options. Immutable; made with {@link #builder(String)}, which checks every value as
 * it is set and names the option and the value in its error. Each group is a record of its own with its
 * defaults and the meaning of zero documented there; the builder sets a whole group
 * ({@link Builder#limits(Limits)}) or one option in it ({@link Builder#maxConnections(int)}).
 *
 * <table class="striped">
 *   <caption>Options and their defaults</caption>
 *   <thead><tr><th>option</th><th>default</th><th>meaning</th></tr></thead>
 *   <tbody>
 *   <tr><td>{@code name}</td><td>the handler's name</td><td>in thread names, logs and metric tags;
 *       when two listeners would share one, the later gets {@code -2}, {@code -3}… appended</td></tr>
 *   <tr><td>{@code host}</td><td>{@code 127.0.0.1}</td><td>address to bind; {@code 0.0.0.0} or
 *       {@code ::} for every interface (never the default)</td></tr>
 *   <tr><td>{@code port}</td><td>0</td><td>0 = an ephemeral port chosen by the OS, reported by
 *       {@link Server#listeners()}</td></tr>
 *   <tr><td>{@link #inheritedChannel()}</td><td>false</td><td>serve the listening socket the process
 *       was started with ({@link System#inheritedChannel()}: systemd's {@code StandardInput=socket})
 *       instead of binding {@code host:port}</td></tr>
 *   <tr><td>{@code handlerOptions}</td><td>none</td><td>{@code key=value} pairs passed to
 *       {@link dev.loomport.spi.HandlerPlugin#create}</td></tr>
 *   <tr><td>{@link #socket()}</td><td>{@link SocketOptions#DEFAULTS}</td><td>backlog, address and port
 *       reuse, {@code TCP_NODELAY}, keep-alive, buffer sizes</td></tr>
 *   <tr><td>{@link #limits()}</td><td>{@link Limits#DEFAULTS}</td><td>connections at once, in all and
 *       per source address; what happens beyond them</td></tr>
 *   <tr><td>{@link #timeouts()}</td><td>{@link Timeouts#DEFAULTS}</td><td>idle, write, lifetime and
 *       minimum receive rate</td></tr>
 *   <tr><td>{@link #tls()}</td><td>none</td><td>{@link TlsConfig}: serve TLS on this port; the handler
 *       reads and writes plain bytes as before</td></tr>
 *   <tr><td>{@link #proxy()}</td><td>{@link ProxyConfig#DEFAULTS}</td><td>expect a PROXY protocol
 *       header (from a load balancer) before every connection's first byte, and from whom</td></tr>
 *   </tbody>
 * </table>
 *
 * {@snippet :
 * ListenerConfig relay = ListenerConfig.builder("relay").port(7100)
 *         .limits(Limits.DEFAULTS.withMaxConnections(500).withOverflow(ListenerConfig.Overflow.REJECT))
 *         .idleTimeout(Duration.ofMinutes(5))                     // one option of Timeouts
 *         .build();
 * Duration idle = relay.timeouts().idleTimeout();
 * }
 */
public final class ListenerConfig {

    /** What a listener does with a connection that arrives when it already has {@code maxConnections}. */
    public enum Overflow {
        /**
         * Stop accepting until a connection ends; the kernel's backlog holds the newcomers, and beyond
         * it the client's connect waits or fails. Nothing is lost that the client does not retry.
         */
        BACKPRESSURE,
        /** Accept, write the {@code rejectMessage} if there is one, and close at once. */
        REJECT
    }

    /**
     * Whether a listener's connections start with a PROXY protocol header (HAProxy's specification), by
     * which a load balancer in front tells the original client's address and port. With anything but
     * {@code NONE}, each connection's thread first checks that the peer is in the trusted networks and
     * reads the header (within {@link ProxyConfig#headerTimeout()}), then the handler sees the client's addresses
     * in {@link dev.loomport.spi.Connection#remoteAddress()} and {@code localAddress()}, and the
     * balancer's in {@link dev.loomport.spi.Connection#proxiedFrom()}. A peer that is not trusted, or whose
     * header is missing or wrong, is closed before the handler runs and counted under the
     * {@code proxy-untrusted} or {@code proxy-header} outcome. The specification forbids guessing: a
     * listener that expects a header requires one on every connection.
     */
    public enum ProxyProtocol {
        /** No header: the socket's addresses are the client's. */
        NONE,
        /** The text line {@code PROXY TCP4 <src> <dst> <sport> <dport>\r\n} (HAProxy {@code send-proxy},
         * nginx {@code proxy_protocol on}). */
        V1,
        /** The binary header (HAProxy {@code send-proxy-v2}, most cloud network load balancers). */
        V2,
        /** Either version, told apart by the first byte. */
        ANY
    }

    /** How long a PROXY header may take to arrive unless configured: enough for TCP to resend a lost
     * segment, short enough that silent peers do not pile up. */
    public static final Duration DEFAULT_PROXY_HEADER_TIMEOUT = Duration.ofSeconds(5);

    /** The most bytes a reject message may have: it is written from the accept loop, so it must fit
     * in any socket's send buffer at once. */
    public static final int MAX_REJECT_MESSAGE = 1024;

    /**
     * The longest timeout, lifetime or window: a year. Anything longer is a typo, and would overflow
     * the nanosecond arithmetic the watchdog uses. To have none, give zero.
     */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(365);

    /** The largest socket buffer size: 1 GiB, beyond what any OS grants (Linux caps it at rmem_max). */
    public static final int MAX_BUFFER_SIZE = 1 << 30;

    /** The highest {@code minReceiveRate}, in bytes per second: no client owes more. */
    public static final int MAX_RECEIVE_RATE = 1_000_000_000;

    private final String name;
    private final String host;
    private final int port;
    private final String handler;
    private final Map<String, String> handlerOptions;
    private final SocketOptions socket;
    private final Limits limits;
    private final Timeouts timeouts;
    private final TlsConfig tls;
    private final ProxyConfig proxy;
    private final boolean publicFacing;
    private final boolean inheritedChannel;

    private ListenerConfig(Builder b, ProxyConfig proxy) {
        name = b.name;
        host = b.host;
        port = b.port;
        inheritedChannel = b.inheritedChannel;
        handler = b.handler;
        handlerOptions = Map.copyOf(b.handlerOptions);
        socket = b.socket;
        limits = b.limits;
        timeouts = b.timeouts;
        tls = b.tls;
        this.proxy = proxy;
        publicFacing = b.publicFacing;
    }

    /** A builder for a listener served by the handler named {@code handler}, with every default. */
    public static Builder builder(String handler) {
        return new Builder(handler);
    }

    /** The name given, or {@code null} if none was (the server then derives one from the handler). */
    public String name() { return name; }
    /** The host to bind; unused by a listener on the {@linkplain #inheritedChannel() inherited channel}. */
    public String host() { return host; }
    /** The port to bind; unused by a listener on the {@linkplain #inheritedChannel() inherited channel}. */
    public int port() { return port; }
    /**
     * Whether this listener serves the listening socket the process inherited instead of binding one:
     * see {@link Builder#inheritedChannel()}.
     */
    public boolean inheritedChannel() { return inheritedChannel; }
    public String handler() { return handler; }
    public Map<String, String> handlerOptions() { return handlerOptions; }
    public SocketOptions socket() { return socket; }
    public Limits limits() { return limits; }
    public Timeouts timeouts() { return timeouts; }
    /** TLS for this listener; empty for plain TCP. */
    public Optional<TlsConfig> tls() { return Optional.ofNullable(tls); }
    public ProxyConfig proxy() { return proxy; }
    /** Whether {@link Builder#publicFacing()} made it (whatever was changed after). */
    public boolean publicFacing() { return publicFacing; }

    @Override
    public String toString() {
        return "listener " + (name == null ? handler : name) + " (" + handler + " on "
                + (inheritedChannel ? "the inherited socket" : HostPort.of(host, port)) + ")";
    }

    /**
     * Collects a listener's options, checking each as it is set: a whole group at a time, or one option
     * of a group by the setter named after it (which the group's record checks). The PROXY options are
     * the exception: they are checked one by one as they are set, and together (a header needs trusted
     * networks) by {@link #build()}, so that they can be given in any order.
     */
    public static final class Builder {
        private String name;
        private String host = "127.0.0.1";
        private int port = 0;
        private String handler;
        private final Map<String, String> handlerOptions = new LinkedHashMap<>();
        private SocketOptions socket = SocketOptions.DEFAULTS;
        private Limits limits = Limits.DEFAULTS;
        private Timeouts timeouts = Timeouts.DEFAULTS;
        private TlsConfig tls;
        private ProxyProtocol proxyProtocol = ProxyConfig.DEFAULTS.protocol();
        private List<String> proxyTrusted = ProxyConfig.DEFAULTS.trusted();
        private Duration proxyHeaderTimeout = ProxyConfig.DEFAULTS.headerTimeout();
        private boolean publicFacing;
        private boolean inheritedChannel;
        private boolean hostGiven;
        private boolean portGiven;

        private Builder(String handler) {
            handler(handler);
        }

        /** The handler's name, as its plug-in's {@link dev.loomport.spi.HandlerPlugin#name()} gives it. */
        public Builder handler(String handler) {
            this.handler = OptionChecks.name("handler", handler);
            return this;
        }

        /** The listener's name: letters, digits, {@code . _ -}. */
        public Builder name(String name) {
            this.name = OptionChecks.name("listener name", name);
            return this;
        }

        /** A host name or IP literal to bind; IPv6 literals with or without brackets. */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            String h = host.strip();
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            if (h.isEmpty()) {
                throw new IllegalArgumentException("host must not be blank: '" + host + "'");
            }
            this.host = h;
            this.hostGiven = true;
            return this;
        }

        /** 0..65535; 0 = an ephemeral port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range 0..65535: " + port);
            }
            this.port = port;
            this.portGiven = true;
            return this;
        }

        /** One option for the handler, as its plug-in declares it ({@link dev.loomport.spi.HandlerPlugin#options()}). */
        public Builder handlerOption(String key, String value) {
            handlerOptions.put(OptionChecks.name("handler option", key), Objects.requireNonNull(value, key));
            return this;
        }

        /** Every socket option at once, replacing any set before. */
        public Builder socket(SocketOptions socket) {
            this.socket = Objects.requireNonNull(socket, "socket");
            return this;
        }

        /** Every connection limit at once, replacing any set before. */
        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** Every timeout at once, replacing any set before. */
        public Builder timeouts(Timeouts timeouts) {
            this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
            return this;
        }

        /** Serves TLS on this listener; {@code null} = plain TCP (the default). */
        public Builder tls(TlsConfig tls) {
            this.tls = tls;
            return this;
        }

        /** Every PROXY option at once, replacing any set before. */
        public Builder proxy(ProxyConfig proxy) {
            Objects.requireNonNull(proxy, "proxy");
            proxyProtocol = proxy.protocol();
            proxyTrusted = proxy.trusted();
            proxyHeaderTimeout = proxy.headerTimeout();
            return this;
        }

        /**
         * The one switch for a listener that faces the internet: {@link Limits#PUBLIC_FACING},
         * {@link Timeouts#PUBLIC_FACING} and a backlog of 4096, what docs/limits.md recommends. It replaces
         * those two groups whole, so call it first and change what differs after it. The defaults stay
         * right for loopback and behind a balancer, where a per-source limit and a minimum rate would
         * only hurt.
         */
        public Builder publicFacing() {
            limits = Limits.PUBLIC_FACING;
            timeouts = Timeouts.PUBLIC_FACING;
            socket = socket.withBacklog(4096);
            publicFacing = true;
            return this;
        }

        // One option of a group each: the group's record checks the value and names it in its error.

        /** {@link SocketOptions#backlog()}: at least 1. */
        public Builder backlog(int backlog) { socket = socket.withBacklog(backlog); return this; }
        /** {@link SocketOptions#reuseAddress()}. */
        public Builder reuseAddress(boolean on) { socket = socket.withReuseAddress(on); return this; }
        /** {@link SocketOptions#reusePort()}. */
        public Builder reusePort(boolean on) { socket = socket.withReusePort(on); return this; }
        /** {@link SocketOptions#tcpNoDelay()}. */
        public Builder tcpNoDelay(boolean on) { socket = socket.withTcpNoDelay(on); return this; }
        /** {@link SocketOptions#keepAlive()}. */
        public Builder keepAlive(boolean on) { socket = socket.withKeepAlive(on); return this; }
        /** {@link SocketOptions#receiveBufferSize()}: 0 (the OS's default) to {@link #MAX_BUFFER_SIZE}. */
        public Builder receiveBufferSize(int bytes) { socket = socket.withReceiveBufferSize(bytes); return this; }
        /** {@link SocketOptions#sendBufferSize()}: 0 (the OS's default) to {@link #MAX_BUFFER_SIZE}. */
        public Builder sendBufferSize(int bytes) { socket = socket.withSendBufferSize(bytes); return this; }
        /** {@link SocketOptions#ioPath()}: how the connections' bytes reach the handler. */
        public Builder ioPath(SocketOptions.IoPath path) { socket = socket.withIoPath(path); return this; }

        /** {@link Limits#maxConnections()}: 0 = no limit. */
        public Builder maxConnections(int max) { limits = limits.withMaxConnections(max); return this; }
        /** {@link Limits#overflow()}. */
        public Builder overflow(Overflow overflow) { limits = limits.withOverflow(overflow); return this; }
        /** {@link Limits#rejectMessage()}: written (UTF-8) to a rejected connection; empty = none. */
        public Builder rejectMessage(String message) { limits = limits.withRejectMessage(message); return this; }
        /** {@link Limits#maxConnectionsPerSource()}: 0 = no limit. */
        public Builder maxConnectionsPerSource(int max) {
            limits = limits.withMaxConnectionsPerSource(max);
            return this;
        }

        /** {@link Timeouts#idleTimeout()}: zero = never, else 1 ms to 365 days. */
        public Builder idleTimeout(Duration timeout) { timeouts = timeouts.withIdleTimeout(timeout); return this; }
        /** {@link Timeouts#writeTimeout()}: zero = never, else 1 ms to 365 days. */
        public Builder writeTimeout(Duration timeout) { timeouts = timeouts.withWriteTimeout(timeout); return this; }
        /** {@link Timeouts#maxLifetime()}: zero = never, else 1 ms to 365 days. */
        public Builder maxLifetime(Duration lifetime) { timeouts = timeouts.withMaxLifetime(lifetime); return this; }
        /** {@link Timeouts#withMinReceiveRate}: what it asks of a client, and what closes one. */
        public Builder minReceiveRate(int bytesPerSecond, Duration window) {
            timeouts = timeouts.withMinReceiveRate(bytesPerSecond, window);
            return this;
        }

        /** {@link ProxyConfig#protocol()}: {@code NONE} (the default) for no header. */
        public Builder proxyProtocol(ProxyProtocol version) {
            this.proxyProtocol = Objects.requireNonNull(version, "proxyProtocol");
            return this;
        }

        /**
         * {@link ProxyConfig#trusted()}, replacing any given before.
         *
         * @throws IllegalArgumentException naming the value that is not a network
         */
        public Builder proxyTrusted(List<String> networks) {
            this.proxyTrusted = ProxyConfig.canonical(networks);
            return this;
        }

        /** {@link #proxyTrusted(List)} with the networks as arguments. */
        public Builder proxyTrusted(String... networks) {
            return proxyTrusted(List.of(networks));
        }

        /** {@link ProxyConfig#headerTimeout()}: at least 1 ms. */
        public Builder proxyHeaderTimeout(Duration timeout) {
            this.proxyHeaderTimeout = OptionChecks.timeout("proxyHeaderTimeout", timeout, false);
            return this;
        }

        /**
         * Serves the listening socket this process was started with, {@link System#inheritedChannel()},
         * instead of binding one: the socket a service manager opened and passed as standard input
         * (systemd's {@code StandardInput=socket} with {@code Accept=no}, inetd's {@code wait} services).
         * The listener's address is the socket's, as {@link Server#listeners()} reports it.
         *
         * <p>The service manager bound the socket and set its listening options, so {@code host},
         * {@code port}, {@code backlog}, {@code reuseAddress}, {@code reusePort} and
         * {@code receiveBufferSize} must be left at their defaults: {@link #build()} refuses them. Options
         * of accepted sockets ({@code tcpNoDelay}, {@code keepAlive}, {@code sendBufferSize}), limits,
         * timeouts, TLS and PROXY apply as on any listener. A process has one inherited channel, so one
         * listener at a time may serve it; starting a second fails, naming the first.
         *
         * <p>Stopping stops accepting but leaves the socket open: the service manager still holds it, and
         * what it queues meanwhile is there for the next process (see {@code docs/deploy.md}).
         *
         * <p>Start fails with an {@link java.io.IOException} naming the listener when the process has
         * no inherited channel, or one that is not a listening TCP socket.
         */
        public Builder inheritedChannel() {
            this.inheritedChannel = true;
            return this;
        }

        /**
         * @throws IllegalArgumentException when a PROXY header is expected but no network is trusted, or a
         *     listener on the inherited channel is given an option of the listening socket
         */
        public ListenerConfig build() {
            if (inheritedChannel) {
                refuseForInherited("host", hostGiven, host, "ListenStream=");
                refuseForInherited("port", portGiven, port, "ListenStream=");
                SocketOptions d = SocketOptions.DEFAULTS;
                refuseForInherited("backlog", socket.backlog() != d.backlog(), socket.backlog(), "Backlog=");
                refuseForInherited("reuseAddress", socket.reuseAddress() != d.reuseAddress(), socket.reuseAddress(),
                        "the socket unit");
                refuseForInherited("reusePort", socket.reusePort() != d.reusePort(), socket.reusePort(), "ReusePort=");
                refuseForInherited("receiveBufferSize", socket.receiveBufferSize() != d.receiveBufferSize(),
                        socket.receiveBufferSize(), "ReceiveBuffer=");
            }
            return new ListenerConfig(this, new ProxyConfig(proxyProtocol, proxyTrusted, proxyHeaderTimeout));
        }

        private static void refuseForInherited(String option, boolean given, Object value, String systemd) {
            if (given) {
                throw new IllegalArgumentException(option + " cannot be set on a listener of the inherited channel:"
                        + " the service manager opened that socket and set it (systemd: " + systemd + "): " + value);
            }
        }
    }
}
