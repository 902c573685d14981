package dev.loomport.demo.echo;

import dev.loomport.spi.ConnectionHandler;
import dev.loomport.spi.HandlerContext;
import dev.loomport.spi.HandlerPlugin;

/** The {@code whoami} plug-in: what {@link java.util.ServiceLoader} finds; each listener gets a {@link WhoAmIHandler}. */
public final class WhoAmIPlugin implements HandlerPlugin {
    @Override
    public String name() {
        return "whoami";
    }

    @Override
    public String description() {
        return "answers one line saying whom the server believes the client is (its address, and the PROXY"
                + " header's), then closes: for checking a load balancer's PROXY protocol set-up";
    }

    @Override
    public ConnectionHandler create(HandlerContext context) {
        return new WhoAmIHandler();
    }
}
