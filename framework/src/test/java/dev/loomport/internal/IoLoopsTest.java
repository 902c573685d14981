package dev.loomport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loomport.SocketOptions.IoPath;
import org.junit.jupiter.api.Test;

/** Which I/O path a listener takes: what it asks for, else the system property, else the JDK's default. */
class IoLoopsTest {

    @Test
    void anExplicitPathIsTakenWhateverThePropertySays() {
        withProperty("loop", () -> assertEquals(IoPath.JDK, IoLoops.chosen(IoPath.JDK)));
        withProperty("jdk", () -> assertEquals(IoPath.LOOP, IoLoops.chosen(IoPath.LOOP)));
    }

    @Test
    void thePropertyChoosesTheDefaultAndTheJdkDecidesWithoutIt() {
        withProperty(" LOOP ", () -> assertEquals(IoPath.LOOP, IoLoops.chosen(IoPath.DEFAULT)));
        withProperty("jdk", () -> assertEquals(IoPath.JDK, IoLoops.chosen(IoPath.DEFAULT)));
        withProperty(null, () -> assertEquals(Runtime.version().feature() == 21 ? IoPath.LOOP : IoPath.JDK,
                IoLoops.chosen(IoPath.DEFAULT)));
    }

    @Test
    void aBadPropertyValueIsNamed() {
        withProperty("epoll", () -> assertEquals("system property dev.loomport.io must be jdk or loop, not 'epoll'",
                assertThrows(IllegalArgumentException.class, () -> IoLoops.chosen(IoPath.DEFAULT)).getMessage()));
    }

    /** Runs {@code body} with the property set (null: unset), then puts back what the build set. */
    private static void withProperty(String value, Runnable body) {
        String before = System.getProperty(IoLoops.PROPERTY);
        try {
            if (value == null) {
                System.clearProperty(IoLoops.PROPERTY);
            } else {
                System.setProperty(IoLoops.PROPERTY, value);
            }
            body.run();
        } finally {
            if (before == null) {
                System.clearProperty(IoLoops.PROPERTY);
            } else {
                System.setProperty(IoLoops.PROPERTY, before);
            }
        }
    }
}
