package dev.loomport.demo.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 request over a plain loopback socket, {@code Connection: close}, the whole response
 * read back. The demo's unit tests run as its module, which does not read {@code java.net.http}.
 */
final class HttpGet {
    private HttpGet() {
    }

    /** The whole response, status line, headers and body, to {@code requestLine} ("GET /path"). */
    static String request(InetSocketAddress address, String requestLine) throws IOException {
        try (Socket socket = Sockets.connect(address)) {
            String request = requestLine + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (requestLine.startsWith("POST") ? "Content-Length: 0\r\n" : "") + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The body of a {@code GET path}, which must answer 200. */
    static String body(InetSocketAddress address, String path) throws IOException {
        String response = request(address, "GET " + path);
        if (!response.startsWith("HTTP/1.1 200 ")) {
            throw new AssertionError("GET " + path + " answered:\n" + response);
        }
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
}
