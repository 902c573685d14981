package dev.loomport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 5 where it shows: a reject message lost on the way. Loopback loses nothing, so a child
 * JVM runs the real reject path in a private network namespace ({@code unshare -n}) whose nf_tables
 * rules drop, once per connection, the server's first segment over 500 bytes (the message) and its first
 * FIN, as a lossy path would; their retransmissions pass. Closing over the client's unread bytes would
 * send a RST while the message waits for its retransmission, and the client would read nothing but
 * "Connection reset"; the reject drops those bytes first (Unread), so the close is a FIN and the message
 * arrives. Needs root, {@code unshare}, {@code ip} and {@code nft} (Debian: util-linux, iproute2,
 * nftables; {@code .ci/run} installs nftables); skipped, saying so, only when not root or when one is
 * missing on a machine without apt-get.
 */
class RejectLostSegmentIT {
    private static final int ATTEMPTS = 5;
    /** Each attempt takes a retransmission timeout or two; this bounds a child that hangs. */
    private static final Duration CHILD_LIMIT = Duration.ofSeconds(120);

    /**
     * Marks on the connection (conntrack) make each drop happen once per connection, so every attempt,
     * on fresh connections, meets the same loss. The input hook, because a drop on the output hook is
     * seen by the sender, which sends again at once: the loss must happen after the packet left it.
     */
    private static final String RULES = """
            flush ruleset
            table inet loomport_loss {
                chain in {
                    type filter hook input priority 0; policy accept;
                    ct direction reply meta length > 500 ct mark and 0x1 == 0x0 ct mark set ct mark or 0x1 \
                        counter drop comment "message"
                    ct direction reply tcp flags & fin == fin ct mark and 0x2 == 0x0 ct mark set ct mark or 0x2 \
                        counter drop comment "fin"
                }
            }
            """;

    @Test
    void aRejectedClientThatSentFirstGetsTheMessageThoughItsFirstSegmentAndFinAreLost(@TempDir Path dir)
            throws Exception {
        Path rules = Files.writeString(dir.resolve("loss.nft"), RULES);
        Path output = dir.resolve("child.out");
        // After the child, the rules with their counters: proof that the loss happened.
        List<String> command = new ArrayList<>(List.of(tool("unshare"), "-n", "sh", "-c",
                "\"$1\" link set lo up && \"$2\" -f \"$3\" || exit 99; nft=$2; shift 3; \"$@\"; rc=$?;"
                        + " \"$nft\" list ruleset; exit $rc", "sh",
                tool("ip"), tool("nft"), rules.toString()));
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                RejectLostSegmentChild.class.getName(), String.valueOf(ATTEMPTS)));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean ended;
        try {
            ended = child.waitFor(CHILD_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            child.descendants().forEach(ProcessHandle::destroyForcibly); // the JVM, under sh
            child.destroyForcibly();
        }
        String out = read(output);
        assertTrue(ended, () -> "the child still ran after " + CHILD_LIMIT + ":\n" + out);
        assertEquals(0, child.exitValue(), () -> "the child failed:\n" + out);
        List<String> attempts = out.lines().filter(line -> line.startsWith("attempt ")).toList();
        assertEquals(IntStream.rangeClosed(1, ATTEMPTS).mapToObj(RejectLostSegmentChild::told).toList(), attempts,
                () -> "every rejected client reads the whole message, then end of stream; the child said:\n" + out);
        assertEquals(ATTEMPTS, dropped(out, "message"),
                () -> "each reject message was lost once on its way (else this test shows nothing):\n" + out);
    }

    /** The packets the rule with this comment dropped, from {@code nft list ruleset}'s counter. */
    private static long dropped(String ruleset, String comment) {
        Matcher m = Pattern.compile("counter packets (\\d+) .*comment \"" + comment + "\"").matcher(ruleset);
        assertTrue(m.find(), () -> "no counter for the rule '" + comment + "' in:\n" + ruleset);
        return Long.parseLong(m.group(1));
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "(nothing)";
    }

    /**
     * The command's path. Missing: a skip where it cannot be installed (not root, or no apt-get: a
     * developer's machine), a failure where it should have been ({@code .ci/run} installs it).
     */
    private static String tool(String name) {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root, for a network namespace and its nf_tables rules; runs as " + System.getProperty("user.name"));
        Optional<Path> found = find(name);
        if (found.isEmpty()) {
            Assumptions.assumeTrue(find("apt-get").isPresent(),
                    () -> "needs " + name + " (Debian: util-linux, iproute2, nftables), missing here, and no apt-get");
            fail(name + " is missing on a root machine with apt-get: .ci/run installs nftables"
                    + " (and the image has util-linux and iproute2)");
        }
        return found.orElseThrow().toString();
    }

    /** Root's commands may be in sbin even where PATH leaves it out. */
    private static Optional<Path> find(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(File.pathSeparator)), Stream.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
