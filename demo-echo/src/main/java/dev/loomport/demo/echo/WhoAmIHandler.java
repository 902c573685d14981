package dev.loomport.demo.echo;

import dev.loomport.io.FrameWriter;
import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.ProxiedFrom;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code whoami}: answers one line saying whom the server believes it is talking to, then closes. Behind
 * a load balancer it shows at a glance whether the PROXY protocol works end to end ({@code nc lb 7007}):
 *
 * <pre>
 * remote=203.0.113.7:51234 local=192.0.2.10:7007 proxy=v2 proxy-remote=10.0.0.5:40112 proxy-local=10.0.1.20:7008
 * </pre>
 *
 * {@code remote} and {@code local} are the client's connection (from the header, behind a balancer);
 * the {@code proxy-} fields, present only when a header named the client, are the socket the header
 * arrived on.
 */
final class WhoAmIHandler implements ConnectionHandler {

    @Override
    public void handle(Connection connection) throws IOException {
        // A buffer the size of the longest line (two IPv6 pairs and their ports), not the default 8 KiB.
        FrameWriter out = new FrameWriter(connection.output(), 256, FrameWriter.LineEnding.LF);
        out.writeLine(describe(connection), StandardCharsets.US_ASCII);
        out.flush();
    }

    static String describe(Connection c) {
        StringBuilder line = new StringBuilder()
                .append("remote=").append(hostPort(c.remoteAddress()))
                .append(" local=").append(hostPort(c.localAddress()));
        Optional<ProxiedFrom> proxied = c.proxiedFrom();
        proxied.ifPresent(p -> line.append(" proxy=v").append(p.version())
                .append(" proxy-remote=").append(hostPort(p.remoteAddress()))
                .append(" proxy-local=").append(hostPort(p.localAddress())));
        return line.toString();
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
