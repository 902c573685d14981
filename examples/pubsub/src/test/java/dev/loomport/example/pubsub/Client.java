package dev.loomport.example.pubsub;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A line client for the tests: every read waits at most 30 s, so a test fails instead of hanging. */
final class Client implements AutoCloseable {
    private final Socket socket = new Socket();
    private final BufferedReader in;
    private final Writer out;

    Client(InetSocketAddress server) throws IOException {
        socket.connect(server, 30_000);
        socket.setSoTimeout(30_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
        out = new OutputStreamWriter(socket.getOutputStream(), UTF_8);
    }

    /** Sends one line. */
    Client send(String line) throws IOException {
        out.write(line + "\r\n");
        out.flush();
        return this;
    }

    /** Sends raw text, no line end added. */
    void sendRaw(String text) throws IOException {
        out.write(text);
        out.flush();
    }

    /** Shuts down this side's output: the server reads end of stream. */
    void halfClose() throws IOException {
        socket.shutdownOutput();
    }

    /** The next line, or null at the end of the stream. */
    String line() throws IOException {
        return in.readLine();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
