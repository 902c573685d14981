package dev.loomport;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code SO_REUSEPORT}: two servers (as two processes would) bind one port and the kernel spreads new
 * connections between them.
 */
class ReusePortTest {

    @Test
    void twoServersShareAPortAndBothGetConnections() throws IOException {
        assumeTrue(new ServerSocket().supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT),
                "SO_REUSEPORT is not supported on this platform");
        try (Server first = start("first", 0, true)) {
            int port = first.listeners().getFirst().address().getPort();
            try (Server second = start("second", port, true)) {
                assertEquals(port, second.listeners().getFirst().address().getPort());
                // Linux hashes each connection's addresses and ports to one of the sockets: with fresh
                // ephemeral ports, both show up within a few connections. 200 is a bound, not a wait.
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < 200 && seen.size() < 2; i++) {
                    try (Socket socket = TestClients.connect(first)) {
                        seen.add(new String(socket.getInputStream().readAllBytes(), US_ASCII));
                    }
                }
                assertEquals(Set.of("first", "second"), seen);
            }
        }
    }

    @Test
    void withoutItTheSecondBindFailsNamingTheAddress() throws IOException {
        try (Server first = start("first", 0, true)) {
            int port = first.listeners().getFirst().address().getPort();
            BindException e = assertThrows(BindException.class, () -> start("second", port, false));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        }
    }

    /** A server whose handler answers its name and closes. */
    private static Server start(String name, int port, boolean reusePort) throws IOException {
        return Server.start(ServerConfig.builder()
                .meterRegistry(new CompositeMeterRegistry())
                .plugin(TestHandlers.handler("name", c -> c.output().write(name.getBytes(US_ASCII))))
                .listener(ListenerConfig.builder("name").port(port).reusePort(reusePort).build())
                .build());
    }
}
