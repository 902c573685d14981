package dev.loomport.bench;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** One generator connection: its channel, the message in flight, and (rate mode) its schedule. */
final class Conn {
    int index; // its place in its driver's schedule
    SocketChannel channel;
    SelectionKey key;
    ByteBuffer out;
    long started; // nanoTime the message (churn: the connect) started
    int received;
    boolean inFlight;
    long sent; // rate mode: messages sent; the one in flight is sent - 1
    long due; // rate mode: messages due so far
    boolean served; // answered at least once inside the measured window

    Conn(int index) {
        this.index = index;
    }
}
