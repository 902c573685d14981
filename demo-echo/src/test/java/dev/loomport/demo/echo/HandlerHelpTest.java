package dev.loomport.demo.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.HandlerContext;
import dev.loomport.spi.HandlerOption;
import dev.loomport.spi.HandlerPlugin;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --help's handler section: every plug-in found, each with its own line and options. */
class HandlerHelpTest {

    @Test
    void listsEveryDemoPluginWithItsLineAndOptions() {
        HandlerHelp.Found found = HandlerHelp.find();
        assertEquals(List.of(), found.failures());
        String text = HandlerHelp.text(found);
        assertTrue(text.startsWith("Handlers found (--listen HANDLER@...):\n"), text);
        for (HandlerPlugin plugin : List.of(new EchoPlugin(), new WhoAmIPlugin(), new dev.loomport.demo.relay.RelayPlugin())) {
            String name = plugin.name();
            assertTrue(text.contains("\n  " + name + " ".repeat(28 - name.length())
                    + plugin.description().substring(0, 20)), text);
        }
        assertTrue(text.contains("\n    upstream=HOST:PORT "), text);
        assertTrue(text.contains("(required)"), text);
        assertTrue(text.contains("\n    connect-timeout=DURATION "), text);
        assertTrue(text.contains("(default 10s)"), text);
        assertTrue(text.indexOf("  echo") < text.indexOf("  relay") && text.indexOf("  relay") < text.indexOf("  whoami"),
                "by name: " + text);
    }

    @Test
    void aPlugInIsNamedWithWhereItCameFromAndAFailureIsListedNotThrown() {
        String text = HandlerHelp.text(new HandlerHelp.Found(List.of(new Stranger()), List.of("Provider x not found")));
        String flat = text.replaceAll("\\s+", " ");
        // A test class shares the demo's module but not its jar (target/test-classes): a plug-in, not the demo's.
        assertTrue(flat.contains(" stranger says hello [" + Stranger.class.getName() + " in module dev.loomport.demo.echo]"),
                text);
        assertTrue(flat.contains(" greeting=TEXT what to say (default hello)"), text);
        assertTrue(text.endsWith("  a plug-in could not be loaded: Provider x not found\n"), text);
        assertTrue(HandlerHelp.text(new HandlerHelp.Found(List.of(), List.of())).contains("none:"));
    }

    @Test
    void aPluginWhoseDescriptionThrowsIsStillListed() {
        HandlerPlugin broken = new HandlerPlugin() {
            @Override public String name() { return "broken"; }
            @Override public String description() { throw new IllegalStateException("no words"); }
            @Override public ConnectionHandler create(HandlerContext context) { return c -> { }; }
        };
        String text = HandlerHelp.text(new HandlerHelp.Found(List.of(broken), List.of()));
        assertTrue(text.contains("broken") && text.contains("no words"), text);
    }

    private static final class Stranger implements HandlerPlugin {
        @Override public String name() { return "stranger"; }
        @Override public String description() { return "says hello"; }
        @Override public List<HandlerOption> options() {
            return List.of(HandlerOption.optional("greeting", "TEXT", "hello", "what to say"));
        }
        @Override public ConnectionHandler create(HandlerContext context) { return c -> { }; }
    }
}
