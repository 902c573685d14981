package dev.loomport.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The listening socket the process was started with ({@link System#inheritedChannel()}: systemd's
 * {@code StandardInput=socket}), served by one listener at a time.
 *
 * <p>Closing stops accepting but does not close the channel, for two reasons. The JDK's inherited
 * channel, when closed, points the process's standard input, output and error at {@code /dev/null}
 * ({@code sun.nio.ch.InheritedChannel} "detaches" them), and a graceful stop logs after it stops
 * accepting: those lines would be lost. And the channel belongs to the process, not to one server: a
 * later server in the same JVM may serve it again. Either way the service manager holds its own
 * descriptor of the socket, so it stays open and connections that arrive now wait in its backlog for
 * whichever process accepts next; this process's descriptor goes when the process exits.
 *
 * <p>Without closing, a thread blocked in {@code accept()} cannot be woken (interrupting it would close
 * the channel), so the channel is non-blocking here and the accept loop waits in a {@link Selector}, which
 * {@link #close()} wakes. A lock makes "not closed, accept one" a single step: once {@code close()}
 * returns, this process accepts nothing more, and everything still queued is the next process's.
 */
final class InheritedSocket implements ListeningSocket {
    private static final System.Logger LOG = System.getLogger(InheritedSocket.class.getName());
    /** The listener serving the process's inherited channel, if one is. */
    private static final AtomicReference<String> SERVED_BY = new AtomicReference<>();

    private final String listener;
    private final ServerSocketChannel channel;
    private final InetSocketAddress local;
    private final Selector selector;
    private final ReentrantLock accepting = new ReentrantLock();
    private boolean closed; // guarded by accepting

    private InheritedSocket(String listener, ServerSocketChannel channel, InetSocketAddress local) throws IOException {
        this.listener = listener;
        this.channel = channel;
        this.local = local;
        this.selector = Selector.open();
        try {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
    }

    /**
     * The process's inherited channel, for {@code listener} to serve.
     *
     * @throws IOException naming the listener when there is no inherited channel, when it is not a
     *     listening TCP socket, or when another listener already serves it
     */
    static InheritedSocket claim(String listener) throws IOException {
        return claim(listener, System.inheritedChannel());
    }

    /** {@link #claim(String)} of a given channel: tests stand one in for the process's. */
    static InheritedSocket claim(String listener, Channel inherited) throws IOException {
        ServerSocketChannel channel = check(listener, inherited);
        InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
        String other = SERVED_BY.compareAndExchange(null, listener);
        if (other != null) {
            throw new IOException("listener " + listener + ": the inherited socket " + HostPort.of(local)
                    + " is already served by listener " + other + " (a process has one)");
        }
        try {
            return new InheritedSocket(listener, channel, local);
        } catch (IOException | RuntimeException e) {
            SERVED_BY.set(null);
            throw e;
        }
    }

    /** {@code inherited} if it is a listening TCP socket; otherwise an error that says what it is. */
    static ServerSocketChannel check(String listener, Channel inherited) throws IOException {
        String prefix = "listener " + listener + ": ";
        if (inherited == null) {
            throw new IOException(prefix + "no inherited channel: standard input is not a socket"
                    + " (System.inheritedChannel() is null); start the process with a listening socket as its"
                    + " standard input, as systemd's StandardInput=socket does");
        }
        if (!(inherited instanceof ServerSocketChannel server)) {
            String what = inherited instanceof SocketChannel ? "a connected socket (systemd Accept=yes, inetd nowait)"
                    : inherited instanceof DatagramChannel ? "a datagram socket" : inherited.getClass().getName();
            throw new IOException(prefix + "the inherited channel is " + what
                    + ", not a listening socket (systemd: Accept=no)");
        }
        SocketAddress local = server.getLocalAddress();
        if (!(local instanceof InetSocketAddress)) {
            throw new IOException(prefix + "the inherited socket listens on " + local + ", not on a TCP port:"
                    + " loomport serves TCP");
        }
        return server;
    }

    @Override
    public Socket accept() throws IOException {
        while (true) {
            accepting.lock();
            try {
                if (closed) {
                    throw new AsynchronousCloseException();
                }
                SocketChannel accepted = channel.accept(); // non-blocking: null when nothing waits
                if (accepted != null) {
                    return accepted.socket(); // an accepted channel is in blocking mode, as a Socket expects
                }
            } finally {
                accepting.unlock();
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("listener " + listener + ": interrupted waiting to accept");
            }
            try {
                selector.select(); // returns at once if close() woke it before this call
                selector.selectedKeys().clear();
            } catch (ClosedSelectorException e) { // close() got there first: either call may throw
                throw new AsynchronousCloseException();
            }
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    /** Stops accepting; leaves the channel open (see the class comment) and as blocking as it was found. */
    @Override
    public void close() throws IOException {
        accepting.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            accepting.unlock();
        }
        selector.wakeup();
        try {
            selector.close(); // deregisters the channel
            channel.configureBlocking(true);
        } catch (IOException | IllegalBlockingModeException e) {
            LOG.log(Level.DEBUG, () -> "listener " + listener + ": the inherited channel stays non-blocking: " + e);
        } finally {
            SERVED_BY.compareAndSet(listener, null);
        }
    }
}
