package dev.loomport;

import java.util.ArrayList;
import java.util.List;

/**
 * What one test opened (servers, clients), closed after it in reverse order from its
 * {@code @AfterEach}, so that a test that fails half-way leaves nothing running for the next one.
 */
final class Opened implements AutoCloseable {
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Closes {@code closeable} after the test; returns it. */
    <T extends AutoCloseable> T add(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    /** The servers among them, to check after {@link #close()} that none left a thread behind. */
    List<Server> servers() {
        return opened.stream().filter(Server.class::isInstance).map(Server.class::cast).toList();
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }
}
