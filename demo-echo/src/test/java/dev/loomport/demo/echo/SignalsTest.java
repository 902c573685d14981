package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A signal the platform lacks (Windows has no SIGHUP) costs what it was for, in one line, and nothing else:
 * it once threw from the launcher's main thread while the metrics thread kept the process alive.
 */
class SignalsTest {

    @Test
    void aSignalThePlatformLacksIsReportedNotThrown() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Signals signals = new Signals(new PrintStream(err, true, StandardCharsets.UTF_8));
        assertFalse(signals.handle("NOSUCHSIGNAL", signal -> { }, "reloading TLS certificates on SIGHUP", false));
        String said = err.toString(StandardCharsets.UTF_8);
        // The JDK's own reason goes in the brackets; its wording is the JDK's business.
        assertTrue(said.startsWith("loomport: SIGNOSUCHSIGNAL is unavailable here (") && said.contains("NOSUCHSIGNAL)")
                && said.endsWith("): reloading TLS certificates on SIGHUP is off" + System.lineSeparator())
                && said.lines().count() == 1, said);
    }
}
