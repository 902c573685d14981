/**
 * The echo demo: the {@code echo} and {@code relay} handlers, plug-ins like any other, and a launcher
 * that serves any handler on the module path by name ({@code --listen echo@127.0.0.1:7007}).
 */
module dev.loomport.demo.echo {
    requires dev.loomport;
    // sun.misc.Signal: on SIGTERM or Ctrl-C the launcher stops gracefully and exits 0, which a
    // shutdown hook cannot do (the JVM then exits 143 or 130).
    requires jdk.unsupported;

    provides dev.loomport.spi.ConnectionHandler with
            dev.loomport.demo.echo.EchoHandler,
            dev.loomport.demo.relay.RelayHandler;
}
