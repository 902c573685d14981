package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The launcher's {@code /metrics} endpoint, spoken to in plain HTTP/1.1 over a loopback socket. */
@Timeout(60)
class MetricsEndpointTest {
    @Test
    void servesTheGlobalRegistryInPrometheusTextFormat() throws Exception {
        Counter counter = null;
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0))) {
            counter = Metrics.counter("loomport.endpoint.test", "listener", "t");
            counter.increment(3);
            assertTrue(endpoint.url().matches("http://127\\.0\\.0\\.1:\\d+/metrics"), endpoint.url());
            assertTrue(endpoint.address().getPort() > 0);

            String response = request(endpoint.address(), "GET /metrics");
            assertTrue(response.startsWith("HTTP/1.1 200 "), response);
            assertTrue(response.toLowerCase().contains("content-type: " + MetricsEndpoint.CONTENT_TYPE), response);
            assertTrue(response.contains("\nloomport_endpoint_test_total{listener=\"t\"} 3.0\n"), response);
        } finally {
            if (counter != null) {
                Metrics.globalRegistry.remove(counter);
            }
        }
    }

    @Test
    void answersOnlyGetAndHeadOnItsThreePaths() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0))) {
            assertTrue(request(endpoint.address(), "GET /index.html").startsWith("HTTP/1.1 404 "));
            assertTrue(request(endpoint.address(), "GET /metricsx").startsWith("HTTP/1.1 404 "));
            String post = request(endpoint.address(), "POST /metrics");
            assertTrue(post.startsWith("HTTP/1.1 405 "), post);
            assertTrue(post.toLowerCase().contains("allow: get, head"), post);
            String head = request(endpoint.address(), "HEAD /metrics");
            assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            assertFalse(head.contains("# TYPE"), head);
        }
    }

    @Test
    void closeStopsServingLeavesNoThreadAndLeavesTheGlobalRegistry() throws Exception {
        int registries = Metrics.globalRegistry.getRegistries().size();
        MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0));
        InetSocketAddress address = endpoint.address();
        request(address, "GET /metrics");
        assertEquals(registries + 1, Metrics.globalRegistry.getRegistries().size());
        assertTrue(platformThreads().contains("HTTP-Dispatcher"), platformThreads()::toString);

        endpoint.close();
        endpoint.close(); // idempotent

        assertEquals(registries, Metrics.globalRegistry.getRegistries().size());
        assertFalse(platformThreads().contains("HTTP-Dispatcher"), platformThreads()::toString);
        assertThrows(ConnectException.class, () -> new Socket(address.getAddress(), address.getPort()).close());
    }

    @Test
    void aPortInUseIsNamed() throws Exception {
        int registries = Metrics.globalRegistry.getRegistries().size();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            var address = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
            var e = assertThrows(BindException.class, () -> MetricsEndpoint.start(address));
            assertEquals("metrics endpoint: 127.0.0.1:" + taken.getLocalPort() + " is already in use"
                    + " (--metrics HOST:PORT to choose another, --metrics off for none)", e.getMessage());
        }
        assertEquals(registries, Metrics.globalRegistry.getRegistries().size());
    }

    /**
     * Issue 15 item 6: a client dripping its request headers a byte at a time is closed by the endpoint
     * (its request deadline, {@link HttpLimits}), while a scrape is answered. Without the limits the JDK's
     * server waits for the rest of the request for ever; the drip loop's bound (150 bytes, one per
     * 200 ms read timeout: 30 s) is far above the 2 s deadline.
     */
    @Test
    void aSlowlorisIsClosedByTheEndpoint() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0));
             Socket drip = new Socket()) {
            drip.connect(endpoint.address(), 10_000);
            drip.setSoTimeout(200); // the drip's pace: each read that times out sends the next byte
            drip.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: "
                    .getBytes(StandardCharsets.US_ASCII));
            boolean closed = false;
            for (int i = 0; i < 150 && !closed; i++) {
                try {
                    drip.getOutputStream().write('x');
                    closed = drip.getInputStream().read() == -1;
                } catch (SocketTimeoutException e) {
                    // still open: drip on
                } catch (IOException e) {
                    closed = true; // reset
                }
                if (i == 2) {
                    assertTrue(request(endpoint.address(), "GET /metrics HTTP/1.1").startsWith("HTTP/1.1 200"),
                            "a scrape is answered while the drip goes on");
                }
            }
            assertTrue(closed, "the endpoint closed the drip");
        }
    }

    private static String request(InetSocketAddress address, String requestLine) throws IOException {
        return HttpGet.request(address, requestLine);
    }

    private static List<String> platformThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName).toList();
    }
}
