package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loomport.testkit.LoomportExtension;
import dev.loomport.testkit.TestClient;
import dev.loomport.testkit.TestServer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code whoami} without a balancer: one LF-terminated line naming both ends, then EOF. */
class WhoAmIHandlerTest {
    @RegisterExtension
    final LoomportExtension loomport = new LoomportExtension();

    @Test
    void answersOneLineNamingBothEndsThenCloses() throws Exception {
        TestServer server = loomport.start(TestServer.named("whoami"));
        try (TestClient client = server.client()) {
            String answer = new String(client.readToEnd(), StandardCharsets.US_ASCII);
            assertEquals("remote=127.0.0.1:" + client.socket().getLocalPort() + " local=127.0.0.1:"
                    + server.address().getPort() + "\n", answer);
        }
    }
}
