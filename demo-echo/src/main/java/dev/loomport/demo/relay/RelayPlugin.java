package dev.loomport.demo.relay;

import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.HandlerContext;
import dev.loomport.spi.HandlerOption;
import dev.loomport.spi.HandlerPlugin;
import java.util.List;

/**
 * The {@code relay} plug-in: what {@link java.util.ServiceLoader} finds. It parses a listener's options
 * once into {@link RelayOptions} and gives that listener a {@link RelayHandler} that holds them.
 */
public final class RelayPlugin implements HandlerPlugin {
    static final List<HandlerOption> OPTIONS = List.of(
            HandlerOption.required("upstream", "HOST:PORT", "where to, an IPv6 host in brackets"),
            HandlerOption.optional("connect-timeout", "DURATION",
                    RelayOptions.DEFAULT_CONNECT_TIMEOUT.toSeconds() + "s",
                    "how long connecting to the upstream may take; 0 = the operating system's limit"));

    @Override
    public String name() {
        return "relay";
    }

    @Override
    public String description() {
        return "forwards each connection to an upstream, byte for byte, both ways";
    }

    @Override
    public List<HandlerOption> options() {
        return OPTIONS;
    }

    /** @throws IllegalArgumentException naming the option and its value; see {@link RelayOptions} */
    @Override
    public ConnectionHandler create(HandlerContext context) {
        return new RelayHandler(RelayOptions.parse(context.options()));
    }
}
