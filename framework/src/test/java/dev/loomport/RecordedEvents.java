package dev.loomport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/** Reading loomport's JFR events back from a recording, for the tests of those events. */
public final class RecordedEvents {
    /** Every loomport event type, as a recording enables them. */
    public static final List<String> ALL = List.of("dev.loomport.ConnectionEnd", "dev.loomport.ConnectionReject",
            "dev.loomport.ListenerStart", "dev.loomport.ListenerStop");

    private RecordedEvents() {
    }

    /** Enables every loomport event in {@code recording}. */
    public static void enableAll(Recording recording) {
        ALL.forEach(recording::enable);
    }

    /** Stops {@code recording}, dumps it to {@code file} and reads back its loomport events. */
    public static List<RecordedEvent> stopAndRead(Recording recording, Path file) throws IOException {
        recording.stop();
        recording.dump(file);
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.loomport."))
                .toList();
    }

    /** The one event named {@code name}; fails when there are none or several. */
    public static RecordedEvent single(List<RecordedEvent> events, String name) {
        List<RecordedEvent> named = events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
        assertEquals(1, named.size(), () -> name + " in " + events);
        return named.getFirst();
    }
}
