package dev.loomport.demo.echo;

import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * {@code echo}: writes back every byte it reads, in order, as soon as it has read it, until the client
 * shuts down its side. Memory per connection is one small buffer however much the client sends.
 */
public final class EchoHandler implements ConnectionHandler {
    static final int BUFFER = 8 * 1024;

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public void handle(Connection connection) throws IOException {
        InputStream in = connection.input();
        OutputStream out = connection.output();
        byte[] buffer = new byte[BUFFER];
        for (int n; (n = in.read(buffer)) != -1; ) {
            out.write(buffer, 0, n);
        }
    }
}
