package dev.loomport;

import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import java.io.InputStream;
import java.io.OutputStream;

/** Handlers the framework's own tests serve, given to the server directly (not as plug-ins). */
final class TestHandlers {
    private TestHandlers() {
    }

    /** A handler with a name and a body given as a lambda. */
    static ConnectionHandler handler(String name, Body body) {
        return new ConnectionHandler() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void handle(Connection connection) throws Exception {
                body.handle(connection);
            }
        };
    }

    interface Body {
        void handle(Connection connection) throws Exception;
    }

    /** Echo, as the demo's: every byte back, in order, until EOF. */
    static ConnectionHandler echo() {
        return handler("echo", TestHandlers::echo);
    }

    static void echo(Connection c) throws Exception {
        InputStream in = c.input();
        OutputStream out = c.output();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) != -1; ) {
            out.write(buffer, 0, n);
        }
    }
}
