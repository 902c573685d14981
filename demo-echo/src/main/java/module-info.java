/**
 * The echo demo: the {@code echo} and {@code relay} handlers, plug-ins like any other, {@code whoami}
 * (who the server thinks the client is: for checking a load balancer's PROXY protocol set-up), and a
 * launcher that serves any handler on the module path by name ({@code --listen echo@127.0.0.1:7007}).
 */
module dev.loomport.demo.echo {
    requires dev.loomport;
    // sun.misc.Signal: on SIGTERM or Ctrl-C the launcher stops gracefully and exits 0, which a
    // shutdown hook cannot do (the JVM then exits 143 or 130).
    requires jdk.unsupported;
    // The /metrics endpoint: the JDK's own HTTP server, and Micrometer's Prometheus registry, an
    // automatic module named in its jar's manifest (docs/metrics.md, "Micrometer on the module path").
    requires jdk.httpserver;
    requires micrometer.registry.prometheus;

    // --help lists every handler the server would find, as it finds them.
    uses dev.loomport.spi.HandlerPlugin;

    provides dev.loomport.spi.HandlerPlugin with
            dev.loomport.demo.echo.EchoPlugin,
            dev.loomport.demo.echo.WhoAmIPlugin,
            dev.loomport.demo.relay.RelayPlugin;
}
