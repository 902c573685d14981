package dev.loomport.internal;

import static dev.loomport.RecordedEvents.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.BoundListener;
import dev.loomport.RecordedEvents;
import dev.loomport.spi.ProxiedFrom;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * loomport's JFR events carry the right fields for a plain, a TLS, a PROXY-protocol and a rejected
 * connection, and for a listener's start and stop: committed directly, recorded, dumped, read back.
 */
@Timeout(60)
class FlightEventsTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 7007);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.5", 40001);
    private static final BoundListener LISTENER = new BoundListener("echo-tls", "echo", LOCAL);

    @TempDir
    Path dir;

    @Test
    void aPlainConnectionThatEndedNormally() throws IOException {
        List<RecordedEvent> events = record(() -> FlightEvents.connectionEnded(FakeConnection.plain(7, LOCAL, CLIENT),
                11, 12, Duration.ofMillis(1500).toNanos(), Outcome.CLIENT_CLOSED, null));

        RecordedEvent e = single(events, "dev.loomport.ConnectionEnd");
        assertEquals(7, e.getLong("id"));
        assertEquals("echo", e.getString("listener"));
        assertEquals("echo", e.getString("handler"));
        assertEquals("127.0.0.1", e.getString("localAddress"));
        assertEquals(7007, e.getInt("localPort"));
        assertEquals("127.0.0.5", e.getString("remoteAddress"));
        assertEquals(40001, e.getInt("remotePort"));
        assertNull(e.getString("proxyAddress"));
        assertEquals(0, e.getInt("proxyPort"));
        assertNull(e.getString("tlsProtocol"));
        assertEquals(11, e.getLong("bytesIn"));
        assertEquals(12, e.getLong("bytesOut"));
        assertEquals(Duration.ofMillis(1500), e.getDuration("connectionDuration"));
        assertEquals("client-closed", e.getString("outcome"));
        assertNull(e.getString("exceptionType"));
        assertNull(e.getStackTrace(), "no stack trace: it would always be the cleanup code");
    }

    @Test
    void aTlsConnectionWhoseHandlerThrew() throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine();
        engine.setEnabledProtocols(new String[] {"TLSv1.3"});
        SSLSession session = engine.getHandshakeSession() != null ? engine.getHandshakeSession() : engine.getSession();
        // An engine that has not shaken hands reports NONE; a real session reports what was agreed. Either
        // way the event carries exactly what the session says.
        String protocol = session.getProtocol();
        var connection = new FakeConnection(8, "echo-tls", "echo", LOCAL, CLIENT, Optional.empty(), Optional.of(session));

        List<RecordedEvent> events = record(() -> FlightEvents.connectionEnded(connection, 0, 5, 1_000,
                Outcome.ERROR, new IllegalStateException("boom")));

        RecordedEvent e = single(events, "dev.loomport.ConnectionEnd");
        assertEquals(protocol, e.getString("tlsProtocol"));
        assertEquals("echo-tls", e.getString("listener"));
        assertEquals("error", e.getString("outcome"));
        assertEquals("java.lang.IllegalStateException", e.getString("exceptionType"));
    }

    @Test
    void aProxiedConnectionCarriesTheClientAndTheBalancer() throws IOException {
        var balancer = new InetSocketAddress("10.0.0.9", 51000);
        var header = new ProxiedFrom(2, balancer, new InetSocketAddress("127.0.0.1", 7007));
        var client = new InetSocketAddress("2001:db8::1", 443);
        var connection = new FakeConnection(9, "edge", "whoami", LOCAL, client, Optional.of(header), Optional.empty());

        List<RecordedEvent> events = record(() -> FlightEvents.connectionEnded(connection, 3, 4, 5,
                Outcome.SERVER_CLOSED, null));

        RecordedEvent e = single(events, "dev.loomport.ConnectionEnd");
        assertEquals("2001:db8:0:0:0:0:0:1", e.getString("remoteAddress"));
        assertEquals(443, e.getInt("remotePort"));
        assertEquals("10.0.0.9", e.getString("proxyAddress"));
        assertEquals(51000, e.getInt("proxyPort"));
        assertEquals("whoami", e.getString("handler"));
    }

    @Test
    void aRejectedConnection() throws IOException {
        List<RecordedEvent> events = record(() -> FlightEvents.connectionRejected(LISTENER, CLIENT, "per-source"));

        RecordedEvent e = single(events, "dev.loomport.ConnectionReject");
        assertEquals("echo-tls", e.getString("listener"));
        assertEquals("echo", e.getString("handler"));
        assertEquals("127.0.0.5", e.getString("remoteAddress"));
        assertEquals(40001, e.getInt("remotePort"));
        assertEquals("per-source", e.getString("reason"));
    }

    @Test
    void aListenerStartsAndStops() throws IOException {
        List<RecordedEvent> events = record(() -> {
            FlightEvents.listenerStarted(LISTENER);
            FlightEvents.listenerStopped(LISTENER);
        });

        for (String name : List.of("dev.loomport.ListenerStart", "dev.loomport.ListenerStop")) {
            RecordedEvent e = single(events, name);
            assertEquals("echo-tls", e.getString("listener"));
            assertEquals("echo", e.getString("handler"));
            assertEquals("127.0.0.1", e.getString("address"));
            assertEquals(7007, e.getInt("port"));
        }
    }

    @Test
    void nothingIsCommittedWhileNoRecordingWantsTheEvents() throws IOException {
        Path file = dir.resolve("others.jfr");
        try (Recording recording = new Recording()) {
            // A recording runs, but without loomport's events (a new recording enables every event that
            // is not annotated @Enabled(false): ours are on unless a recording's settings turn them off).
            recording.enable("jdk.JavaMonitorWait");
            recording.disable("dev.loomport.ConnectionEnd");
            recording.disable("dev.loomport.ConnectionReject");
            recording.start();
            FlightEvents.connectionEnded(FakeConnection.plain(1, LOCAL, CLIENT), 1, 1, 1, Outcome.CLIENT_CLOSED, null);
            FlightEvents.connectionRejected(LISTENER, CLIENT, "shutdown");
            recording.stop();
            recording.dump(file);
        }
        assertTrue(RecordingFile.readAllEvents(file).stream()
                .noneMatch(e -> e.getEventType().getName().startsWith("dev.loomport.")));
    }

    @Test
    void everyEventIsInTheLoomportCategoryWithALabel() throws IOException {
        record(() -> FlightEvents.listenerStarted(LISTENER)); // registers the event classes
        List<EventType> ours = FlightRecorder.getFlightRecorder().getEventTypes().stream()
                .filter(t -> t.getName().startsWith("dev.loomport.")).toList();
        assertTrue(ours.size() >= 1, ours::toString);
        for (EventType type : ours) {
            assertEquals(List.of("loomport"), type.getCategoryNames(), type.getName());
            assertTrue(type.getLabel() != null && !type.getLabel().isBlank(), type.getName());
        }
    }

    /** Runs {@code commits} with every loomport event enabled; the events recorded, read from a dump. */
    private List<RecordedEvent> record(Runnable commits) throws IOException {
        Path file = Files.createTempFile(dir, "loomport", ".jfr");
        try (Recording recording = new Recording()) {
            RecordedEvents.enableAll(recording);
            recording.start();
            commits.run();
            return RecordedEvents.stopAndRead(recording, file);
        }
    }
}
