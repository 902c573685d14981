package dev.loomport.hostile;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;

/**
 * Attacks on what a listener reads before its handler: malformed PROXY v1/v2 headers, TLS garbage, old
 * TLS versions, and a TLS handshake flood with stalled handshakes among it.
 */
final class ProtocolAttacks {
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SLACK = Duration.ofSeconds(5);
    private static final byte[] V2_SIGNATURE = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

    private ProtocolAttacks() {
    }

    static List<Attack> all() {
        return List.of(new Attack("proxy-malformed", ProtocolAttacks::proxy),
                new Attack("tls-garbage", ProtocolAttacks::tlsGarbage),
                new Attack("tls-old-versions", ProtocolAttacks::tlsOld),
                new Attack("tls-handshake-flood", ProtocolAttacks::tlsFlood));
    }

    private static Probes.Payload p(String name, String text) {
        return new Probes.Payload(name, text.getBytes(US_ASCII));
    }

    /** A PROXY v2 header: signature, {@code verCmd}, {@code family}, the declared length, then {@code body}. */
    static byte[] v2(int verCmd, int family, int length, byte[] body) {
        return ByteBuffer.allocate(16 + body.length).put(V2_SIGNATURE).put((byte) verCmd).put((byte) family)
                .putShort((short) length).put(body).array();
    }

    /** The addresses of a v2 TCP4 header: 192.0.2.1:4000 to 127.0.0.1:7007. */
    static byte[] v2Tcp4Body() {
        return new byte[] {(byte) 192, 0, 2, 1, 127, 0, 0, 1, 0x0f, (byte) 0xa0, 0x1b, 0x5f};
    }

    static List<Probes.Payload> malformedProxy() {
        byte[] badSignature = v2(0x21, 0x11, 12, v2Tcp4Body());
        badSignature[5] = 0x0e;
        return List.of(p("v1 too few fields", "PROXY TCP4 192.0.2.1\r\n"),
                p("v1 bad address", "PROXY TCP4 999.0.2.1 127.0.0.1 4000 7007\r\n"),
                p("v1 bad port", "PROXY TCP4 192.0.2.1 127.0.0.1 99999 7007\r\n"),
                p("v1 unknown protocol", "PROXY SCTP 192.0.2.1 127.0.0.1 4000 7007\r\n"),
                p("v1 mixed families", "PROXY TCP4 ::1 127.0.0.1 4000 7007\r\n"),
                p("v1 LF only", "PROXY TCP4 192.0.2.1 127.0.0.1 4000 7007\n"),
                p("v1 over 107 bytes", "PROXY TCP4 " + "1".repeat(200) + "\r\n"),
                p("v1 cut short, then silence", "PROX"),
                p("no header: HTTP", "GET / HTTP/1.0\r\n\r\n"),
                p("silence", ""),
                new Probes.Payload("v2 bad signature", badSignature),
                new Probes.Payload("v2 version 3", v2(0x31, 0x11, 12, v2Tcp4Body())),
                new Probes.Payload("v2 command 0xF", v2(0x2f, 0x11, 12, v2Tcp4Body())),
                new Probes.Payload("v2 TCP4 with 4 address bytes", v2(0x21, 0x11, 4, new byte[4])),
                new Probes.Payload("v2 declares 65535 bytes, sends 12", v2(0x21, 0x11, 0xffff, v2Tcp4Body())),
                new Probes.Payload("v2 unknown family 0x71", v2(0x21, 0x71, 12, v2Tcp4Body())),
                new Probes.Payload("v2 cut in the signature", Arrays.copyOf(V2_SIGNATURE, 7)));
    }

    static Row proxy(Lab lab) throws Exception {
        int repeat = lab.scale(20, 2);
        String setting = "proxy-protocol=any,proxy-trusted=127.0.0.0/8,proxy-header-timeout=2s";
        byte[] valid = "PROXY TCP4 192.0.2.1 127.0.0.1 4000 7007\r\n".getBytes(US_ASCII);
        try (Lab.Session s = lab.session(Duration.ofSeconds(10), valid, null, "echo@127.0.0.1:0," + setting)) {
            List<Probes.Payload> payloads = malformedProxy();
            Probes.Result r = Probes.run(s.demo.listener(0), payloads, repeat, HEADER_TIMEOUT.plus(SLACK),
                    (first, n) -> n > 0);
            boolean v2Served;
            try (Socket c = Net.connect(s.demo.listener(0))) {
                c.setSoTimeout(10_000);
                c.getOutputStream().write(v2(0x21, 0x11, 12, v2Tcp4Body()));
                c.getOutputStream().write("v2 ok".getBytes(US_ASCII));
                v2Served = Arrays.equals("v2 ok".getBytes(US_ASCII), c.getInputStream().readNBytes(5));
            }
            Duration settled = s.await(m -> m.closed("proxy-header") >= r.sent(), Duration.ofSeconds(30));
            Scrape m = s.scrape();
            List<Row.Check> checks = new ArrayList<>(s.commonChecks());
            checks.add(Row.Check.of("every malformed header closed within the header timeout, nothing echoed",
                    r.closed() == r.sent() && r.answered() == 0
                            && r.latestClose().compareTo(HEADER_TIMEOUT.plusSeconds(2)) <= 0, r.summary()));
            checks.add(Row.Check.of("counted as proxy-header", settled != null,
                    m.closed("proxy-header") + " of " + r.sent() + " (proxy-untrusted " + m.closed("proxy-untrusted") + ")"));
            checks.add(Row.Check.of("a valid v2 header then served", v2Served, v2Served ? "echoed" : "not echoed"));
            return new Row("malformed PROXY v1/v2", setting + "; " + payloads.size() + " kinds", r.sent(), 0,
                    s.peakRss(), r.latestClose(), checks);
        }
    }

    static List<Probes.Payload> tlsGarbage() {
        byte[] random = new byte[1024];
        new Random(15).nextBytes(random);
        random[0] = 0x16; // looks like a handshake record, is not one
        return List.of(new Probes.Payload("random after a handshake type byte", random),
                new Probes.Payload("record claims 16 KiB, sends 10", Arrays.copyOf(new byte[] {0x16, 3, 3, 0x40, 0}, 15)),
                new Probes.Payload("record length 65535", new byte[] {0x16, 3, 3, (byte) 0xff, (byte) 0xff, 1, 0, 0}),
                new Probes.Payload("alert before hello", new byte[] {0x15, 3, 3, 0, 2, 2, 40}),
                new Probes.Payload("zero-length record", new byte[] {0x16, 3, 3, 0, 0}),
                p("plain HTTP", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                p("silence", ""));
    }

    /** A reply that begins a ServerHello: a handshake record (0x16) whose message type is 2. */
    static boolean serverHello(byte[] first, int n) {
        return n >= 6 && first[0] == 0x16 && first[5] == 2;
    }

    static Row tlsGarbage(Lab lab) throws Exception {
        int repeat = lab.scale(20, 2);
        String setting = "tls-handshake-timeout=2s";
        try (Lab.Session s = lab.session(Duration.ofSeconds(10), new byte[0], lab.tls,
                "echo@127.0.0.1:0," + lab.tls.listenerKeys() + "," + setting)) {
            List<Probes.Payload> payloads = tlsGarbage();
            Probes.Result r = Probes.run(s.demo.listener(0), payloads, repeat, HEADER_TIMEOUT.plus(SLACK),
                    ProtocolAttacks::serverHello);
            Duration settled = s.await(m -> m.closed("tls-handshake") >= r.sent(), Duration.ofSeconds(30));
            Scrape m = s.scrape();
            List<Row.Check> checks = new ArrayList<>(s.commonChecks());
            checks.add(Row.Check.of("every one closed within the handshake timeout, no ServerHello",
                    r.closed() == r.sent() && r.wrongReplies() == 0
                            && r.latestClose().compareTo(HEADER_TIMEOUT.plusSeconds(2)) <= 0, r.summary()));
            checks.add(Row.Check.of("counted as tls-handshake", settled != null, m.closed("tls-handshake") + " of " + r.sent()));
            return new Row("TLS garbage", setting + "; " + payloads.size() + " kinds", r.sent(), 0, s.peakRss(),
                    r.latestClose(), checks);
        }
    }

    static Row tlsOld(Lab lab) throws Exception {
        int repeat = lab.scale(20, 2);
        List<Probes.Payload> payloads = new ArrayList<>();
        for (Object[] v : Tls.OLD_VERSIONS) {
            payloads.add(new Probes.Payload(v[1] + " ClientHello", Tls.oldClientHello((Integer) v[0])));
        }
        payloads.add(new Probes.Payload("SSLv2 ClientHello", Tls.sslv2ClientHello()));
        try (Lab.Session s = lab.session(Duration.ofSeconds(10), new byte[0], lab.tls,
                "echo@127.0.0.1:0," + lab.tls.listenerKeys())) {
            Probes.Result r = Probes.run(s.demo.listener(0), payloads, repeat, Duration.ofSeconds(15),
                    ProtocolAttacks::serverHello);
            Duration settled = s.await(m -> m.closed("tls-handshake") >= r.sent(), Duration.ofSeconds(30));
            Scrape m = s.scrape();
            List<Row.Check> checks = new ArrayList<>(s.commonChecks());
            checks.add(Row.Check.of("refused (alert or close), never a ServerHello",
                    r.closed() == r.sent() && r.wrongReplies() == 0, r.summary()));
            checks.add(Row.Check.of("counted as tls-handshake", settled != null, m.closed("tls-handshake") + " of " + r.sent()));
            return new Row("old TLS versions", "defaults (TLSv1.3:TLSv1.2); SSLv2, SSLv3, TLSv1, TLSv1.1",
                    r.sent(), 0, s.peakRss(), r.latestClose(), checks);
        }
    }

    static Row tlsFlood(Lab lab) throws Exception {
        int shakers = lab.scale(100, 10);
        int stalled = lab.scale(500, 50);
        Duration length = lab.scale(Duration.ofSeconds(20), Duration.ofSeconds(3));
        // not 2 s: on a loaded 2-core machine a cold JVM's handshakes, many at once, can take that long
        String setting = "tls-handshake-timeout=5s";
        try (Lab.Session s = lab.session(Duration.ofSeconds(10), new byte[0], lab.tls,
                "echo@127.0.0.1:0," + lab.tls.listenerKeys() + "," + setting)) {
            List<Socket> silent = new ArrayList<>();
            long began = System.nanoTime();
            AtomicInteger done = new AtomicInteger();
            Thread stall = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < stalled; i++) {
                        silent.add(Net.connect(Net.source(i % 20), s.demo.listener(0)));
                    }
                } catch (Exception e) {
                    // counted below: fewer stalled than meant
                }
            });
            AtomicInteger cut = new AtomicInteger();
            Crowd.Result r = Crowd.all(shakers, length.plus(Duration.ofSeconds(60)), i -> {
                while (System.nanoTime() - began < length.toNanos()) {
                    try (SSLSocket c = lab.tls.handshake(Net.connect(s.demo.listener(0)))) {
                        c.setSoTimeout(10_000);
                        c.getOutputStream().write(i);
                        int echoed = c.getInputStream().read();
                        if (echoed < 0) {
                            throw new IOException("closed after the handshake"); // cut by the timeout
                        } else if (echoed != (i & 0xff)) {
                            throw new IllegalStateException("wrong byte echoed after the handshake: " + echoed);
                        }
                        done.incrementAndGet();
                    } catch (IOException e) {
                        cut.incrementAndGet(); // outlasted the handshake timeout: try again, as a client would
                    }
                }
            });
            double seconds = (System.nanoTime() - began) / 1e9;
            stall.join(Duration.ofSeconds(60));
            Duration settled = s.await(m -> m.closed("tls-handshake") >= silent.size(), Duration.ofSeconds(30));
            silent.forEach(Net::closeQuietly);
            Scrape m = s.scrape();
            List<Row.Check> checks = new ArrayList<>(s.commonChecks());
            // A flood of full handshakes is a CPU attack: on two shared cores some legitimate handshakes
            // outlast the handshake timeout and are cut (counted in the figure). The verdict is that the
            // server goes on completing them, while the canary's established session is served.
            checks.add(Row.Check.of("handshakes go on completing under the flood", done.get() > 0 && r.failed() == 0,
                    done.get() + " completed by " + shakers + " clients (" + String.format("%.1f", done.get() / seconds)
                            + "/s), " + cut.get() + " cut by the handshake timeout; " + r.summary()));
            checks.add(Row.Check.of("stalled handshakes closed and counted as tls-handshake",
                    settled != null && silent.size() == stalled, m.closed("tls-handshake") + " of " + silent.size()
                            + " opened of " + stalled));
            return new Row("TLS handshake flood", setting + "; " + shakers + " clients re-handshaking, " + stalled
                    + " stalled", done.get() + stalled, 0, s.peakRss(), null, checks);
        }
    }
}
