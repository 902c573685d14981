package dev.loomport.internal;

import dev.loomport.ListenerConfig;
import dev.loomport.SocketOptions.IoPath;
import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The framework-owned I/O path (issue 18): which listeners take it, and the engine's readiness loops
 * that serve their connections. The engine starts the loops with the first listener on this path and
 * stops them after its last connection has ended; the loops' threads are counted in its
 * {@link ThreadCount} like every other thread it owns.
 */
final class IoLoops {
    /** The system property that overrides {@link IoPath#DEFAULT} for the process: {@code jdk} or {@code loop}. */
    static final String PROPERTY = "dev.loomport.io";
    /** Loops per server: the prototype's measured best on 2 cores (docs/performance.md, section 12). */
    static final int LOOPS = 2;

    private final List<IoLoop> loops;
    private final AtomicInteger next = new AtomicInteger();

    private IoLoops(List<IoLoop> loops) {
        this.loops = loops;
    }

    /** Whether a listener with {@code config} serves on the loops: plain TCP on the loop path. */
    static boolean serves(ListenerConfig config) {
        return config.tls().isEmpty() && chosen(config.socket().ioPath()) == IoPath.LOOP;
    }

    /**
     * What {@code asked} means on this JDK: {@link IoPath#DEFAULT} is the system property if set, else
     * {@code LOOP} on JDK 21 (held connections 1.46-1.53x the JDK's path, churn 0.77x) and {@code JDK} on
     * later ones (held connections 1.19-1.28x, churn 0.69-0.87x): docs/performance.md, issue 18.
     *
     * @throws IllegalArgumentException naming the property and its value when it is neither jdk nor loop
     */
    static IoPath chosen(IoPath asked) {
        if (asked != IoPath.DEFAULT) {
            return asked;
        }
        String property = System.getProperty(PROPERTY);
        if (property != null) {
            return switch (property.trim().toLowerCase(Locale.ROOT)) {
                case "jdk" -> IoPath.JDK;
                case "loop" -> IoPath.LOOP;
                default -> throw new IllegalArgumentException("system property " + PROPERTY
                        + " must be jdk or loop, not '" + property + "'");
            };
        }
        return Runtime.version().feature() == 21 ? IoPath.LOOP : IoPath.JDK;
    }

    /** Starts {@link #LOOPS} loops counted in {@code threads}; on failure none is left running. */
    static IoLoops start(ThreadCount threads) throws IOException {
        List<IoLoop> started = new ArrayList<>();
        try {
            for (int i = 0; i < LOOPS; i++) {
                started.add(IoLoop.start(i, threads));
            }
        } catch (IOException | RuntimeException | Error e) {
            started.forEach(IoLoop::stop);
            throw e;
        }
        return new IoLoops(List.copyOf(started));
    }

    /**
     * The socket an admitted connection is served through: {@code accepted} (blocking, from a
     * {@link java.nio.channels.ServerSocketChannel}) made non-blocking and given the next loop in turn.
     * Nothing selector-related happens here, on the accept thread: the connection registers itself with
     * that loop, on its own thread, only if it comes to wait ({@link LoopKey}). Closing the returned socket
     * closes {@code accepted}.
     */
    Socket adopt(Socket accepted) throws IOException {
        SocketChannel channel = accepted.getChannel();
        if (channel == null) { // a listener on this path accepts from a channel: a bug if not
            throw new IllegalStateException("not a channel's socket: " + accepted);
        }
        channel.configureBlocking(false);
        IoLoop loop = loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
        return new LoopSocket(new LoopChannel(channel, loop));
    }

    /** Stops every loop and waits for its threads; called once no connection is left. */
    void stop() {
        loops.forEach(IoLoop::stop);
    }
}
