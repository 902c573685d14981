package dev.loomport.demo.relay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fuzzes the relay's options as the launcher hands them over: the input is {@code KEY=VALUE} lines.
 * Parsing must give an upstream whose port is 1..65535 and whose {@link RelayOptions#upstream()} text
 * parses back to the same host and port, or an {@link IllegalArgumentException} naming the option; any
 * other exception is a bug. Seeds: {@code RelayOptionsFuzzTestInputs/parsesOptions/}.
 */
class RelayOptionsFuzzTest {

    @DictionaryEntries({"upstream=", "connect-timeout=", "[", "]:", "PT", "H", "M", "S", "ms", "-", "."})
    @FuzzTest
    void parsesOptions(byte[] input) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String line : new String(input, UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                options.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        RelayOptions relay;
        try {
            relay = RelayOptions.parse(options);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            assertNotNull(message);
            assertTrue(message.contains("upstream") || message.contains("connect-timeout")
                    || message.startsWith("unknown relay option "), () -> "the message names the option: " + message);
            return;
        }
        assertTrue(relay.port() >= 1 && relay.port() <= 65535, relay::toString);
        assertFalse(relay.host().isEmpty());
        assertFalse(relay.connectTimeout().isNegative());
        RelayOptions again = RelayOptions.parse(Map.of("upstream", relay.upstream()));
        assertEquals(relay.host(), again.host(), "upstream() reads back: " + relay.upstream());
        assertEquals(relay.port(), again.port(), "upstream() reads back: " + relay.upstream());
    }
}
