package dev.loomport.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Malformed openings: each payload sent on connections of its own, then the client waits for the
 * server to end the connection, keeping the first bytes the server answered with (an echo, an alert,
 * a ServerHello) so the verdict can say what the server did with them.
 */
final class Probes {
    private Probes() {
    }

    /** One malformed opening: a name for the report and the bytes (empty: connect and say nothing). */
    record Payload(String name, byte[] bytes) {
    }

    /** How the probes ended: closed by the server, held open, bytes answered, replies that were wrong. */
    record Result(int sent, int closed, int held, long answered, int wrongReplies, String firstWrong,
            Duration latestClose) {
        String summary() {
            return closed + " of " + sent + " closed by the server (the last after " + Net.secs(latestClose) + "), "
                    + held + " held, " + answered + " bytes answered"
                    + (wrongReplies > 0 ? ", " + wrongReplies + " wrong replies, e.g. " + firstWrong : "");
        }
    }

    /** Decides from the first bytes the server sent whether that reply is wrong (an echo, a ServerHello). */
    interface ReplyCheck {
        boolean wrong(byte[] first, int length);
    }

    /** Sends every payload {@code repeat} times, 50 connections at a time; each waits up to {@code within}. */
    static Result run(InetSocketAddress to, List<Payload> payloads, int repeat, Duration within, ReplyCheck check)
            throws InterruptedException {
        int n = payloads.size() * repeat;
        AtomicInteger closed = new AtomicInteger();
        AtomicInteger held = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        AtomicLong answered = new AtomicLong();
        AtomicLong latest = new AtomicLong();
        AtomicReference<String> firstWrong = new AtomicReference<>();
        Crowd.run(n, 50, within.multipliedBy(n / 50 + 2), i -> {
            Payload p = payloads.get(i % payloads.size());
            long began = System.nanoTime();
            try (Socket s = Net.connect(to)) {
                s.getOutputStream().write(p.bytes());
                byte[] first = new byte[16];
                int got = 0;
                InputStream in = s.getInputStream();
                long deadline = began + within.toNanos();
                boolean ended = false;
                try {
                    byte[] buf = new byte[4096];
                    for (long left; (left = deadline - System.nanoTime()) > 0 && !ended; ) {
                        s.setSoTimeout((int) Math.max(1, left / 1_000_000));
                        int r;
                        try {
                            r = in.read(buf);
                        } catch (SocketTimeoutException e) {
                            continue;
                        }
                        if (r < 0) {
                            ended = true;
                        } else {
                            int keep = Math.min(r, first.length - got);
                            System.arraycopy(buf, 0, first, got, keep);
                            got += keep;
                            answered.addAndGet(r);
                        }
                    }
                } catch (SocketException e) {
                    ended = true; // reset
                }
                if (ended) {
                    closed.incrementAndGet();
                    latest.accumulateAndGet(System.nanoTime() - began, Math::max);
                } else {
                    held.incrementAndGet();
                }
                if (check.wrong(first, got) && wrong.getAndIncrement() == 0) {
                    firstWrong.set(p.name() + " got " + hex(first, got));
                }
            } catch (IOException e) {
                closed.incrementAndGet(); // reset while sending: closed too
            }
        });
        return new Result(n, closed.get(), held.get(), answered.get(), wrong.get(), firstWrong.get(),
                Duration.ofNanos(latest.get()));
    }

    static String hex(byte[] b, int n) {
        StringBuilder h = new StringBuilder();
        for (int i = 0; i < n; i++) {
            h.append(String.format("%02x", b[i]));
        }
        return h.isEmpty() ? "nothing" : h.toString();
    }
}
