package dev.loomport;

import dev.loomport.internal.HostPort;
import java.net.InetSocketAddress;

/**
 * A listener that is accepting: its name, its handler's name, and the address it is bound to (with the
 * real port when the configuration asked for port 0).
 */
public record BoundListener(String name, String handlerName, InetSocketAddress address) {

    /** {@code host:port}, with IPv6 literals in brackets and compressed: {@code [::1]:7007}. */
    public String hostAndPort() {
        return HostPort.of(address);
    }
}
