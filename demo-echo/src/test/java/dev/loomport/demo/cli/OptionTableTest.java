package dev.loomport.demo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The help text's layout, byte for byte, and the table's own checks. */
class OptionTableTest {

    @Test
    void aRowWrapsItsDescriptionUnderItself() {
        OptionTable<StringBuilder> table = new OptionTable<>("=",
                Option.of("short", "N", "7", "a few words", (t, k, v) -> t.append(v)),
                Option.of("a-key-too-long-for-the-column", "DURATION", null, "word ".repeat(30),
                        (t, k, v) -> t.append(v)),
                Option.of("flag", "", null, "no value", (t, k, v) -> t.append(v)));
        String word = "word ".repeat(14).strip();
        assertEquals("""
                  short=N                     a few words (default 7)
                  a-key-too-long-for-the-column=DURATION
                                              %s
                                              %s
                                              word word
                  flag                        no value
                """.formatted(word, word), table.help("  "));
        assertEquals("flag", table.synopsis(table.find("flag").orElseThrow()));
    }

    @Test
    void aLongWordGetsALineOfItsOwn() {
        assertEquals(List.of("a", "x".repeat(12), "b c"), OptionTable.wrap("a " + "x".repeat(12) + " b c", 5));
    }

    @Test
    void anOptionTwiceInOneTableIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new OptionTable<Void>(" ",
                Option.documented("--a", "", null, "one"), Option.documented("--a", "", null, "two")));
        assertEquals("option --a is in the table twice", e.getMessage());
    }
}
