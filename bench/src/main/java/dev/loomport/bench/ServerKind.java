package dev.loomport.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A server under test and the command that starts it on a fresh port (0: the OS picks one). */
record ServerKind(String name, String description, List<String> command) {
    static final String LOOMPORT_MODULE = "dev.loomport.demo.echo";
    /** The reference every ratio is taken against. */
    static final String REFERENCE = "netty-epoll";
    /** Above the 19,000 of the hold workload: loomport's default limit is 10,000, the others have none. */
    static final int LOOMPORT_MAX_CONNECTIONS = 20_000;

    /**
     * Every server, with the same JVM flags. With {@code metricsOption} loomport runs twice, with the
     * launcher's {@code --metrics off} (nothing recorded) and {@code --metrics 127.0.0.1:0} (recorded and
     * served); without it once, as the launcher starts by default.
     */
    static List<ServerKind> all(Path java, String classpath, Path modules, boolean metricsOption,
                                List<String> serverJvm, List<String> loomportFlags) {
        List<ServerKind> kinds = new ArrayList<>();
        kinds.add(new ServerKind(REFERENCE, "Netty 4.2 echo, native epoll transport",
                jvm(java, serverJvm, "-cp", classpath, NettyEchoServer.class.getName(), "epoll", "127.0.0.1", "0")));
        kinds.add(new ServerKind("netty-nio", "Netty 4.2 echo, NIO transport",
                jvm(java, serverJvm, "-cp", classpath, NettyEchoServer.class.getName(), "nio", "127.0.0.1", "0")));
        kinds.add(new ServerKind("threads", "java.net.ServerSocket, a platform thread per connection",
                jvm(java, serverJvm, "-cp", classpath, ThreadEchoServer.class.getName(), "127.0.0.1", "0")));
        String listen = "echo@127.0.0.1:0,max-connections=" + LOOMPORT_MAX_CONNECTIONS;
        // The flags every server gets, then loomport's experiment's (--loomport-jvm): flags the other
        // servers lack, so every table names them.
        List<String> loomportJvm = concat(serverJvm, loomportFlags);
        String flagged = loomportFlags.isEmpty() ? "" : " + JVM flags `" + String.join(" ", loomportFlags) + "`";
        if (metricsOption) {
            kinds.add(new ServerKind("loomport", "loomport echo demo, --metrics off" + flagged,
                    jvm(java, loomportJvm, "-p", modules.toString(), "-m", LOOMPORT_MODULE, "--listen", listen, "--metrics", "off")));
            kinds.add(new ServerKind("loomport-metrics", "loomport echo demo, --metrics 127.0.0.1:0" + flagged,
                    jvm(java, loomportJvm, "-p", modules.toString(), "-m", LOOMPORT_MODULE, "--listen", listen,
                            "--metrics", "127.0.0.1:0")));
        } else {
            kinds.add(new ServerKind("loomport", "loomport echo demo, as the launcher starts it (no --metrics option yet)" + flagged,
                    jvm(java, loomportJvm, "-p", modules.toString(), "-m", LOOMPORT_MODULE, "--listen", listen)));
        }
        return List.copyOf(kinds);
    }

    /** {@code java FLAGS... REST...}: the flags every server gets (plus, for loomport, its experiment's). */
    private static List<String> jvm(Path java, List<String> flags, String... rest) {
        List<String> c = new ArrayList<>();
        c.add(java.toString());
        c.addAll(flags);
        c.addAll(List.of(rest));
        return List.copyOf(c);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> c = new ArrayList<>(a);
        c.addAll(b);
        return c;
    }

    @Override
    public String toString() {
        return name;
    }
}
