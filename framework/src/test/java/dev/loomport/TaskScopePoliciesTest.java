package dev.loomport;

import static dev.loomport.TestClients.connect;
import static dev.loomport.TestHandlers.handler;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.spi.Connection;
import dev.loomport.spi.Subtask;
import dev.loomport.spi.TaskScope;
import dev.loomport.spi.TaskScope.Joiner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The joiners, the timeout and the exception causes of a connection's {@link TaskScope}, on real sockets. */
class TaskScopePoliciesTest {
    private static final long WAIT = TestClients.TIMEOUT.toSeconds();

    /** Blocks reading the connection until the client sends something, which these tests' clients never do. */
    private static int blockedRead(Connection c, CompletableFuture<Throwable> ended) throws IOException {
        try {
            return c.input().read();
        } catch (IOException | RuntimeException e) {
            ended.complete(e);
            throw e;
        }
    }

    @Test
    void aSubtaskFailingWhileItsSiblingBlocksInAReadEndsTheReadAndJoinThrowsTheSubtasksOwnException() throws Exception {
        var registry = new SimpleMeterRegistry();
        var boom = new IllegalStateException("boom");
        var readerEnded = new CompletableFuture<Throwable>();
        var report = new CompletableFuture<List<Object>>();
        try (Server server = TestServers.serve(handler("fail", c -> {
            try (TaskScope scope = c.openScope()) {
                Subtask<Integer> reader = scope.fork(() -> blockedRead(c, readerEnded));
                Subtask<Object> failing = scope.fork(() -> {
                    throw boom;
                });
                ExecutionException e = assertThrows(ExecutionException.class, scope::join);
                report.complete(List.of(e.getCause(), reader.state(), failing.state(), failing.exception()));
                throw e; // as a handler that does not catch it: the metrics must name the cause
            }
        }), registry);
             Socket client = connect(server)) {
            List<Object> r = report.get(WAIT, TimeUnit.SECONDS);
            assertSame(boom, r.get(0), "the cause is the subtask's own exception");
            assertEquals(Subtask.State.UNAVAILABLE, r.get(1), "the cancelled reader keeps no outcome");
            assertEquals(Subtask.State.FAILED, r.get(2));
            assertSame(boom, r.get(3));
            assertInstanceOf(IOException.class, readerEnded.get(WAIT, TimeUnit.SECONDS),
                    "the interrupt ended the blocked read (by closing the socket)");
            assertEquals(-1, client.getInputStream().read(), "the connection closed");
            await().atMost(TestClients.TIMEOUT).untilAsserted(() -> assertEquals(Map.of("error", 1L),
                    Meters.closed(registry)));
            assertEquals(1.0, registry.get("loomport.handler.errors").tag("exception", "IllegalStateException")
                    .counter().count(), "counted by the subtask's exception, not ExecutionException");
        }
    }

    @Test
    void firstToFinishEndsAReaderBlockedOnTheConnectionAndTheWritersBytesArrive() throws Exception {
        var registry = new SimpleMeterRegistry();
        var readerEnded = new CompletableFuture<Throwable>();
        var report = new CompletableFuture<List<Object>>();
        try (Server server = TestServers.serve(handler("first", c -> {
            try (TaskScope scope = c.openScope(Joiner.firstToFinishOrThrow())) {
                Subtask<Integer> reader = scope.fork(() -> blockedRead(c, readerEnded));
                Subtask<Object> writer = scope.fork(() -> {
                    c.output().write("bye\n".getBytes(StandardCharsets.US_ASCII));
                    return "wrote";
                });
                scope.join();
                report.complete(List.of(reader.state(), writer.get(), scope.isCancelled()));
            }
        }), registry);
             Socket client = connect(server)) {
            assertEquals(List.of(Subtask.State.UNAVAILABLE, "wrote", true), report.get(WAIT, TimeUnit.SECONDS));
            assertArrayEquals("bye\n".getBytes(StandardCharsets.US_ASCII), client.getInputStream().readAllBytes(),
                    "the writer's bytes, then EOF: the reader's cancellation closed the socket");
            assertInstanceOf(IOException.class, readerEnded.get(WAIT, TimeUnit.SECONDS));
            await().atMost(TestClients.TIMEOUT).untilAsserted(() -> assertEquals(Map.of("server-closed", 1L),
                    Meters.closed(registry)));
        }
    }

    @Test
    void firstToFinishThrowsWhenTheFirstToFinishFailed() throws Exception {
        var report = new CompletableFuture<Object>();
        var failure = new IOException("first and failed");
        try (Server server = TestServers.serve(handler("first-fails", c -> {
            try (TaskScope scope = c.openScope(Joiner.firstToFinishOrThrow())) {
                scope.fork(() -> {
                    new CountDownLatch(1).await();
                    return "never";
                });
                scope.fork(() -> {
                    throw failure;
                });
                report.complete(assertThrows(ExecutionException.class, scope::join).getCause());
            }
        }));
             Socket client = connect(server)) {
            assertSame(failure, report.get(WAIT, TimeUnit.SECONDS));
        }
    }

    @Test
    void aTimeoutCancelsTheScopeAndJoinThrowsCancelledByTimeout() throws Exception {
        var readerEnded = new CompletableFuture<Throwable>();
        var report = new CompletableFuture<List<Object>>();
        try (Server server = TestServers.serve(handler("deadline", c -> {
            try (TaskScope scope = c.openScope(Joiner.awaitAll(), config -> config.withTimeout(Duration.ofMillis(200)))) {
                Subtask<Integer> reader = scope.fork(() -> blockedRead(c, readerEnded));
                ExecutionException e = assertThrows(ExecutionException.class, scope::join);
                report.complete(List.of(e.getCause(), reader.state(), scope.isCancelled()));
            }
        }));
             Socket client = connect(server)) {
            List<Object> r = report.get(WAIT, TimeUnit.SECONDS);
            var timedOut = assertInstanceOf(TaskScope.CancelledByTimeoutException.class, r.get(0));
            assertTrue(timedOut.getMessage().endsWith("scope timed out after PT0.2S"), timedOut.getMessage());
            assertEquals(List.of(Subtask.State.UNAVAILABLE, true), r.subList(1, 3));
            assertInstanceOf(IOException.class, readerEnded.get(WAIT, TimeUnit.SECONDS));
        }
    }

    @Test
    void anySuccessfulCancelsTheRestAtTheFirstSuccessAndThrowsOnlyWhenAllFail() throws Exception {
        var report = new CompletableFuture<List<Object>>();
        var first = new IOException("first");
        try (Server server = TestServers.serve(handler("any", c -> {
            Object won;
            Subtask.State waiting;
            try (TaskScope scope = c.openScope(Joiner.anySuccessfulOrThrow())) {
                Subtask<String> slow = scope.fork(() -> {
                    new CountDownLatch(1).await();
                    return "never";
                });
                Subtask<String> fast = scope.fork(() -> "fast");
                scope.join();
                won = fast.get();
                waiting = slow.state();
            }
            Throwable allFailed;
            try (TaskScope scope = c.openScope(Joiner.anySuccessfulOrThrow())) {
                CountDownLatch firstFailed = new CountDownLatch(1);
                scope.fork(() -> {
                    firstFailed.countDown();
                    throw first;
                });
                scope.fork(() -> {
                    firstFailed.await(); // so the first failure is this one's sibling's
                    throw new IOException("second");
                });
                allFailed = assertThrows(ExecutionException.class, scope::join).getCause();
            }
            Throwable none;
            try (TaskScope scope = c.openScope(Joiner.anySuccessfulOrThrow())) {
                none = assertThrows(ExecutionException.class, scope::join).getCause();
            }
            report.complete(List.of(won, waiting, allFailed, none.getClass()));
        }));
             Socket client = connect(server)) {
            assertEquals(List.of("fast", Subtask.State.UNAVAILABLE, first, NoSuchElementException.class),
                    report.get(WAIT, TimeUnit.SECONDS));
        }
    }

    @Test
    void awaitAllWaitsForEverySubtaskAndKeepsEachOutcome() throws Exception {
        var report = new CompletableFuture<List<Object>>();
        var failure = new IOException("one failed");
        try (Server server = TestServers.serve(handler("all", c -> {
            try (TaskScope scope = c.openScope(Joiner.awaitAll())) {
                CountDownLatch failed = new CountDownLatch(1);
                Subtask<Object> failing = scope.fork(() -> {
                    failed.countDown();
                    throw failure;
                });
                Subtask<String> later = scope.fork(() -> {
                    failed.await(); // not cancelled by its sibling's failure
                    return "later";
                });
                scope.join();
                report.complete(List.of(failing.exception(), later.get(), scope.isCancelled()));
            }
        }));
             Socket client = connect(server)) {
            assertEquals(List.of(failure, "later", false), report.get(WAIT, TimeUnit.SECONDS));
        }
    }

    @Test
    void closingWithSubtasksStillRunningInterruptsThemAndWaitsForThem() throws Exception {
        var readerEnded = new CompletableFuture<Throwable>();
        var report = new CompletableFuture<List<Object>>();
        try (Server server = TestServers.serve(handler("close", c -> {
            CountDownLatch started = new CountDownLatch(1);
            TaskScope scope = c.openScope();
            Subtask<Integer> reader = scope.fork(() -> {
                started.countDown();
                return blockedRead(c, readerEnded);
            });
            started.await();
            scope.close(); // no join: close cancels, and returns once the reader has ended
            report.complete(List.of(readerEnded.isDone(), reader.state(), scope.isCancelled()));
        }));
             Socket client = connect(server)) {
            assertEquals(List.of(true, Subtask.State.UNAVAILABLE, true), report.get(WAIT, TimeUnit.SECONDS));
        }
    }

    @Test
    void aTimeoutMustBePositive() {
        TaskScope.Configuration defaults = TaskScope.Configuration.defaults();
        assertEquals(null, defaults.timeout(), "no timeout by default");
        assertEquals("scope timeout must be positive: PT0S",
                assertThrows(IllegalArgumentException.class, () -> defaults.withTimeout(Duration.ZERO)).getMessage());
        assertEquals("scope timeout must be positive: PT-1S",
                assertThrows(IllegalArgumentException.class, () -> defaults.withTimeout(Duration.ofSeconds(-1)))
                        .getMessage());
        assertEquals(Duration.ofSeconds(3), defaults.withTimeout(Duration.ofSeconds(3)).timeout());
    }
}
