package dev.loomport.internal;

import jdk.jfr.Category;
import jdk.jfr.Label;
import jdk.jfr.StackTrace;

/** The fields that the listener start and stop events share (JFR includes a superclass's fields). */
@Category("loomport")
@StackTrace(false)
abstract class ListenerEvent extends jdk.jfr.Event {
    @Label("Listener")
    String listener;

    @Label("Handler")
    String handler;

    @Label("Address")
    String address;

    @Label("Port")
    int port;
}
