package dev.loomport.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A server under test and the command that starts it on a fresh port (0: the OS picks one). {@code family}
 * is the server whatever the JDK ({@code loomport}); {@code name} adds {@code @FEATURE} when it runs on a JDK
 * other than the default one ({@code loomport@21}); {@code jdk} is the version it runs on ("-" for C).
 */
record ServerKind(String name, String family, String jdk, String description, List<String> command) {
    static final String LOOMPORT_MODULE = "dev.loomport.demo.echo";
    /** The reference every ratio is taken against: Netty epoll on the default JDK. */
    static final String REFERENCE = "netty-epoll";
    /** Above the 19,000 of the hold workload: loomport's default limit is 10,000, the others have none. */
    static final int LOOMPORT_MAX_CONNECTIONS = 20_000;

    /**
     * What the servers are made of. {@code extraJdks}: JDKs that loomport, Netty epoll and the prototypes
     * also run on, beside the default one. {@code cEcho}: the built C echo server, or null to leave it out.
     * {@code protoVariants}: the I/O-path prototype's variants ({@link ProtoEchoServer}) to add.
     * {@code loomportVariants}: name to listener options ({@code send-buffer=0,receive-buffer=0}): each is
     * one more loomport server, {@code loomport-NAME}, the launcher's defaults but for those options.
     */
    record Setup(Jdk jdk, List<Jdk> extraJdks, String classpath, Path modules, boolean metricsOption,
                 List<String> serverJvm, List<String> loomportFlags, Path cEcho, List<String> protoVariants,
                 Map<String, String> loomportVariants) {
    }

    /**
     * Every server, with the same JVM flags. With {@code metricsOption} loomport runs twice, with the
     * launcher's {@code --metrics off} (nothing recorded) and {@code --metrics 127.0.0.1:0} (recorded and
     * served); without it once, as the launcher starts by default.
     */
    static List<ServerKind> all(Setup s) {
        List<ServerKind> kinds = new ArrayList<>();
        if (s.cEcho() != null) {
            kinds.add(new ServerKind("c-epoll", "c-epoll", "-", "C echo on epoll, no framework, one loop per core"
                    + " (the measured limit)", List.of(s.cEcho().toString(), "127.0.0.1", "0")));
        }
        perJdk(kinds, s, s.jdk(), true);
        kinds.add(java(s, s.jdk(), "netty-nio", "Netty 4.2 echo, NIO transport",
                "-cp", s.classpath(), NettyEchoServer.class.getName(), "nio", "127.0.0.1", "0"));
        kinds.add(java(s, s.jdk(), "threads", "java.net.ServerSocket, a platform thread per connection",
                "-cp", s.classpath(), ThreadEchoServer.class.getName(), "127.0.0.1", "0"));
        for (Jdk jdk : s.extraJdks()) {
            perJdk(kinds, s, jdk, false);
        }
        return List.copyOf(kinds);
    }

    /** The servers of the JDK matrix on one JDK: Netty epoll, loomport, the prototype's variants. */
    private static void perJdk(List<ServerKind> kinds, Setup s, Jdk jdk, boolean isDefault) {
        kinds.add(kind(jdk, isDefault, REFERENCE, "Netty 4.2 echo, native epoll transport", jvm(jdk.java(), s.serverJvm(),
                "-cp", s.classpath(), NettyEchoServer.class.getName(), "epoll", "127.0.0.1", "0")));
        String listen = "echo@127.0.0.1:0,max-connections=" + LOOMPORT_MAX_CONNECTIONS;
        // The flags every server gets, then loomport's experiment's (--loomport-jvm): flags the other
        // servers lack, so every table names them.
        List<String> loomportJvm = concat(s.serverJvm(), s.loomportFlags());
        String flagged = s.loomportFlags().isEmpty() ? "" : " + JVM flags `" + String.join(" ", s.loomportFlags()) + "`";
        String modules = s.modules().toString();
        if (s.metricsOption()) {
            kinds.add(kind(jdk, isDefault, "loomport", "loomport echo demo, --metrics off" + flagged,
                    jvm(jdk.java(), loomportJvm, "-p", modules, "-m", LOOMPORT_MODULE, "--listen", listen, "--metrics", "off")));
            if (isDefault) {
                kinds.add(kind(jdk, true, "loomport-metrics", "loomport echo demo, --metrics 127.0.0.1:0" + flagged,
                        jvm(jdk.java(), loomportJvm, "-p", modules, "-m", LOOMPORT_MODULE, "--listen", listen,
                                "--metrics", "127.0.0.1:0")));
            }
        } else {
            kinds.add(kind(jdk, isDefault, "loomport", "loomport echo demo, as the launcher starts it" + flagged,
                    jvm(jdk.java(), loomportJvm, "-p", modules, "-m", LOOMPORT_MODULE, "--listen", listen)));
        }
        for (Map.Entry<String, String> variant : new TreeMap<>(s.loomportVariants()).entrySet()) {
            kinds.add(kind(jdk, isDefault, "loomport-" + variant.getKey(), "loomport echo demo, --metrics off, listener"
                    + " options `" + variant.getValue() + "`" + flagged, jvm(jdk.java(), loomportJvm, "-p", modules,
                    "-m", LOOMPORT_MODULE, "--listen", listen + "," + variant.getValue(), "--metrics", "off")));
        }
        for (String variant : s.protoVariants()) {
            ProtoEchoServer.Variant v = ProtoEchoServer.Variant.parse(variant);
            kinds.add(kind(jdk, isDefault, "proto-" + variant, "I/O-path prototype: " + v.description(),
                    jvm(jdk.java(), concat(s.serverJvm(), v.jvmFlags()), "-cp", s.classpath(),
                            ProtoEchoServer.class.getName(), variant, "127.0.0.1", "0")));
        }
    }

    private static ServerKind java(Setup s, Jdk jdk, String family, String description, String... rest) {
        return kind(jdk, true, family, description, jvm(jdk.java(), s.serverJvm(), rest));
    }

    private static ServerKind kind(Jdk jdk, boolean isDefault, String family, String description, List<String> command) {
        return new ServerKind(isDefault ? family : family + "@" + jdk.feature(), family, jdk.version(),
                description + " (JDK " + jdk.version() + ")", command);
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
