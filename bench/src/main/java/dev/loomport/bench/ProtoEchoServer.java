package dev.loomport.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The I/O-path experiment of issue 18, as a prototype outside the framework: one echo handler, written
 * against blocking {@link InputStream}/{@link OutputStream} as a loomport handler is, run on a virtual thread
 * per connection, with the bytes brought to it one of several ways ({@link Variant}). Everything but the
 * path is the same in every variant, so their differences are the path's. {@code ProtoEchoServer VARIANT
 * HOST PORT}; prints {@code listening echo HOST:PORT}; serves until SIGTERM (its threads are daemons).
 */
public final class ProtoEchoServer {
    private static final int SMALL = 512;
    private static final int LARGE = 16 * 1024;

    private ProtoEchoServer() {
    }

    /** How a connection's bytes reach its virtual thread. */
    enum Kind {
        JDK("the JDK's path: a virtual thread blocking in java.net.Socket's streams (what loomport uses)"),
        LOOP("NIO selector loops owned by the server, read interest kept registered; the loop reads on readiness"
                + " into the connection's buffer and unparks its virtual thread, which writes directly"),
        BATCH("as loop, but one hand-off per select: the loop queues the threads to wake and unparks one waker"
                + " virtual thread, which unparks them from a carrier"),
        VTREAD("selector loops only signal readiness and the virtual thread reads itself; read interest is dropped"
                + " on readiness and re-armed when a read finds nothing (the JDK's re-arm, on loops we own)"),
        POLL("as batch, but handlers poll: a read that finds nothing first takes the loop's selector if free and runs"
                + " selectNow, waking the ready connections' threads from its carrier; the loop's thread selects only"
                + " when no handler runs"),
        LAST("as poll, but only a loop's last running handler polls; the others park at once, so a busy loop makes"
                + " one selectNow per round of its handlers, not one per read");

        final String description;

        Kind(String description) {
            this.description = description;
        }

        /** Whether handlers poll their loop (and the loop's thread selects only when none runs). */
        boolean handlersPoll() {
            return this == POLL || this == LAST;
        }
    }

    /**
     * A kind and, for the loop kinds, how many selector loops ({@code loop2}: two) and, for {@code POLL} and
     * {@code LAST}, how many
     * polls a read makes before it parks ({@code poll2-r3}: two loops, 3 rounds; default {@value #POLL_ROUNDS});
     * {@code jdk-pmN} is the
     * JDK's path with {@code -Djdk.pollerMode=N} (JDK 22 and later: 1 platform-thread pollers, 2 virtual-thread
     * pollers, 27: 3 a poller per carrier), the flag the runner then gives that server's JVM.
     */
    record Variant(Kind kind, int loops, int pollRounds, List<String> jvmFlags) {
        /**
         * A read polls once, then yields once (so the threads that poll woke on this carrier run, and their
         * replies bring the next messages) and polls again, then parks: a bounded spin of one yield.
         */
        static final int POLL_ROUNDS = 2;
        private static final Pattern NAME = Pattern.compile("(jdk|loop|batch|vtread|poll|last)(\\d*)(?:-r(\\d+))?|jdk-pm([1-3])");

        static Variant parse(String name) {
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                throw new IllegalArgumentException("no prototype variant '" + name + "'; variants: " + names());
            }
            if (m.group(4) != null) {
                return new Variant(Kind.JDK, 1, 0, List.of("-Djdk.pollerMode=" + m.group(4)));
            }
            Kind kind = Kind.valueOf(m.group(1).toUpperCase(Locale.ROOT));
            int loops = m.group(2).isEmpty() ? 1 : Integer.parseInt(m.group(2));
            if (loops < 1 || loops > 64) {
                throw new IllegalArgumentException("prototype loops out of range 1..64: " + name);
            }
            if (m.group(3) != null && !kind.handlersPoll()) {
                throw new IllegalArgumentException("only poll and last variants take -rN (poll rounds): " + name);
            }
            int rounds = !kind.handlersPoll() ? 0 : m.group(3) == null ? POLL_ROUNDS : Integer.parseInt(m.group(3));
            if (kind.handlersPoll() && (rounds < 1 || rounds > 64)) {
                throw new IllegalArgumentException("poll rounds out of range 1..64: " + name);
            }
            return new Variant(kind, loops, rounds, List.of());
        }

        static String names() {
            return "jdk, jdk-pm1, jdk-pm2, jdk-pm3, loopN, batchN, vtreadN, pollN[-rR], lastN[-rR] (N selector loops, default 1;"
                    + " R polls before a read parks, default " + POLL_ROUNDS + ")";
        }

        String description() {
            return kind.description + (kind == Kind.JDK ? "" : "; " + loops + " loop(s)")
                    + (kind.handlersPoll() ? "; " + pollRounds + " poll(s) before a read parks" : "")
                    + (jvmFlags.isEmpty() ? "" : "; JVM flags `" + String.join(" ", jvmFlags) + "`");
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ProtoEchoServer VARIANT HOST PORT; variants: " + Variant.names());
        }
        Variant variant = Variant.parse(args[0]); // jdk-pmN: the runner has put the flag on this JVM already
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        if (variant.kind() == Kind.JDK) {
            serveJdk(address);
        } else {
            serveLoops(variant, address);
        }
    }

    private static void serveJdk(InetSocketAddress address) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(address, 1024);
            listening(address, server.getLocalPort());
            while (true) {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (socket) {
                        socket.setTcpNoDelay(true);
                        echo(socket.getInputStream(), socket.getOutputStream());
                    } catch (IOException e) {
                        // the client went away: normal under churn
                    }
                });
            }
        }
    }

    private static void serveLoops(Variant variant, InetSocketAddress address) throws IOException {
        List<ProtoLoop> loops = new ArrayList<>();
        for (int i = 0; i < variant.loops(); i++) {
            loops.add(ProtoLoop.start(variant.kind(), i, variant.pollRounds()));
        }
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, 1024);
            listening(address, ((InetSocketAddress) server.getLocalAddress()).getPort());
            for (long n = 0; ; n++) {
                SocketChannel ch = server.accept();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ProtoConnection c = loops.get((int) (n % loops.size())).register(ch);
                Thread.ofVirtual().start(() -> {
                    try (c) {
                        echo(c.input(), c.output());
                    } catch (IOException e) {
                        // the client went away: normal under churn
                    }
                });
            }
        }
    }

    private static void listening(InetSocketAddress address, int port) {
        System.out.println("listening echo " + address.getHostString() + ":" + port);
        System.out.flush();
    }

    /**
     * The handler, the same in every variant and the same buffer policy as loomport's echo: wait with 512
     * bytes; a read that fills them moves the connection to 16 KiB (one read and one write per large message).
     */
    static void echo(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[SMALL];
        for (int n; (n = in.read(buffer)) != -1; ) {
            out.write(buffer, 0, n);
            if (n == buffer.length && buffer.length == SMALL) {
                buffer = new byte[LARGE];
            }
        }
    }
}
