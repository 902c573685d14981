package dev.loomport.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.loomport.Limits;
import dev.loomport.ListenerConfig;
import dev.loomport.ServerConfig;
import dev.loomport.spi.HandlerPlugin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A socket the accept loop takes just as a graceful stop begins is served like every other connection:
 * answered, told of the drain, waited for. It is not closed unanswered. On a socket a service manager
 * holds, such a client would otherwise be lost in a restart that refuses no one (demo-echo's RestartIT,
 * docs/deploy.md). The listening socket here holds an accept until the stop has begun, so the race
 * happens on every run, on whichever I/O path the surefire execution forces.
 */
@Timeout(60)
class AcceptedAsStopBeginsTest {
    private static final byte[] HELLO = "hello\n".getBytes(US_ASCII);
    private static final byte[] BUSY = "busy\n".getBytes(US_ASCII);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicInteger drained = new AtomicInteger();
    private final CompletableFuture<Void> accepted = new CompletableFuture<>(); // the held accept has its socket
    private final CompletableFuture<Void> stopBegun = new CompletableFuture<>(); // the stop closed the listening socket
    private final AtomicReference<Thread> stopper = new AtomicReference<>(); // the thread running the stop

    @Test
    void aSocketAcceptedAsTheStopBeginsIsServedAndDrainedNotClosed() throws Exception {
        Engine engine = start(ListenerConfig.builder("echo").build(), 1, false);
        try (Socket client = connect(engine)) {
            client.getOutputStream().write(HELLO); // before the stop: a close now would leave it unread
            accepted.get(30, TimeUnit.SECONDS);
            CompletableFuture<Void> stopped = stopInBackground(engine);
            assertArrayEquals(HELLO, client.getInputStream().readNBytes(HELLO.length), "the echo");
            // Still open: the drain action runs on its drain thread before the connection ends.
            await().atMost(Duration.ofSeconds(30)).until(() -> drained.get() == 1);
            client.shutdownOutput();
            assertEquals(-1, client.getInputStream().read(), "end of stream once the handler returned");
            stopped.get(30, TimeUnit.SECONDS);
        } finally {
            engine.shutdown(Duration.ZERO); // waits for the stop under way, if there is one
        }
        assertEquals(0, count("rejected.connections"), "rejected");
        assertEquals(1, registry.find(ListenerMetrics.PREFIX + "closed.connections").tag("outcome", "client-closed")
                .counter().count(), "closed as client-closed");
        assertEquals(0, engine.liveThreads(), "threads left running");
    }

    /**
     * The stop wakes an accept in progress by closing the listening socket, never by interrupting it:
     * an interrupt inside the JDK channel's {@code accept()} makes it throw and leave the connection it had
     * just accepted open and unanswered for good (a client of ShutdownTest waited out its read timeout).
     * The held accept looks, once the stop is waiting for the accept thread, whether it was interrupted.
     */
    @Test
    void anAcceptInProgressIsNotInterruptedByTheStop() throws Exception {
        CompletableFuture<Boolean> interruptedInAccept = new CompletableFuture<>();
        Engine engine = start(ListenerConfig.builder("echo").build(), 1, false, () -> {
            await().atMost(Duration.ofSeconds(30)).until(() -> stopper.get() != null
                    && Arrays.stream(stopper.get().getStackTrace()).anyMatch(f -> f.getMethodName().equals("join")));
            interruptedInAccept.complete(Thread.currentThread().isInterrupted());
        });
        try (Socket client = connect(engine)) {
            client.getOutputStream().write(HELLO);
            accepted.get(30, TimeUnit.SECONDS);
            CompletableFuture<Void> stopped = stopInBackground(engine);
            assertFalse(interruptedInAccept.get(30, TimeUnit.SECONDS), "interrupted inside accept()");
            assertArrayEquals(HELLO, client.getInputStream().readNBytes(HELLO.length), "the echo");
            client.shutdownOutput();
            assertEquals(-1, client.getInputStream().read(), "end of stream once the handler returned");
            stopped.get(30, TimeUnit.SECONDS);
        } finally {
            engine.shutdown(Duration.ZERO);
        }
        assertEquals(0, engine.liveThreads(), "threads left running");
    }

    /**
     * A limit's reject in that instant still delivers its message and a FIN: the stop's interrupt of the
     * accept thread, already pending, must not close the socket under the reject's write or its discard of
     * the client's bytes (ClosedByInterruptException, then a RST).
     */
    @Test
    void aLimitsRejectAsTheStopBeginsIsDeliveredDespiteTheStopsInterrupt() throws Exception {
        ListenerConfig full = ListenerConfig.builder("echo")
                .limits(Limits.DEFAULTS.withMaxConnections(1).withOverflow(ListenerConfig.Overflow.REJECT)
                        .withRejectMessage("busy\n"))
                .build();
        Engine engine = start(full, 2, true);
        try (Socket first = connect(engine); Socket second = connect(engine)) {
            first.getOutputStream().write(HELLO);
            assertArrayEquals(HELLO, first.getInputStream().readNBytes(HELLO.length), "the first holds the slot");
            second.getOutputStream().write(HELLO); // unread when the reject closes: discarded, not reset
            accepted.get(30, TimeUnit.SECONDS);
            CompletableFuture<Void> stopped = stopInBackground(engine);
            assertArrayEquals(BUSY, second.getInputStream().readAllBytes(), "the reject message, then end of stream");
            first.shutdownOutput();
            assertEquals(-1, first.getInputStream().read());
            stopped.get(30, TimeUnit.SECONDS);
        } finally {
            engine.shutdown(Duration.ZERO);
        }
        assertEquals(1, count("rejected.connections"), "rejected");
        assertEquals(0, engine.liveThreads(), "threads left running");
    }

    /**
     * An engine with one echo listener whose {@code held}-th accept returns its socket only once the stop
     * has closed the listening socket and, if {@code untilInterrupted}, interrupted the accept thread.
     */
    private Engine start(ListenerConfig listener, int held, boolean untilInterrupted) throws IOException {
        return start(listener, held, untilInterrupted, () -> { });
    }

    /** As above, running {@code held} in the held accept once the stop has begun. */
    private Engine start(ListenerConfig listener, int held, boolean untilInterrupted, Runnable whileHeld)
            throws IOException {
        HandlerPlugin echo = HandlerPlugin.of("echo", () -> connection -> {
            connection.onDrain(drained::incrementAndGet); // at once if the drain has reached it already
            connection.input().transferTo(connection.output());
        });
        ServerConfig config = ServerConfig.builder().listener(listener).plugin(echo).meterRegistry(registry).build();
        AtomicInteger accepts = new AtomicInteger();
        return Engine.start(config, l -> l.acceptThrough(real -> new ListeningSocket() {
            @Override
            public Socket accept() throws IOException {
                Socket socket = real.accept();
                if (accepts.incrementAndGet() == held) {
                    accepted.complete(null);
                    stopBegun.join(); // not interruptible
                    whileHeld.run();
                    while (untilInterrupted && !Thread.currentThread().isInterrupted()) {
                        LockSupport.park(); // the interrupt unparks it
                    }
                }
                return socket;
            }

            @Override
            public InetSocketAddress localAddress() {
                return real.localAddress();
            }

            @Override
            public void close() throws IOException {
                stopBegun.complete(null);
                real.close();
            }
        }));
    }

    private static Socket connect(Engine engine) throws IOException {
        Socket client = new Socket();
        client.connect(engine.listeners().getFirst().address(), 30_000);
        client.setSoTimeout(30_000);
        return client;
    }

    private CompletableFuture<Void> stopInBackground(Engine engine) {
        return CompletableFuture.runAsync(() -> engine.shutdown(Duration.ofSeconds(30)),
                task -> stopper.set(Thread.ofVirtual().start(task)));
    }

    private double count(String name) {
        return registry.find(ListenerMetrics.PREFIX + name).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
