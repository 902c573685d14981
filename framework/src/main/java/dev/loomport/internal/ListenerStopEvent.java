package dev.loomport.internal;

import jdk.jfr.Category;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The JFR record of a listener that stopped accepting: its socket is closed, its connections may still run. */
@Name("dev.loomport.ListenerStop")
@Label("Listener Stopped")
@Category("loomport")
@StackTrace(false)
final class ListenerStopEvent extends ListenerEvent {
}
