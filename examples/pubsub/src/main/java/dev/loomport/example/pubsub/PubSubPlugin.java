package dev.loomport.example.pubsub;

import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.HandlerContext;
import dev.loomport.spi.HandlerOption;
import dev.loomport.spi.HandlerPlugin;
import java.util.List;

/**
 * {@code pubsub}: a line-based publish/subscribe service, as a loomport plug-in. This class is what
 * {@link java.util.ServiceLoader} finds; it parses a listener's options once into {@link Settings} and
 * creates the {@link PubSubHandler} that serves that listener, with its own set of topics.
 */
public final class PubSubPlugin implements HandlerPlugin {
    static final HandlerOption MAX_LINE = HandlerOption.optional("max-line", "BYTES", "1024",
            "the longest command line accepted, without its line end; a longer one ends the connection");
    static final HandlerOption QUEUE = HandlerOption.optional("queue", "LINES", "1000",
            "messages that may wait for a slow subscriber before it is dropped");

    /** A listener's options, parsed and checked. */
    record Settings(int maxLine, int queue) {
        Settings {
            if (maxLine < 16 || maxLine > 1 << 20) {
                throw new IllegalArgumentException("max-line must be 16..1048576 bytes: " + maxLine);
            }
            if (queue < 1 || queue > 1_000_000) {
                throw new IllegalArgumentException("queue must be 1..1000000 lines: " + queue);
            }
        }
    }

    @Override
    public String name() {
        return "pubsub";
    }

    @Override
    public String description() {
        return "publish/subscribe over lines: SUB topic, UNSUB topic, PUB topic text, QUIT";
    }

    @Override
    public List<HandlerOption> options() {
        return List.of(MAX_LINE, QUEUE);
    }

    @Override
    public ConnectionHandler create(HandlerContext context) {
        return new PubSubHandler(new Settings(number(context, MAX_LINE), number(context, QUEUE)));
    }

    private static int number(HandlerContext context, HandlerOption option) {
        String value = context.option(option.key()).orElse(option.defaultValue());
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option.key() + " must be a whole number of " + option.value()
                    + ": '" + value + "'");
        }
    }
}
