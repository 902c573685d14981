package dev.loomport.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection's reader must never spin while its writer registers the connection: the writer can be
 * unmounted inside {@code channel.register}, waiting for a monitor (in production the selector's update
 * lock, which the loop holds in every select; here the channel's blocking lock, which register also takes,
 * held by the test), and with as many spinning readers as carriers it would never run again. Fails on JDK
 * 24+ with a spin-wait in {@code LoopKey.register}.
 */
class LoopKeyStarvationTest {
    @Test
    void spinnersHoldingEveryCarrierStarveTheRegistrants() throws Exception {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        ThreadCount threads = new ThreadCount();
        IoLoops loops = IoLoops.start(threads);
        ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        List<LoopSocket> served = new ArrayList<>();
        List<SocketChannel> accepted = new ArrayList<>();
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < carriers; i++) {
            Socket client = new Socket();
            client.connect(server.getLocalAddress(), 30_000);
            clients.add(client);
            SocketChannel a = server.accept();
            accepted.add(a);
            served.add((LoopSocket) loops.adopt(a.socket()));
        }
        List<Thread> writers = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        holdAll(accepted, 0, () -> {
            for (LoopSocket s : served) {
                OutputStream out = s.getOutputStream();
                writers.add(Thread.ofVirtual().start(() -> {
                    try {
                        out.write(new byte[32 * 1024 * 1024]); // the client never reads: it waits, registers
                    } catch (Exception e) {
                        // closed at the end
                    }
                }));
            }
            for (Thread w : writers) {
                await().atMost(Duration.ofSeconds(30)).until(() -> w.getState() == Thread.State.BLOCKED);
            }
            for (LoopSocket s : served) {
                InputStream in = s.getInputStream();
                readers.add(Thread.ofVirtual().start(() -> {
                    try {
                        in.read(new byte[16]); // nothing sent: it registers too, and meets the writer's CAS
                    } catch (Exception e) {
                        // closed at the end
                    }
                }));
            }
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> true); // the readers meet the CAS
        });
        try {
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> served.stream().allMatch(LoopSocket::registeredWithLoop));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder states = new StringBuilder();
            for (int i = 0; i < carriers; i++) {
                states.append(" writer ").append(writers.get(i).getState())
                        .append(" reader ").append(readers.isEmpty() ? "none" : readers.get(i).getState());
            }
            fail("no registration in 15 s with " + carriers + " carriers:" + states);
        }
        for (Socket c : clients) {
            c.close();
        }
        for (LoopSocket s : served) {
            s.close();
        }
        server.close();
        loops.stop();
    }

    /** Holds every channel's blockingLock (which SocketChannel.register takes) around {@code body}. */
    private static void holdAll(List<SocketChannel> channels, int i, ThrowingRunnable body) throws Exception {
        if (i == channels.size()) {
            body.run();
            return;
        }
        synchronized (channels.get(i).blockingLock()) {
            holdAll(channels, i + 1, body);
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
