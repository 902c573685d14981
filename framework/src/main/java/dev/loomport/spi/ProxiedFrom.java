package dev.loomport.spi;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The TCP connection a PROXY protocol header arrived on, for a connection that a load balancer relayed:
 * the balancer's end of the socket and this server's. The client's own addresses are the
 * {@link Connection}'s {@code remoteAddress()} and {@code localAddress()}.
 *
 * @param version       the PROXY protocol version of the header, 1 (text) or 2 (binary)
 * @param remoteAddress the balancer's address and the port it connected from
 * @param localAddress  this server's address and the port the balancer connected to
 */
public record ProxiedFrom(int version, InetSocketAddress remoteAddress, InetSocketAddress localAddress) {
    public ProxiedFrom {
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("PROXY protocol version must be 1 or 2: " + version);
        }
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(localAddress, "localAddress");
    }
}
