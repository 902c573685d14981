package dev.loomport.demo.echo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.loomport.ListenerConfig;
import java.util.Arrays;

/**
 * Fuzzes the launcher's command line: the options, each {@code --listen} spec with its listener, PROXY
 * and TLS keys (TlsOptions), durations and addresses. The input is the arguments, one per line. Parsing
 * must give valid options or an {@link IllegalArgumentException} whose message starts by naming the
 * option it is about ({@code --listen '<spec>': ...}, {@code --grace ...}, {@code unknown option '...'});
 * any other exception is a bug. No name is resolved while fuzzing (see the fuzz execution's argLine).
 * Seeds: {@code LaunchOptionsFuzzTestInputs/parsesArguments/}.
 */
class LaunchOptionsFuzzTest {

    @FuzzTest
    void parsesArguments(byte[] input) {
        String[] args = input.length == 0 ? new String[0] : new String(input, UTF_8).split("\n", -1);
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            assertNotNull(message);
            assertTrue(message.startsWith("unknown option '")
                    || Arrays.stream(args).anyMatch(a -> a.startsWith("--") && message.startsWith(optionName(a))),
                    () -> "the message names the option: " + message + " for " + Arrays.toString(args));
            return;
        }
        assertNotNull(options.grace());
        assertFalse(options.grace().isNegative());
        if (!options.help()) {
            assertFalse(options.listeners().isEmpty());
        }
        for (ListenerConfig listener : options.listeners()) {
            assertTrue(listener.port() >= 0 && listener.port() <= 65535, listener::toString);
            assertFalse(listener.host().isBlank(), listener::toString);
        }
    }

    /** {@code --listen} of {@code --listen=SPEC} or of {@code --listen}. */
    private static String optionName(String arg) {
        int eq = arg.indexOf('=');
        return eq > 0 ? arg.substring(0, eq) : arg;
    }
}
