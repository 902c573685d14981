package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomport.ListenerConfig;
import dev.loomport.Server;
import dev.loomport.ServerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code whoami} without a balancer: one LF-terminated line naming both ends, then EOF. */
class WhoAmIHandlerTest {

    @Test
    void answersOneLineNamingBothEndsThenCloses() throws Exception {
        ServerConfig config = ServerConfig.builder().meterRegistry(new SimpleMeterRegistry())
                .listener(ListenerConfig.builder("whoami").handler("whoami").build()).build();
        try (Server server = Server.start(config);
             Socket client = new Socket()) {
            InetSocketAddress address = server.listeners().getFirst().address();
            client.connect(address, 30_000);
            client.setSoTimeout(30_000);
            String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertEquals("remote=127.0.0.1:" + client.getLocalPort() + " local=127.0.0.1:" + address.getPort() + "\n",
                    answer);
        }
    }
}
