package dev.loomport.testkit;

import dev.loomport.spi.HandlerPlugin;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes, after each test, every {@link TestServer} started through it (and so their clients), failing
 * the test when a server thread outlives it. Register it on an instance field with JUnit's
 * {@code RegisterExtension}; a test method then starts servers through it:
 *
 * {@snippet :
 * final LoomportExtension loomport = new LoomportExtension();   // annotated RegisterExtension
 *
 * void answers() throws Exception {                             // annotated Test
 *     TestServer server = loomport.start(TestServer.of(new PubSubPlugin()).option("queue", "10"));
 *     assertEquals("OK SUB news", server.client().sendLine("SUB news").readLine());
 * }
 * }
 */
public final class LoomportExtension implements AfterEachCallback {
    // A test's own thread starts servers and JUnit closes them on that thread after it: no lock needed,
    // but a test that starts servers from threads of its own is not refused either.
    private final List<TestServer> servers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Starts {@code builder}'s server, closed after the test. */
    public TestServer start(TestServer.Builder builder) throws IOException {
        TestServer server = builder.start();
        servers.add(server);
        return server;
    }

    /** Starts {@code plugin} with no options, closed after the test. */
    public TestServer start(HandlerPlugin plugin) throws IOException {
        return start(TestServer.of(plugin));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<TestServer> all = new ArrayList<>(servers);
        servers.clear();
        AssertionError failure = null;
        for (TestServer server : all) {
            try {
                server.close();
            } catch (AssertionError e) { // close the others before failing the test
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
