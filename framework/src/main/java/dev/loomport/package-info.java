/**
 * Starting and stopping a loomport {@link dev.loomport.Server}: its {@link dev.loomport.ServerConfig}
 * and the {@link dev.loomport.ListenerConfig} of each port it serves.
 *
 * {@snippet :
 * ServerConfig config = ServerConfig.builder()
 *         .listener(ListenerConfig.builder("echo").port(7007).build())           // 127.0.0.1:7007
 *         .listener(ListenerConfig.builder("relay").port(7100)
 *                 .handlerOption("upstream", "127.0.0.1:7007")
 *                 .idleTimeout(Duration.ofMinutes(5))
 *                 .build())
 *         .build();
 * Server server = Server.start(config);       // binds both, or neither
 * // ...
 * server.shutdown(Duration.ofSeconds(10));   // stop accepting, drain, close the rest
 * }
 *
 * <p>Handlers are plug-ins: see {@link dev.loomport.spi}.
 */
package dev.loomport;
