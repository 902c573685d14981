package dev.loomport.demo.echo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig;
import dev.loomport.Server;
import dev.loomport.ServerConfig;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /} and {@code /connections.json} on the demo's endpoint, against a real server's listeners. */
@Timeout(60)
class ConnectionsPageTest {
    @Test
    void theJsonIsCappedAndSaysHowManyAreOpen() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0));
                Server server = echoServer("json")) {
            InetSocketAddress address = server.listeners().getFirst().address();
            byte[] data = Sockets.payload(10, 2);
            assertArrayEquals(data, Sockets.roundTrip(address, data));
            endpoint.show(new FakeConnections(server.listeners(), 10_000));

            String json = HttpGet.body(endpoint.address(), "/connections.json");
            assertTrue(json.startsWith("{\"time\":"), json);
            assertTrue(json.contains("\"open\":10000,\"limit\":500,\"shown\":500,\"detailed\":true"), json);
            assertEquals(500, json.split("\\{\"id\":", -1).length - 1, "500 rows");
            assertTrue(json.contains("{\"id\":10000,\"listener\":\"json\",\"handler\":\"echo\",\"client\":\"127.0.0.1\","
                    + "\"port\":30000,\"ageMillis\":"), json);
            assertFalse(json.contains("{\"id\":9500,"), "the 501st newest is left out");
            assertTrue(json.contains("\"name\":\"json\",\"handler\":\"echo\",\"address\":\"127.0.0.1:"
                    + address.getPort() + "\""), json);
            assertTrue(json.contains("\"closed\":{\"client-closed\":"), json);
            assertTrue(json.length() < 150_000, "500 rows stay small: " + json.length());

            String ten = HttpGet.body(endpoint.address(), "/connections.json?limit=10");
            assertTrue(ten.contains("\"limit\":10,\"shown\":10,"), ten);
        }
    }

    @Test
    void aBadLimitIsNamed() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0))) {
            for (String limit : new String[] {"0", "501", "lots"}) {
                String response = HttpGet.request(endpoint.address(), "GET /connections.json?limit=" + limit);
                assertTrue(response.startsWith("HTTP/1.1 400 "), response);
                assertTrue(response.endsWith("\r\n\r\nlimit must be a number in 1..500: " + limit + "\n"), response);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ConnectionsJson.limit("limit="));
        assertEquals(500, ConnectionsJson.limit("other=1"));
    }

    @Test
    void theRealSourceListsTheServersOpenConnections() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0));
                Server server = echoServer("real")) {
            assertTrue(HttpGet.body(endpoint.address(), "/connections.json").contains("\"listeners\":[]"));
            endpoint.show(ConnectionSource.of(server));
            String none = HttpGet.body(endpoint.address(), "/connections.json");
            assertTrue(none.contains("\"open\":0,\"limit\":500,\"shown\":0,\"detailed\":true"), none);
            assertTrue(none.contains("\"name\":\"real\""), none);

            InetSocketAddress address = server.listeners().getFirst().address();
            try (Socket first = Sockets.connect(address); Socket second = Sockets.connect(address)) {
                byte[] data = Sockets.payload(10, 1);
                second.getOutputStream().write(data);
                assertArrayEquals(data, second.getInputStream().readNBytes(data.length));
                await().atMost(Duration.ofSeconds(30)).until(() -> server.activeConnections() == 2);

                String json = HttpGet.body(endpoint.address(), "/connections.json?limit=1");
                assertTrue(json.contains("\"open\":2,\"limit\":1,\"shown\":1,\"detailed\":true"), json);
                assertTrue(json.contains("\"listener\":\"real\",\"handler\":\"echo\",\"client\":\"127.0.0.1\","
                        + "\"port\":" + second.getLocalPort() + ",\"ageMillis\":"), "the newest: " + json);
                assertTrue(json.contains("\"bytesIn\":10,\"bytesOut\":10,"), json);
                String both = HttpGet.body(endpoint.address(), "/connections.json");
                assertTrue(both.contains("\"shown\":2,"), both);
                assertTrue(both.indexOf("\"port\":" + second.getLocalPort())
                        < both.indexOf("\"port\":" + first.getLocalPort()), "newest first: " + both);
            }
        }
    }

    @Test
    void thePageIsPlainHtmlWithNothingFetchedFromElsewhere() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0))) {
            String response = HttpGet.request(endpoint.address(), "GET /");
            assertTrue(response.startsWith("HTTP/1.1 200 "), response);
            assertTrue(response.toLowerCase().contains("content-type: text/html; charset=utf-8"), response);
            assertTrue(response.contains("<title>loomport connections</title>"), response);
            // The SVG namespace is a name, not a fetch; anything else absolute, or any src/link, would be.
            String page = response.replace("\"http://www.w3.org/2000/svg\"", "");
            for (String fetches : new String[] {"http://", "https://", "src=", "<link", "@import", "url("}) {
                assertFalse(page.contains(fetches), "nothing from a CDN or anywhere else: " + fetches);
            }
        }
    }

    @Test
    void stringsAreEscapedForJsonAndHtml() {
        StringBuilder json = new StringBuilder();
        ConnectionsJson.string(json, "a\"b\\c\n<d>&");
        assertEquals("\"a\\\"b\\\\c\\u000a\\u003cd\\u003e\\u0026\"", json.toString());
    }

    static Server echoServer(String name) throws Exception {
        return Server.start(ServerConfig.builder()
                .listener(ListenerConfig.builder("echo").host("127.0.0.1").port(0).name(name).build())
                .build());
    }
}
