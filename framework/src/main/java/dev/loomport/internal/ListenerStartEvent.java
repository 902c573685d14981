package dev.loomport.internal;

import jdk.jfr.Category;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The JFR record of a listener that started accepting. */
@Name("dev.loomport.ListenerStart")
@Label("Listener Started")
@Category("loomport")
@StackTrace(false)
final class ListenerStartEvent extends ListenerEvent {
}
