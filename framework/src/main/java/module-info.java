/**
 * loomport: a TCP server framework that serves every accepted socket on a virtual thread of its own,
 * owns every thread it starts, finds protocol handlers as plug-ins, and reports through Micrometer.
 *
 * <p>{@code dev.loomport} is the API a server's owner uses (configuration, lifecycle);
 * {@code dev.loomport.spi} is what a plug-in implements, and {@code dev.loomport.io} the bounded framing it reads
 * and writes with. {@code dev.loomport.internal} is not exported.
 * See {@code docs/modules.md} for why each line is here.
 */
module dev.loomport {
    exports dev.loomport;
    exports dev.loomport.spi;
    exports dev.loomport.io;

    // MeterRegistry appears in ServerConfig's public API, so users of dev.loomport read it too.
    requires transitive micrometer.core;
    // Flight Recorder: loomport's own events (dev.loomport.internal.FlightEvents) and the in-process
    // stream that counts pinned virtual threads per handler (PinningMonitor). In every JDK 21+.
    requires jdk.jfr;

    uses dev.loomport.spi.HandlerPlugin;
}
