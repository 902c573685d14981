package dev.loomport.demo.echo;

import static dev.loomport.demo.echo.Sockets.connect;
import static dev.loomport.demo.echo.Sockets.roundTrip;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.HandlerPlugin;
import dev.loomport.testkit.LoomportExtension;
import dev.loomport.testkit.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The echo handler as users get it: found as a plug-in on the module path (this test runs inside the
 * dev.loomport.demo.echo module, which provides it), on real loopback sockets.
 */
class EchoHandlerTest {
    private static final int TIMEOUT_MS = 30_000;
    /** Stops each test's server after it, failing the test if a thread of the server outlives it. */
    @RegisterExtension
    final LoomportExtension loomport = new LoomportExtension();
    private TestServer server;

    private InetSocketAddress start(TestServer.Builder builder) throws IOException {
        server = loomport.start(builder);
        return server.address();
    }

    private InetSocketAddress startEcho() throws IOException {
        return start(TestServer.named("echo"));
    }

    @Test
    void isFoundAsAPlugInByName() throws Exception {
        InetSocketAddress address = startEcho();
        assertEquals("echo", server.listener().handlerName());
        assertArrayEquals(new byte[] {7}, roundTrip(address, new byte[] {7}));
    }

    @Test
    void echoesEveryByteValue() throws Exception {
        InetSocketAddress address = startEcho();
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        assertArrayEquals(all, roundTrip(address, all));
    }

    @Test
    void afterAHalfCloseEveryByteStillComesBackThenEof() throws Exception {
        InetSocketAddress address = startEcho();
        byte[] data = new byte[300_000];
        new Random(1).nextBytes(data);
        try (Socket s = connect(address)) {
            Future<byte[]> echoed = readAllInBackground(s.getInputStream());
            s.getOutputStream().write(data);
            s.shutdownOutput(); // the client is done sending, still reading
            assertArrayEquals(data, echoed.get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void streams8MiBWithBoundedBuffering() throws Exception {
        // Lock-step: each 64 KiB comes back before the next is sent, so the handler cannot be waiting
        // for the whole message; then the whole 8 MiB in one go with a concurrent reader.
        InetSocketAddress address = startEcho();
        Random random = new Random(8);
        try (Socket s = connect(address)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 128; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
                assertArrayEquals(chunk, in.readNBytes(chunk.length));
            }
        }
        byte[] big = new byte[8 * 1024 * 1024];
        random.nextBytes(big);
        try (Socket s = connect(address)) {
            Future<byte[]> echoed = readAllInBackground(s.getInputStream());
            s.getOutputStream().write(big);
            s.shutdownOutput();
            assertArrayEquals(big, echoed.get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        }
    }

    /** Reads until EOF on a virtual thread; it ends at EOF, or when the test closes the socket. */
    private static Future<byte[]> readAllInBackground(InputStream in) {
        FutureTask<byte[]> task = new FutureTask<>(in::readAllBytes);
        Thread.ofVirtual().name("test reader").start(task);
        return task;
    }

    @Test
    void twoThousandConcurrentClientsEachOnItsOwnVirtualThread() throws Exception {
        int clients = 2000;
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        Set<Boolean> virtual = ConcurrentHashMap.newKeySet();
        ConnectionHandler echo = new EchoHandler();
        HandlerPlugin probe = HandlerPlugin.of("probe", () -> c -> { // records the thread, then is the real echo
            threads.add(Thread.currentThread());
            virtual.add(Thread.currentThread().isVirtual());
            echo.handle(c);
        });
        InetSocketAddress address = start(TestServer.of(probe).listener(l -> l.backlog(clients)));

        CountDownLatch allEchoed = new CountDownLatch(clients);
        List<Future<byte[]>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                byte[] message = ("client " + i + "\n").getBytes();
                results.add(pool.submit(() -> {
                    try (Socket s = connect(address)) {
                        s.getOutputStream().write(message);
                        byte[] back = s.getInputStream().readNBytes(message.length);
                        allEchoed.countDown();
                        // Hold the connection until every client is connected and echoed: all at once.
                        if (!allEchoed.await(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                            throw new IllegalStateException("not all clients were echoed");
                        }
                        return back;
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> server.server().activeConnections() == clients
                    || allEchoed.getCount() == 0);
            assertTrue(allEchoed.await(60, TimeUnit.SECONDS), "every client echoed while all were open");
        }
        for (int i = 0; i < clients; i++) {
            assertArrayEquals(("client " + i + "\n").getBytes(), results.get(i).get());
        }
        assertEquals(clients, threads.size(), "one distinct thread per connection");
        assertEquals(Set.of(true), virtual, "all of them virtual");
        await().until(() -> server.server().activeConnections() == 0);
    }
}
