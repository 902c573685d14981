package dev.loomport;

import java.net.InetSocketAddress;

/**
 * A listener that is accepting: its name, its handler's name, and the address it is bound to (with the
 * real port when the configuration asked for port 0).
 */
public record BoundListener(String name, String handler, InetSocketAddress address) {

    /** {@code host:port}, with IPv6 literals in brackets. */
    public String hostAndPort() {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
