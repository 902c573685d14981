package dev.loomport;

import static dev.loomport.TestClients.connect;
import static dev.loomport.TestClients.readExactly;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * shutdown(grace) with 1,000 open echo connections: idle ones, transfers that finish during the grace
 * period, and transfers that stall half-way. Only generous time bounds: the machine is shared and noisy.
 */
class GracefulShutdownTest {
    private static final int IDLE = 600;
    private static final int FINISHING = 200;
    private static final int STALLED = 200;
    private static final int HALF = 32 * 1024;
    private static final Duration GRACE = Duration.ofSeconds(10);

    @Test
    void finishingTransfersCompleteByteExactAndTheRestCloseAtTheDeadline() throws Exception {
        var registry = new SimpleMeterRegistry();
        Server server = TestServers.serve(TestHandlers.echo(), registry);
        List<Socket> sockets = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < IDLE + FINISHING + STALLED; i++) {
                sockets.add(connect(server));
            }
            await().atMost(Duration.ofMinutes(1)).until(() -> server.activeConnections() == sockets.size());

            // Mid-transfer: every non-idle client has sent half its payload and had it echoed back.
            List<Future<?>> halfway = new ArrayList<>();
            for (int i = IDLE; i < sockets.size(); i++) {
                Socket s = sockets.get(i);
                byte[] payload = payload(i);
                halfway.add(clients.submit(() -> {
                    s.getOutputStream().write(payload, 0, HALF);
                    assertArrayEquals(Arrays.copyOf(payload, HALF), readExactly(s.getInputStream(), HALF));
                    return null;
                }));
            }
            for (Future<?> f : halfway) {
                f.get(1, TimeUnit.MINUTES);
            }

            long stopAsked = System.nanoTime();
            CompletableFuture<Long> stopped = CompletableFuture.supplyAsync(() -> {
                server.shutdown(GRACE);
                return System.nanoTime();
            });
            await().until(server::isDraining);
            assertThrows(ConnectException.class, () -> connect(server).close(), "draining: new connects are refused");

            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < sockets.size(); i++) {
                Socket s = sockets.get(i);
                byte[] payload = payload(i);
                if (i < IDLE) {
                    outcomes.add(clients.submit(() -> ended(s.getInputStream(), new byte[0])));
                } else if (i < IDLE + FINISHING) {
                    outcomes.add(clients.submit(() -> {
                        s.getOutputStream().write(payload, HALF, payload.length - HALF);
                        s.shutdownOutput();
                        byte[] rest = s.getInputStream().readAllBytes();
                        assertArrayEquals(Arrays.copyOfRange(payload, HALF, payload.length), rest);
                        return "finished";
                    }));
                } else {
                    outcomes.add(clients.submit(() -> ended(s.getInputStream(), new byte[0])));
                }
            }
            for (int i = 0; i < outcomes.size(); i++) {
                String expected = i >= IDLE && i < IDLE + FINISHING ? "finished" : "closed by the server";
                assertEquals(expected, outcomes.get(i).get(2, TimeUnit.MINUTES), "client " + i);
            }

            long returned = stopped.get(2, TimeUnit.MINUTES);
            // The call waits out the grace period (idle clients never leave) and returns soon after it.
            assertTrue(returned - stopAsked >= GRACE.toNanos(), "returned before the deadline");
            assertTrue(returned - stopAsked < GRACE.plusMinutes(1).toNanos(), "returned long after the deadline");
            assertEquals(FINISHING, TestServers.closed(registry, "client-closed"));
            assertEquals(IDLE + STALLED, TestServers.closed(registry, "shutdown"));
            assertEquals(0, server.activeConnections());
            assertEquals(0, server.liveThreads());
        } finally {
            sockets.forEach(ShutdownTest::closeQuietly);
            server.close();
        }
    }

    /**
     * What a client that sends nothing more sees: no stray byte, then the server's cut at the grace
     * deadline, which must be an abort (a reset), not a clean end it could take for a finished transfer.
     */
    private static String ended(InputStream in, byte[] expected) throws IOException {
        byte[] got;
        try {
            got = in.readAllBytes();
        } catch (SocketTimeoutException e) {
            throw e; // the server never closed it
        } catch (SocketException e) {
            return "Connection reset".equals(e.getMessage()) ? "closed by the server" : e.toString();
        }
        assertArrayEquals(expected, got);
        return "a clean EOF, not a reset";
    }

    private static byte[] payload(int seed) {
        byte[] b = new byte[2 * HALF];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + seed * 7);
        }
        return b;
    }
}
