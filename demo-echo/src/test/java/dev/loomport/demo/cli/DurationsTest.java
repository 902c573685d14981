package dev.loomport.demo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The demo's one duration parser, which the launcher's options, its keys and the relay's all use. */
class DurationsTest {

    @Test
    void everyForm() {
        assertEquals(Duration.ZERO, Durations.parse("x", "0"));
        assertEquals(Duration.ofMillis(250), Durations.parse("x", "250ms"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("x", "30s"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("x", "5m"));
        assertEquals(Duration.ofHours(1), Durations.parse("x", "1h"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("x", "PT1M30S"));
        assertEquals(Duration.ofSeconds(-5), Durations.parse("x", "PT-5S"), "the caller decides about the sign");
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "10", "", "-1s", "1.5s", "1 h", "1H"})
    void notADurationNamesTheKeyAndTheValue(String value) {
        var e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("idle-timeout", value));
        assertEquals("idle-timeout is not a duration (such as 250ms, 30s, 5m, PT1H): '" + value + "'", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999h", "9223372036854775807h", "9223372036854775807m"})
    void tooLongNamesTheKeyAndTheValue(String value) {
        var e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("--grace", value));
        assertEquals("--grace is too long to be a duration: '" + value + "'", e.getMessage());
    }
}
