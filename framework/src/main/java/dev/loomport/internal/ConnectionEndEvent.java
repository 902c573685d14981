package dev.loomport.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The JFR record of one connection, committed when it ends: who, where, how much, how long, how it
 * ended. Committed only through {@link FlightEvents#connectionEnded}, which fills it only while a
 * recording has it enabled.
 *
 * <p>No stack trace: it would always be the connection's own cleanup code, and costs a stack walk per
 * connection.
 */
@Name("dev.loomport.ConnectionEnd")
@Label("Connection End")
@Category("loomport")
@Description("A connection ended: its listener, handler, endpoints, bytes each way, how long it was open and how it ended")
@StackTrace(false)
final class ConnectionEndEvent extends jdk.jfr.Event {
    @Label("Connection Id")
    long id;

    @Label("Listener")
    String listener;

    @Label("Handler")
    String handler;

    @Label("Local Address")
    String localAddress;

    @Label("Local Port")
    int localPort;

    @Label("Remote Address")
    @Description("The client's address: from the PROXY protocol header when the listener expects one")
    String remoteAddress;

    @Label("Remote Port")
    int remotePort;

    @Label("Proxy Address")
    @Description("The load balancer the PROXY protocol header arrived from; empty when there was none")
    String proxyAddress;

    @Label("Proxy Port")
    @Description("The load balancer's port; 0 when there was no PROXY protocol header")
    int proxyPort;

    @Label("TLS Protocol")
    @Description("The negotiated TLS protocol, such as TLSv1.3; empty on a plain connection or before the handshake ended")
    String tlsProtocol;

    @Label("Bytes In")
    @DataAmount
    long bytesIn;

    @Label("Bytes Out")
    @DataAmount
    long bytesOut;

    // "duration" is the event's own field; this one is accept to close, measured by the connection.
    @Label("Connection Duration")
    @Timespan(Timespan.NANOSECONDS)
    long connectionDuration;

    @Label("Outcome")
    @Description("The outcome tag of loomport.closed.connections: client-closed, error, idle-timeout, ...")
    String outcome;

    @Label("Exception Type")
    @Description("The class of what the handler threw, when it threw; empty otherwise")
    String exceptionType;
}
