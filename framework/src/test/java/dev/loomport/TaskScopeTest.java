package dev.loomport;

import static dev.loomport.TestClients.connect;
import static dev.loomport.TestHandlers.handler;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.spi.Connection;
import dev.loomport.spi.Subtask;
import dev.loomport.spi.TaskScope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Socket;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The rules of a connection's {@link TaskScope}, seen from handlers serving real sockets. */
class TaskScopeTest {
    private static final long WAIT = TestClients.TIMEOUT.toSeconds();

    @Test
    void aFailingSubtaskCancelsItsSiblingAndJoinThrowsTheFailure() throws Exception {
        var boom = new IllegalStateException("boom");
        var siblingEnded = new CompletableFuture<String>();
        var report = new CompletableFuture<List<Object>>();
        try (Server server = TestServers.serve(handler("fail", c -> {
            try (TaskScope scope = c.openScope()) {
                Subtask<String> waiting = scope.fork(() -> {
                    try {
                        new CountDownLatch(1).await();
                        return "never";
                    } catch (InterruptedException e) {
                        siblingEnded.complete("interrupted");
                        throw e;
                    }
                });
                Subtask<String> failing = scope.fork(() -> {
                    throw boom;
                });
                Throwable thrown = null;
                try {
                    scope.join();
                } catch (ExecutionException e) {
                    thrown = e.getCause();
                }
                report.complete(List.of(String.valueOf(thrown == null ? "nothing" : thrown),
                        failing.state(), failing.exception(), waiting.state()));
            }
        }));
             Socket client = connect(server)) {
            List<Object> r = report.get(WAIT, TimeUnit.SECONDS);
            assertEquals(String.valueOf(boom), r.get(0), "join throws the failure");
            assertEquals(Subtask.State.FAILED, r.get(1));
            assertSame(boom, r.get(2));
            assertEquals(Subtask.State.UNAVAILABLE, r.get(3), "the cancelled sibling has no outcome");
            assertEquals("interrupted", siblingEnded.get(WAIT, TimeUnit.SECONDS));
        }
    }

    @Test
    void aReturningHandlerCancelsItsUnfinishedSubtasksBeforeTheConnectionCountsAsClosed() throws Exception {
        var registry = new SimpleMeterRegistry();
        Queue<String> ended = new ConcurrentLinkedQueue<>();
        try (Server server = TestServers.serve(handler("leave", c -> {
            TaskScope scope = c.openScope(); // neither joined nor closed: loomport must end it
            var waiter = new CompletableFuture<Thread>();
            var reader = new CompletableFuture<Thread>();
            scope.fork(() -> {
                waiter.complete(Thread.currentThread());
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    ended.add("waiter interrupted");
                    throw e;
                }
                return null;
            });
            scope.fork(() -> {
                reader.complete(Thread.currentThread());
                return readIgnoringInterrupts(c, ended);
            });
            // Return only once both block: one on a latch, one on the socket.
            Thread w = waiter.get(WAIT, TimeUnit.SECONDS);
            Thread r = reader.get(WAIT, TimeUnit.SECONDS);
            await().until(() -> w.getState() == Thread.State.WAITING && r.getState() == Thread.State.WAITING);
        }), registry)) {
            int idle = server.liveThreads(); // the accept loop and the timeout watchdog
            Socket client = connect(server);
            await().until(() -> TestServers.closed(registry) == 1);
            // Counted as closed only after its subtasks ended, so both have said how they ended.
            assertEquals(2, ended.size(), ended::toString);
            assertTrue(ended.contains("waiter interrupted"), ended::toString);
            assertTrue(ended.contains("reader: socket closed"), ended::toString);
            assertEquals(-1, client.getInputStream().read(), "the client sees the connection end");
            await().until(() -> server.liveThreads() == idle);
            client.close();
        }
    }

    /** Reads the client's socket, shrugging off interrupts: only the socket's closing ends it. */
    private static Object readIgnoringInterrupts(Connection c, Queue<String> ended) throws IOException {
        while (true) {
            try {
                if (c.input().read() < 0) {
                    ended.add("reader: eof");
                    return null;
                }
            } catch (InterruptedIOException e) {
                Thread.interrupted();
            } catch (IOException e) {
                ended.add("reader: socket closed");
                throw e;
            }
        }
    }

    @Test
    void onlyTheOwnerUsesAScopeAndOnlyTheConnectionsThreadsOpenOne() throws Exception {
        var report = new CompletableFuture<List<Class<?>>>();
        var leaked = new CompletableFuture<Connection>();
        var release = new CountDownLatch(1);
        try (Server server = TestServers.serve(handler("owner", c -> {
            try (TaskScope scope = c.openScope()) {
                Subtask<List<Class<?>>> foreign = scope.fork(() -> List.of(
                        thrown(() -> scope.fork(() -> "nested")),
                        thrown(scope::join),
                        thrown(scope::close),
                        thrown(() -> c.openScope().close()))); // a subtask may open its own scope
                scope.join();
                report.complete(foreign.get());
            }
            leaked.complete(c);
            release.await(WAIT, TimeUnit.SECONDS);
        }));
             Socket client = connect(server)) {
            List<Class<?>> r = report.get(WAIT, TimeUnit.SECONDS);
            assertEquals(List.of(WrongThreadException.class, WrongThreadException.class,
                    WrongThreadException.class, NoException.class), r);
            Connection connection = leaked.get(WAIT, TimeUnit.SECONDS);
            WrongThreadException e = assertThrows(WrongThreadException.class, connection::openScope);
            assertTrue(e.getMessage().contains(Thread.currentThread().getName()), e.getMessage());
            release.countDown();
        }
    }

    @Test
    void outcomesAreReadAfterJoinWhichComesOnceAfterTheLastForkAndAClosedScopeTakesNoMoreWork() throws Exception {
        var report = new CompletableFuture<List<Object>>();
        try (Server server = TestServers.serve(handler("rules", c -> {
            TaskScope scope = c.openScope();
            Subtask<String> ok = scope.fork(() -> "ok");
            var ran = new AtomicBoolean();
            Subtask<Object> nothing = scope.fork(() -> ran.set(true)); // fork(Runnable)
            Class<?> beforeJoin = thrown(ok::get);
            scope.join();
            List<Object> seen = List.of(beforeJoin, ok.get(), ran.get(), String.valueOf(nothing.get()),
                    thrown(() -> scope.fork(() -> "late")), thrown(scope::join), scope.isCancelled());
            scope.close();
            scope.close(); // idempotent
            report.complete(List.of(seen, scope.isCancelled(),
                    thrown(() -> scope.fork(() -> "closed")), thrown(scope::join)));
        }));
             Socket client = connect(server)) {
            List<Object> r = report.get(WAIT, TimeUnit.SECONDS);
            assertEquals(List.of(IllegalStateException.class, "ok", true, "null",
                    IllegalStateException.class, IllegalStateException.class, false), r.get(0),
                    "get before join; results; fork after join and a second join refused, as the JDK does");
            assertEquals(true, r.get(1), "closing cancels");
            assertEquals(IllegalStateException.class, r.get(2), "fork on a closed scope");
            assertEquals(IllegalStateException.class, r.get(3), "join on a closed scope");
        }
    }

    @Test
    void aScopeASubtaskLeavesOpenEndsWithThatSubtask() throws Exception {
        var report = new CompletableFuture<String>();
        try (Server server = TestServers.serve(handler("nested", c -> {
            var innerEnded = new CompletableFuture<String>();
            try (TaskScope outer = c.openScope()) {
                outer.fork(() -> {
                    TaskScope inner = c.openScope(); // left open on purpose
                    var started = new CountDownLatch(1);
                    inner.fork(() -> {
                        started.countDown();
                        try {
                            new CountDownLatch(1).await();
                        } catch (InterruptedException e) {
                            innerEnded.complete("inner subtask interrupted");
                            throw e;
                        }
                        return null;
                    });
                    started.await();
                    return "outer subtask returns";
                });
                outer.join();
                // The outer subtask counts as done only after its scope closed: no waiting needed here.
                report.complete(innerEnded.getNow("inner subtask still running"));
            }
        }));
             Socket client = connect(server)) {
            assertEquals("inner subtask interrupted", report.get(WAIT, TimeUnit.SECONDS));
        }
    }

    @Test
    void stoppingTheServerInterruptsAJoiningHandlerAndCancelsItsSubtasks() throws Exception {
        Queue<String> ended = new ConcurrentLinkedQueue<>();
        var joining = new CountDownLatch(1);
        Server server = TestServers.serve(handler("join", c -> {
            try (TaskScope scope = c.openScope()) {
                scope.fork(() -> {
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        ended.add("subtask interrupted");
                        throw e;
                    }
                    return null;
                });
                joining.countDown();
                scope.join();
            } catch (InterruptedException e) {
                ended.add("join interrupted");
                throw e;
            }
        }));
        try (Socket client = connect(server)) {
            assertTrue(joining.await(WAIT, TimeUnit.SECONDS));
            server.close();
            // close() returns only when every thread has ended, so both have reported by now.
            assertEquals(List.of("join interrupted", "subtask interrupted"), ended.stream().sorted().toList());
            assertEquals(0, server.liveThreads());
        } finally {
            server.close();
        }
    }

    /** A marker for "it did not throw". */
    static final class NoException extends RuntimeException {
    }

    interface Action {
        void run() throws Exception;
    }

    private static Class<?> thrown(Action action) {
        try {
            action.run();
            return NoException.class;
        } catch (Exception e) {
            return e.getClass();
        }
    }

    @Test
    void subtaskThreadsAreNamedAfterTheirConnection() throws Exception {
        var names = new AtomicReference<List<String>>();
        var done = new CompletableFuture<Void>();
        try (Server server = TestServers.serve(handler("names", c -> {
            try (TaskScope scope = c.openScope()) {
                Subtask<String> a = scope.fork(() -> Thread.currentThread().getName());
                Subtask<String> b = scope.fork(() -> Thread.currentThread().getName());
                scope.join();
                names.set(List.of(Thread.currentThread().getName(), a.get(), b.get()));
            }
            done.complete(null);
        }));
             Socket client = connect(server)) {
            done.get(WAIT, TimeUnit.SECONDS);
            List<String> n = names.get();
            assertTrue(n.get(0).matches("loomport names#\\d+"), n.toString());
            assertEquals(List.of(n.get(0) + " subtask-1", n.get(0) + " subtask-2"),
                    n.subList(1, 3).stream().sorted().toList());
        }
    }
}
