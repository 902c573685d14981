package dev.loomport;

import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.HandlerPlugin;
import java.io.InputStream;
import java.io.OutputStream;

/** Handlers the framework's own tests serve, given to the server directly as plug-ins of their own. */
final class TestHandlers {
    private TestHandlers() {
    }

    /** A plug-in with a name whose handler is {@code body}: the same handler for every listener. */
    static HandlerPlugin handler(String name, ConnectionHandler body) {
        return HandlerPlugin.of(name, () -> body);
    }

    /** Echo, as the demo's: every byte back, in order, until EOF. */
    static HandlerPlugin echo() {
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
