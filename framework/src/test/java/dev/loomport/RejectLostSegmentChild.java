package dev.loomport;

import static dev.loomport.TestClients.assertEchoes;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The child JVM of {@link RejectLostSegmentIT}, started in a private network namespace whose rules drop
 * the server's first large segment and first FIN of each connection once: rejects a client that sent
 * first, on a fresh server per attempt, and prints one line per attempt saying what the client read.
 */
final class RejectLostSegmentChild {
    /** The largest reject message a listener accepts: the most a lost segment can take away. */
    static final int MESSAGE_BYTES = 1024;

    private RejectLostSegmentChild() {
    }

    /** {@code args[0]}: how many attempts. */
    public static void main(String[] args) throws Exception {
        byte[] message = new byte[MESSAGE_BYTES];
        Arrays.fill(message, (byte) 'r');
        message[MESSAGE_BYTES - 1] = '\n';
        int attempts = Integer.parseInt(args[0]);
        for (int i = 1; i <= attempts; i++) {
            System.out.println(line(i, attempt(message), message));
        }
    }

    /** What a passing attempt prints, and what the IT expects. */
    static String told(int attempt) {
        return "attempt " + attempt + ": " + MESSAGE_BYTES + " bytes, the message, then end of stream";
    }

    private static String line(int attempt, Outcome outcome, byte[] message) {
        return "attempt " + attempt + ": " + outcome.received.length + " bytes, "
                + (Arrays.equals(outcome.received, message) ? "the message" : "not the message")
                + ", then " + outcome.end;
    }

    private record Outcome(byte[] received, String end) {
    }

    /**
     * As in ConnectionLimitsTest's test of the same defect: two slots taken (the accept loop then waits,
     * overflow backpressure) while the client connects and sends, so that its bytes are in the server's
     * buffers before the reject; then a slot frees and the loop turns the client away (per source).
     */
    private static Outcome attempt(byte[] message) throws IOException {
        ListenerConfig.Builder listener = ListenerConfig.builder("echo").maxConnections(2).maxConnectionsPerSource(1)
                .rejectMessage(new String(message, StandardCharsets.US_ASCII));
        try (Server server = TestServers.serve(listener, TestHandlers.echo(), new SimpleMeterRegistry());
                Socket holder = clientFrom("127.0.0.1", server);
                Socket other = clientFrom("127.0.0.2", server);
                Socket client = clientFrom("127.0.0.1", server)) {
            assertEchoes(holder, "holds 127.0.0.1's one slot");
            assertEchoes(other, "holds the second slot: the accept loop now waits for one");
            // connected before the echoes above, in the kernel's backlog: sending now, it is not accepted
            client.setTcpNoDelay(true);
            client.getOutputStream().write(new byte[MESSAGE_BYTES]);
            other.close(); // a slot frees: the loop accepts the client and refuses it (per source)
            return readToTheEnd(client.getInputStream());
        }
    }

    private static Outcome readToTheEnd(InputStream in) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                received.write(buffer, 0, n);
            }
            return new Outcome(received.toByteArray(), "end of stream");
        } catch (IOException e) {
            return new Outcome(received.toByteArray(), e.toString());
        }
    }

    private static Socket clientFrom(String source, Server server) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(server.listeners().getFirst().address(), (int) TestClients.TIMEOUT.toMillis());
        s.setSoTimeout((int) TestClients.TIMEOUT.toMillis());
        return s;
    }
}
