package dev.loomport.demo.echo;

import static dev.loomport.demo.echo.SameValues.assertSameValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomport.ListenerConfig;
import dev.loomport.demo.cli.Option;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The one table of a spec's keys: what the parser applies is what the help shows, defaults included. */
class ListenerKeysTest {

    @Test
    void everyDefaultTheHelpShowsIsTheFrameworksOwn() {
        ListenerConfig plain = LaunchOptions.listener("echo@127.0.0.1:0");
        int checked = 0;
        for (Option<ListenerConfig.Builder> row : ListenerKeys.TABLE.rows()) {
            if (row.defaultValue() != null) {
                String spec = "echo@127.0.0.1:0," + row.name() + "=" + row.defaultValue();
                assertSameValues(plain, LaunchOptions.listener(spec), spec);
                checked++;
            }
        }
        assertTrue(checked >= 15, "defaults checked: " + checked);
    }

    @Test
    void everyKeyIsInTheHelpAndNoneReachesTheHandler() {
        for (Option<ListenerConfig.Builder> row : ListenerKeys.TABLE.rows()) {
            assertTrue(LaunchOptions.USAGE.matches("(?s).*\n  " + Pattern.quote(row.name() + "="
                    + row.argument()) + "[ \n].*"), row.name());
            String value = row.defaultValue() != null ? row.defaultValue() : "x";
            if (row.name().equals("proxy-trusted")) {
                value = "10.0.0.0/8";
            } else if (row.name().equals(ListenerKeys.PRESET)) {
                value = "public";
            }
            assertEquals(Map.of(), LaunchOptions.listener("echo@0," + row.name() + "=" + value).handlerOptions(),
                    row.name());
        }
    }

    @Test
    void anUnknownKeyStillGoesToTheHandler() {
        assertEquals(Map.of("upstream", "h:1"), LaunchOptions.listener("relay@0,upstream=h:1").handlerOptions());
    }
}
