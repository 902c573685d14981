package dev.loomport;

import dev.loomport.ListenerConfig.ProxyProtocol;
import dev.loomport.internal.Cidr;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Whether one listener expects a PROXY protocol header from a load balancer, whom it trusts to send one,
 * and how long the header may take (see {@link ProxyProtocol} for what the header does). Immutable and
 * checked when made: an error names the option and the value. Start from {@link #DEFAULTS} (no header)
 * or {@link #of}.
 *
 * @param protocol which header to expect before every connection's first byte; default
 *        {@link ProxyProtocol#NONE}
 * @param trusted the networks allowed to send the header, kept in canonical CIDR form such as
 *        {@code 10.0.0.0/8}: CIDR blocks or single addresses, IP literals only (no names). Required when
 *        {@code protocol} is not {@code NONE}; default none. Trust only your balancers' addresses: a
 *        trusted peer can claim to be any client. To trust everyone (only where nothing but the balancer
 *        can reach the port) say {@code 0.0.0.0/0} and {@code ::/0}
 * @param headerTimeout how long the whole header may take to arrive, 1 ms to
 *        {@link ListenerConfig#MAX_TIMEOUT}; never zero; default
 *        {@link ListenerConfig#DEFAULT_PROXY_HEADER_TIMEOUT}
 */
public record ProxyConfig(ProxyProtocol protocol, List<String> trusted, Duration headerTimeout) {

    /** No PROXY header expected. */
    public static final ProxyConfig DEFAULTS = new ProxyConfig(ProxyProtocol.NONE, List.of(),
            ListenerConfig.DEFAULT_PROXY_HEADER_TIMEOUT);

    /**
     * @throws IllegalArgumentException naming the value that is not a network, a header timeout out of
     *         range, or a header expected with no network trusted to send it
     */
    public ProxyConfig {
        Objects.requireNonNull(protocol, "proxyProtocol");
        trusted = canonical(trusted);
        OptionChecks.timeout("proxyHeaderTimeout", headerTimeout, false);
        if (protocol != ProxyProtocol.NONE && trusted.isEmpty()) {
            throw new IllegalArgumentException("proxyProtocol " + protocol + " needs the networks of the"
                    + " balancers that send it (proxyTrusted); none was given");
        }
    }

    /** The {@code protocol} header from the {@code trusted} networks, within the default timeout. */
    public static ProxyConfig of(ProxyProtocol protocol, String... trusted) {
        return new ProxyConfig(protocol, List.of(trusted), ListenerConfig.DEFAULT_PROXY_HEADER_TIMEOUT);
    }

    public ProxyConfig withHeaderTimeout(Duration timeout) {
        return new ProxyConfig(protocol, trusted, timeout);
    }

    /** The networks in canonical CIDR form, checked one by one. */
    static List<String> canonical(List<String> networks) {
        return Objects.requireNonNull(networks, "proxyTrusted").stream()
                .map(network -> Cidr.parse(network).toString())
                .toList();
    }
}
