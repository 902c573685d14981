package dev.loomport;

import dev.loomport.internal.Cidr;
import dev.loomport.internal.HostPort;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One listener: a host and port to accept on, the name of the handler that serves what it accepts, and
 * how. Immutable; made with {@link #builder(String)}, which checks every value as it is set and names
 * the option and the value in its error.
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
 *   <tr><td>{@code backlog}</td><td>1024</td><td>accept queue length; the kernel caps it
 *       ({@code net.core.somaxconn} on Linux)</td></tr>
 *   <tr><td>{@code reuseAddress}</td><td>true</td><td>{@code SO_REUSEADDR} on the listening socket</td></tr>
 *   <tr><td>{@code reusePort}</td><td>false</td><td>{@code SO_REUSEPORT}: several processes share the
 *       port; start fails where the OS lacks it</td></tr>
 *   <tr><td>{@code tcpNoDelay}</td><td>true</td><td>{@code TCP_NODELAY} on accepted sockets</td></tr>
 *   <tr><td>{@code keepAlive}</td><td>false</td><td>{@code SO_KEEPALIVE} on accepted sockets</td></tr>
 *   <tr><td>{@code receiveBufferSize}</td><td>0</td><td>{@code SO_RCVBUF} in bytes; 0 = the OS's
 *       default (and its auto-tuning)</td></tr>
 *   <tr><td>{@code sendBufferSize}</td><td>0</td><td>{@code SO_SNDBUF} in bytes; 0 = the OS's default</td></tr>
 *   <tr><td>{@code maxConnections}</td><td>10,000</td><td>open connections at once; 0 = no limit</td></tr>
 *   <tr><td>{@code overflow}</td><td>{@link Overflow#BACKPRESSURE}</td><td>what happens to a connection
 *       beyond {@code maxConnections}</td></tr>
 *   <tr><td>{@code rejectMessage}</td><td>none</td><td>bytes written to a connection rejected by a limit
 *       before it is closed (at most 1 KiB; never on a TLS listener, where plain bytes would only
 *       garble the client's handshake)</td></tr>
 *   <tr><td>{@code maxConnectionsPerSource}</td><td>0</td><td>open connections from one remote address;
 *       0 = no limit (behind a load balancer or NAT every client shares one address)</td></tr>
 *   <tr><td>{@code idleTimeout}</td><td>{@link Duration#ZERO}</td><td>close a connection that has
 *       neither read nor written a byte for this long; zero = never</td></tr>
 *   <tr><td>{@code writeTimeout}</td><td>60 s</td><td>close a connection whose write has made no
 *       progress for this long (a client that stopped reading); zero = never</td></tr>
 *   <tr><td>{@code maxLifetime}</td><td>{@link Duration#ZERO}</td><td>close a connection this long after
 *       it was accepted; zero = never</td></tr>
 *   <tr><td>{@code tls}</td><td>none</td><td>{@link TlsConfig}: serve TLS on this port; the handler
 *       reads and writes plain bytes as before</td></tr>
 *   <tr><td>{@code minReceiveRate}</td><td>0 (none)</td><td>bytes per second a client must send on
 *       average while the handler waits to read, banked over {@code receiveRateWindow}: closes
 *       clients that drip a byte now and then (slowloris), which the idle timeout cannot; see
 *       {@link Builder#minReceiveRate}</td></tr>
 *   <tr><td>{@code handlerOptions}</td><td>none</td><td>{@code key=value} pairs passed to
 *       {@link dev.loomport.spi.ConnectionHandler#configure}</td></tr>
 *   <tr><td>{@code proxyProtocol}</td><td>{@link ProxyProtocol#NONE}</td><td>expect a PROXY protocol
 *       header (from a load balancer) before every connection's first byte</td></tr>
 *   <tr><td>{@code proxyTrusted}</td><td>none</td><td>the networks (CIDR) allowed to send that header;
 *       required when {@code proxyProtocol} is not {@code NONE}</td></tr>
 *   <tr><td>{@code proxyHeaderTimeout}</td><td>5 s</td><td>how long the whole header may take to
 *       arrive; never zero</td></tr>
 *   </tbody>
 * </table>
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
     * reads the header (within {@code proxyHeaderTimeout}), then the handler sees the client's addresses
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
    private final int backlog;
    private final boolean reuseAddress;
    private final boolean reusePort;
    private final boolean tcpNoDelay;
    private final boolean keepAlive;
    private final int receiveBufferSize;
    private final int sendBufferSize;
    private final int maxConnections;
    private final Overflow overflow;
    private final byte[] rejectMessage;
    private final int maxConnectionsPerSource;
    private final Duration idleTimeout;
    private final Duration writeTimeout;
    private final Duration maxLifetime;
    private final TlsConfig tls;
    private final ProxyProtocol proxyProtocol;
    private final List<String> proxyTrusted;
    private final Duration proxyHeaderTimeout;
    private final int minReceiveRate;
    private final Duration receiveRateWindow;

    private ListenerConfig(Builder b) {
        name = b.name;
        host = b.host;
        port = b.port;
        handler = b.handler;
        handlerOptions = Map.copyOf(b.handlerOptions);
        backlog = b.backlog;
        reuseAddress = b.reuseAddress;
        reusePort = b.reusePort;
        tcpNoDelay = b.tcpNoDelay;
        keepAlive = b.keepAlive;
        receiveBufferSize = b.receiveBufferSize;
        sendBufferSize = b.sendBufferSize;
        maxConnections = b.maxConnections;
        overflow = b.overflow;
        rejectMessage = b.rejectMessage.clone();
        maxConnectionsPerSource = b.maxConnectionsPerSource;
        idleTimeout = b.idleTimeout;
        writeTimeout = b.writeTimeout;
        maxLifetime = b.maxLifetime;
        tls = b.tls;
        proxyProtocol = b.proxyProtocol;
        proxyTrusted = List.copyOf(b.proxyTrusted);
        proxyHeaderTimeout = b.proxyHeaderTimeout;
        minReceiveRate = b.minReceiveRate;
        receiveRateWindow = b.receiveRateWindow;
    }

    /** A builder for a listener served by the handler named {@code handler}, with every default. */
    public static Builder builder(String handler) {
        return new Builder(handler);
    }

    /** The name given, or {@code null} if none was (the server then derives one from the handler). */
    public String name() { return name; }
    public String host() { return host; }
    public int port() { return port; }
    public String handler() { return handler; }
    public Map<String, String> handlerOptions() { return handlerOptions; }
    public int backlog() { return backlog; }
    public boolean reuseAddress() { return reuseAddress; }
    public boolean reusePort() { return reusePort; }
    public boolean tcpNoDelay() { return tcpNoDelay; }
    public boolean keepAlive() { return keepAlive; }
    public int receiveBufferSize() { return receiveBufferSize; }
    public int sendBufferSize() { return sendBufferSize; }
    public int maxConnections() { return maxConnections; }
    public Overflow overflow() { return overflow; }
    /** A copy of the reject message; empty when there is none. */
    public byte[] rejectMessage() { return rejectMessage.clone(); }
    public int maxConnectionsPerSource() { return maxConnectionsPerSource; }
    public Duration idleTimeout() { return idleTimeout; }
    public Duration writeTimeout() { return writeTimeout; }
    public Duration maxLifetime() { return maxLifetime; }
    /** TLS for this listener; empty for plain TCP. */
    public Optional<TlsConfig> tls() { return Optional.ofNullable(tls); }
    public ProxyProtocol proxyProtocol() { return proxyProtocol; }
    /** The trusted networks in canonical CIDR form, such as {@code 10.0.0.0/8}; empty when none. */
    public List<String> proxyTrusted() { return proxyTrusted; }
    public Duration proxyHeaderTimeout() { return proxyHeaderTimeout; }
    /** Bytes per second; 0 = no minimum. */
    public int minReceiveRate() { return minReceiveRate; }
    /** The most waiting a client can bank; {@link Duration#ZERO} when there is no minimum rate. */
    public Duration receiveRateWindow() { return receiveRateWindow; }

    @Override
    public String toString() {
        return "listener " + (name == null ? handler : name) + " (" + handler + " on " + HostPort.of(host, port) + ")";
    }

    /** Collects a listener's options, checking each as it is set. */
    public static final class Builder {
        private String name;
        private String host = "127.0.0.1";
        private int port = 0;
        private String handler;
        private final Map<String, String> handlerOptions = new LinkedHashMap<>();
        private int backlog = 1024;
        private boolean reuseAddress = true;
        private boolean reusePort = false;
        private boolean tcpNoDelay = true;
        private boolean keepAlive = false;
        private int receiveBufferSize = 0;
        private int sendBufferSize = 0;
        private int maxConnections = 10_000;
        private Overflow overflow = Overflow.BACKPRESSURE;
        private byte[] rejectMessage = new byte[0];
        private int maxConnectionsPerSource = 0;
        private Duration idleTimeout = Duration.ZERO;
        private Duration writeTimeout = Duration.ofSeconds(60);
        private Duration maxLifetime = Duration.ZERO;
        private TlsConfig tls;
        private ProxyProtocol proxyProtocol = ProxyProtocol.NONE;
        private final List<String> proxyTrusted = new ArrayList<>();
        private Duration proxyHeaderTimeout = DEFAULT_PROXY_HEADER_TIMEOUT;
        private int minReceiveRate = 0;
        private Duration receiveRateWindow = Duration.ZERO;

        private Builder(String handler) {
            handler(handler);
        }

        /** The handler's name, as its {@link dev.loomport.spi.ConnectionHandler#name()} gives it. */
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
            return this;
        }

        /** 0..65535; 0 = an ephemeral port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range 0..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /** Accept queue length, at least 1. */
        public Builder backlog(int backlog) {
            this.backlog = OptionChecks.atLeast("backlog", backlog, 1);
            return this;
        }

        public Builder reuseAddress(boolean on) { this.reuseAddress = on; return this; }
        public Builder reusePort(boolean on) { this.reusePort = on; return this; }
        public Builder tcpNoDelay(boolean on) { this.tcpNoDelay = on; return this; }
        public Builder keepAlive(boolean on) { this.keepAlive = on; return this; }

        /** {@code SO_RCVBUF} in bytes, 0 to {@link #MAX_BUFFER_SIZE}; 0 = the OS's default. */
        public Builder receiveBufferSize(int bytes) {
            this.receiveBufferSize = OptionChecks.bufferSize("receiveBufferSize", bytes);
            return this;
        }

        /** {@code SO_SNDBUF} in bytes, 0 to {@link #MAX_BUFFER_SIZE}; 0 = the OS's default. */
        public Builder sendBufferSize(int bytes) {
            this.sendBufferSize = OptionChecks.bufferSize("sendBufferSize", bytes);
            return this;
        }

        /** Open connections at once; 0 = no limit. */
        public Builder maxConnections(int max) {
            this.maxConnections = OptionChecks.atLeast("maxConnections", max, 0);
            return this;
        }

        public Builder overflow(Overflow overflow) {
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /** Written (UTF-8) to a connection rejected by a limit before it is closed; empty = none. */
        public Builder rejectMessage(String message) {
            byte[] bytes = Objects.requireNonNull(message, "rejectMessage").getBytes(StandardCharsets.UTF_8);
            if (bytes.length > MAX_REJECT_MESSAGE) {
                throw new IllegalArgumentException("rejectMessage is longer than " + MAX_REJECT_MESSAGE
                        + " bytes: " + bytes.length);
            }
            this.rejectMessage = bytes;
            return this;
        }

        /** Open connections from one remote address at once; 0 = no limit. */
        public Builder maxConnectionsPerSource(int max) {
            this.maxConnectionsPerSource = OptionChecks.atLeast("maxConnectionsPerSource", max, 0);
            return this;
        }

        /** No byte read or written for this long closes the connection; zero = never, else 1 ms to 365 days. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = OptionChecks.timeout("idleTimeout", timeout);
            return this;
        }

        /** A write that makes no progress for this long closes the connection; zero = never, else 1 ms to 365 days. */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = OptionChecks.timeout("writeTimeout", timeout);
            return this;
        }

        /** A connection open this long is closed; zero = never, else 1 ms to 365 days. */
        public Builder maxLifetime(Duration lifetime) {
            this.maxLifetime = OptionChecks.timeout("maxLifetime", lifetime);
            return this;
        }

        /** Serves TLS on this listener; {@code null} = plain TCP (the default). */
        public Builder tls(TlsConfig tls) {
            this.tls = tls;
            return this;
        }

        /**
         * A minimum rate at which the client must send while the handler waits to read; 0 = none.
         * Every byte received buys {@code 1/bytesPerSecond} s of waiting; a connection starts with
         * {@code window} of waiting and can bank no more than that. When the handler has waited in a
         * read longer than the client has paid for, the connection is closed (outcome
         * {@code too-slow}). So a client may pause for up to {@code window}, and must otherwise keep
         * up {@code bytesPerSecond} on average; time the handler spends writing or working costs the
         * client nothing, so downloads and slow handlers are never cut.
         *
         * <p>This is what closes a slowloris-style client that sends a byte every few seconds: each
         * byte resets the idle timeout, but buys only a few milliseconds here.
         *
         * @param bytesPerSecond 0 (none) to 1,000,000,000
         * @param window 1 ms to 365 days; ignored (and may be zero) when {@code bytesPerSecond} is 0
         */
        public Builder minReceiveRate(int bytesPerSecond, Duration window) {
            if (bytesPerSecond < 0 || bytesPerSecond > MAX_RECEIVE_RATE) {
                throw new IllegalArgumentException("minReceiveRate must be 0 (none) to " + MAX_RECEIVE_RATE
                        + " bytes/s: " + bytesPerSecond);
            }
            Duration w = OptionChecks.timeout("receiveRateWindow", window);
            if (bytesPerSecond > 0 && w.isZero()) {
                throw new IllegalArgumentException("minReceiveRate " + bytesPerSecond
                        + " bytes/s needs a receiveRateWindow of at least 1ms: " + window);
            }
            this.minReceiveRate = bytesPerSecond;
            this.receiveRateWindow = bytesPerSecond > 0 ? w : Duration.ZERO;
            return this;
        }

        /** One option for the handler ({@link dev.loomport.spi.ConnectionHandler#configure}). */
        public Builder handlerOption(String key, String value) {
            handlerOptions.put(OptionChecks.name("handler option", key), Objects.requireNonNull(value, key));
            return this;
        }

        /** Expect a PROXY protocol header on every connection; {@code NONE} (the default) for none. */
        public Builder proxyProtocol(ProxyProtocol version) {
            this.proxyProtocol = Objects.requireNonNull(version, "proxyProtocol");
            return this;
        }

        /**
         * The networks allowed to send a PROXY header, replacing any given before: CIDR blocks such as
         * {@code 10.0.0.0/8} or {@code fd00::/8}, or single addresses. IP literals only (no names). Trust
         * only your balancers' addresses: a trusted peer can claim to be any client. To trust everyone
         * (only where nothing but the balancer can reach the port) say {@code 0.0.0.0/0} and {@code ::/0}.
         *
         * @throws IllegalArgumentException naming the value that is not a network
         */
        public Builder proxyTrusted(List<String> networks) {
            Objects.requireNonNull(networks, "proxyTrusted");
            List<String> canonical = new ArrayList<>();
            for (String network : networks) {
                canonical.add(Cidr.parse(network).toString());
            }
            proxyTrusted.clear();
            proxyTrusted.addAll(canonical);
            return this;
        }

        /** {@link #proxyTrusted(List)} with the networks as arguments. */
        public Builder proxyTrusted(String... networks) {
            return proxyTrusted(List.of(networks));
        }

        /** How long the whole PROXY header may take to arrive; at least 1 ms. */
        public Builder proxyHeaderTimeout(Duration timeout) {
            this.proxyHeaderTimeout = OptionChecks.timeout("proxyHeaderTimeout", timeout, false);
            return this;
        }

        /** @throws IllegalArgumentException when a PROXY header is expected but no network is trusted */
        public ListenerConfig build() {
            if (proxyProtocol != ProxyProtocol.NONE && proxyTrusted.isEmpty()) {
                throw new IllegalArgumentException("proxyProtocol " + proxyProtocol + " needs the networks of the"
                        + " balancers that send it (proxyTrusted); none was given");
            }
            return new ListenerConfig(this);
        }
    }
}
