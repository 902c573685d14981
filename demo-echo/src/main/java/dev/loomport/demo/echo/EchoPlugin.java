package dev.loomport.demo.echo;

import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.HandlerContext;
import dev.loomport.spi.HandlerPlugin;

/** The {@code echo} plug-in: what {@link java.util.ServiceLoader} finds; each listener gets an {@link EchoHandler}. */
public final class EchoPlugin implements HandlerPlugin {
    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String description() {
        return "writes back every byte it reads";
    }

    @Override
    public ConnectionHandler create(HandlerContext context) {
        return new EchoHandler();
    }
}
