package dev.loomport.spi;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A protocol as a plug-in: what {@link java.util.ServiceLoader} finds. It names the protocol, says which
 * options it takes, and creates the {@link ConnectionHandler} that serves one listener's connections.
 *
 * <p>A plug-in is a factory, not a handler: loomport calls {@link #create(HandlerContext)} once for every
 * listener that names it, when the server starts and before anything binds, and serves that listener's
 * connections with what it returns. Parse the options there, into the handler's own immutable settings,
 * so no handler is ever half-built and a bad option stops the start with your message. Two listeners
 * naming one plug-in get two handlers; what they should share (a pool, a registry), the plug-in holds.
 *
 * <p>Finding it: a module declares {@code provides dev.loomport.spi.HandlerPlugin with com.example.Chat;},
 * a jar on the class path lists the class in {@code META-INF/services/dev.loomport.spi.HandlerPlugin}.
 * The class needs a public no-argument constructor or, in a module, a public static {@code provider()}
 * method. {@code ServiceLoader} may make several instances; keep a plug-in stateless, or its state
 * static.
 *
 * {@snippet :
 * public final class UpperPlugin implements HandlerPlugin {
 *     public String name() { return "upper"; }
 *     public String description() { return "answers every line in upper case"; }
 *     public List<HandlerOption> options() {
 *         return List.of(HandlerOption.optional("max-line", "BYTES", "1024", "the longest line accepted"));
 *     }
 *     public ConnectionHandler create(HandlerContext context) {
 *         int maxLine = Integer.parseInt(context.option("max-line").orElse("1024"));
 *         return connection -> {
 *             var lines = new FrameReader(connection.input());   // dev.loomport.io
 *             for (String line; (line = lines.readLine(maxLine)) != null; ) {
 *                 connection.output().write((line.toUpperCase(Locale.ROOT) + "\n").getBytes(UTF_8));
 *             }
 *         };
 *     }
 * }
 * }
 */
public interface HandlerPlugin {

    /**
     * The name listeners use to serve this protocol, for example {@code "echo"}: letters, digits,
     * {@code '.'}, {@code '_'} or {@code '-'}, unique among the plug-ins a server can see, and stable: it
     * appears in configuration, thread names, log lines and metric tags.
     */
    String name();

    /** One line for {@code --help} and for error messages: what the protocol does. Default: none. */
    default String description() {
        return "";
    }

    /**
     * The options a listener may give this plug-in ({@code key=value} pairs loomport does not interpret
     * itself). loomport refuses a listener that gives a key not listed here, or leaves out a required
     * one, before {@link #create} is called, naming the key and listing those that exist. Default: none,
     * so any option is refused.
     */
    default List<HandlerOption> options() {
        return List.of();
    }

    /**
     * Creates the handler for one listener. Called once per listener that names this plug-in, on the
     * thread that starts the server, before anything binds. Whatever it throws stops the start: the
     * message names this plug-in's class, the listener and your exception's message, with your exception
     * as the cause. Throw {@link IllegalArgumentException} naming the option and its value for a bad
     * option.
     *
     * @param context the listener's name and its options, already checked against {@link #options()}
     * @return the handler; never {@code null}
     */
    ConnectionHandler create(HandlerContext context) throws Exception;

    /**
     * A plug-in made of a name and a handler factory, that takes no options: for tests, and for handlers
     * given to a server directly ({@code ServerConfig.Builder.plugin}). The factory is called once per
     * listener.
     */
    static HandlerPlugin of(String name, Supplier<? extends ConnectionHandler> factory) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(factory, "factory");
        return new HandlerPlugin() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ConnectionHandler create(HandlerContext context) {
                return factory.get();
            }

            @Override
            public String toString() {
                return "HandlerPlugin.of(" + name + ")";
            }
        };
    }
}
