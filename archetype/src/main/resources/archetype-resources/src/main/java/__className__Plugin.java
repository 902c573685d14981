package ${package};

import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.HandlerContext;
import dev.loomport.spi.HandlerOption;
import dev.loomport.spi.HandlerPlugin;
import java.util.List;

/**
 * The plug-in {@code ${handlerName}}: what {@link java.util.ServiceLoader} finds. loomport calls
 * {@link #create} once for each listener that names it ({@code --listen ${handlerName}@127.0.0.1:7010}),
 * before anything binds; it parses the listener's options there, once, and returns the handler that
 * serves that listener's connections.
 */
public final class ${className}Plugin implements HandlerPlugin {
    /** The one option: how each answer starts ({@code --listen ${handlerName}@127.0.0.1:7010,greeting=Howdy}). */
    static final HandlerOption GREETING = HandlerOption.optional("greeting", "TEXT", "Hello",
            "the word each answer starts with, 1 to 64 characters");

    @Override
    public String name() {
        return "${handlerName}";
    }

    @Override
    public String description() {
        return "answers each line with a greeting: 'world' gets 'Hello, world!'";
    }

    @Override
    public List<HandlerOption> options() {
        return List.of(GREETING);
    }

    /**
     * A bad value stops the server's start with this exception's message, which loomport prefixes with
     * the listener and this class: name the option and the value.
     */
    @Override
    public ConnectionHandler create(HandlerContext context) {
        String greeting = context.option(GREETING.key()).orElse(GREETING.defaultValue()).strip();
        if (greeting.isEmpty() || greeting.length() > 64) {
            throw new IllegalArgumentException("greeting must be 1 to 64 characters: '" + greeting + "'");
        }
        return new ${className}Handler(greeting);
    }
}
