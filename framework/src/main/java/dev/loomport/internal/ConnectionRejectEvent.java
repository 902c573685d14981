package dev.loomport.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The JFR record of a connection refused by a limit before it reached the handler. */
@Name("dev.loomport.ConnectionReject")
@Label("Connection Rejected")
@Category("loomport")
@Description("A connection was refused by a limit and closed without reaching the handler")
@StackTrace(false)
final class ConnectionRejectEvent extends jdk.jfr.Event {
    @Label("Listener")
    String listener;

    @Label("Handler")
    String handler;

    @Label("Remote Address")
    String remoteAddress;

    @Label("Remote Port")
    int remotePort;

    @Label("Reason")
    @Description("The reason tag of loomport.rejected.connections: max-connections, per-source, shutdown")
    String reason;
}
