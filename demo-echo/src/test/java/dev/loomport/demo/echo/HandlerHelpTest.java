package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.demo.cli.Option;
import dev.loomport.demo.relay.RelayHandler;
import dev.loomport.spi.Connection;
import dev.loomport.spi.ConnectionHandler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --help's handler section: every handler found, each with a line and its options. */
class HandlerHelpTest {

    @Test
    void listsEveryDemoHandlerWithItsLineAndOptions() {
        HandlerHelp.Found found = HandlerHelp.find();
        assertEquals(List.of(), found.failures());
        String text = HandlerHelp.text(found);
        assertTrue(text.startsWith("Handlers found (--listen HANDLER@...):\n"), text);
        for (String name : List.of("echo", "relay", "whoami")) {
            assertTrue(text.contains("\n  " + name + " ".repeat(28 - name.length())
                    + HandlerHelp.DEMO.get(name).summary().substring(0, 20)), text);
        }
        assertTrue(text.contains("\n    upstream=HOST:PORT "), text);
        assertTrue(text.contains("\n    connect-timeout=DURATION "), text);
        assertTrue(text.indexOf("  echo") < text.indexOf("  relay") && text.indexOf("  relay") < text.indexOf("  whoami"),
                "by name: " + text);
    }

    @Test
    void aPlugInIsNamedByClassAndAFailureIsListedNotThrown() {
        ConnectionHandler stranger = new Stranger();
        String text = HandlerHelp.text(new HandlerHelp.Found(List.of(stranger), List.of("Provider x not found")));
        assertTrue(text.replaceAll("\\s+", " ").contains(" stranger a plug-in: " + Stranger.class.getName()
                + " in module dev.loomport.demo.echo; its options are its own "), text);
        assertTrue(text.endsWith("  a plug-in could not be loaded: Provider x not found\n"), text);
        assertTrue(HandlerHelp.text(new HandlerHelp.Found(List.of(), List.of())).contains("none:"));
    }

    /** The relay's documented options are the ones it takes: the two lists cannot drift unnoticed. */
    @Test
    void theRelaysDocumentedOptionsAreTheOnesItTakes() {
        Map<String, String> options = new HashMap<>();
        for (Option<Void> row : HandlerHelp.DEMO.get("relay").options().rows()) {
            options.put(row.name(), row.defaultValue() != null ? row.defaultValue() : "127.0.0.1:1");
        }
        assertEquals("relay to 127.0.0.1:1", new RelayHandler().configure(options).toString());
        options.put("not-documented", "x");
        var e = assertThrows(IllegalArgumentException.class, () -> new RelayHandler().configure(options));
        assertTrue(e.getMessage().startsWith("unknown relay option not-documented"), e.getMessage());
    }

    private static final class Stranger implements ConnectionHandler {
        @Override
        public String name() {
            return "stranger";
        }

        @Override
        public void handle(Connection connection) {
        }
    }
}
