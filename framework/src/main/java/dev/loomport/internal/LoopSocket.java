package dev.loomport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * A connection on the framework-owned I/O path, as the {@link Socket} the rest of the core already
 * knows: its streams are {@link LoopChannel}'s; close, half-close and the read timeout go through it too,
 * so that they wake a thread waiting in it. Options and addresses are the channel's own socket adaptor's,
 * which serves them in non-blocking mode too. What the framework never does with an accepted socket
 * (connect, bind, urgent data) throws {@link UnsupportedOperationException} naming the method, rather
 * than misbehave; {@link #getChannel()} is null, as for a socket a {@link java.net.ServerSocket} accepted,
 * because reading the channel directly would bypass the loop's buffer.
 */
final class LoopSocket extends Socket {
    private final LoopChannel io;
    private final Socket adaptor;

    LoopSocket(LoopChannel io) throws SocketException {
        super((SocketImpl) null); // every method that would use an implementation is overridden
        this.io = io;
        this.adaptor = io.channel().socket();
    }

    private static UnsupportedOperationException unsupported(String method) {
        return new UnsupportedOperationException("LoopSocket." + method
                + ": not supported on an accepted socket of the framework's I/O path");
    }

    @Override public void connect(SocketAddress endpoint) { throw unsupported("connect"); }
    @Override public void connect(SocketAddress endpoint, int timeout) { throw unsupported("connect"); }
    @Override public void bind(SocketAddress bindpoint) { throw unsupported("bind"); }
    @Override public void sendUrgentData(int data) { throw unsupported("sendUrgentData"); }
    @Override public void setOOBInline(boolean on) { throw unsupported("setOOBInline"); }
    @Override public boolean getOOBInline() { throw unsupported("getOOBInline"); }

    @Override public InetAddress getInetAddress() { return adaptor.getInetAddress(); }
    @Override public InetAddress getLocalAddress() { return adaptor.getLocalAddress(); }
    @Override public int getPort() { return adaptor.getPort(); }
    @Override public int getLocalPort() { return adaptor.getLocalPort(); }
    @Override public SocketAddress getRemoteSocketAddress() { return adaptor.getRemoteSocketAddress(); }
    @Override public SocketAddress getLocalSocketAddress() { return adaptor.getLocalSocketAddress(); }
    @Override public SocketChannel getChannel() { return null; }

    @Override
    public InputStream getInputStream() throws IOException {
        ensureOpen();
        if (adaptor.isInputShutdown()) {
            throw new SocketException("Socket input is shutdown");
        }
        return io.input();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        ensureOpen();
        if (adaptor.isOutputShutdown()) {
            throw new SocketException("Socket output is shutdown");
        }
        return io.output();
    }

    private void ensureOpen() throws SocketException {
        if (io.isClosed()) {
            throw new SocketException("Socket is closed");
        }
    }

    @Override public void setTcpNoDelay(boolean on) throws SocketException { adaptor.setTcpNoDelay(on); }
    @Override public boolean getTcpNoDelay() throws SocketException { return adaptor.getTcpNoDelay(); }
    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        adaptor.setSoLinger(on, linger);
        io.resetOnClose(on && linger == 0); // that close must stay a RST (LoopChannel.close)
    }

    @Override public int getSoLinger() throws SocketException { return adaptor.getSoLinger(); }
    @Override public void setSendBufferSize(int size) throws SocketException { adaptor.setSendBufferSize(size); }
    @Override public int getSendBufferSize() throws SocketException { return adaptor.getSendBufferSize(); }
    @Override public void setReceiveBufferSize(int size) throws SocketException { adaptor.setReceiveBufferSize(size); }
    @Override public int getReceiveBufferSize() throws SocketException { return adaptor.getReceiveBufferSize(); }
    @Override public void setKeepAlive(boolean on) throws SocketException { adaptor.setKeepAlive(on); }
    @Override public boolean getKeepAlive() throws SocketException { return adaptor.getKeepAlive(); }
    @Override public void setTrafficClass(int tc) throws SocketException { adaptor.setTrafficClass(tc); }
    @Override public int getTrafficClass() throws SocketException { return adaptor.getTrafficClass(); }
    @Override public void setReuseAddress(boolean on) throws SocketException { adaptor.setReuseAddress(on); }
    @Override public boolean getReuseAddress() throws SocketException { return adaptor.getReuseAddress(); }
    @Override public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) { }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        adaptor.setOption(name, value);
        if (name == StandardSocketOptions.SO_LINGER) {
            io.resetOnClose(Integer.valueOf(0).equals(value));
        }
        return this;
    }

    @Override public <T> T getOption(SocketOption<T> name) throws IOException { return adaptor.getOption(name); }
    @Override public Set<SocketOption<?>> supportedOptions() { return adaptor.supportedOptions(); }

    /** SO_TIMEOUT, kept here: the channel's reads never block, {@link LoopChannel} waits with it. */
    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        ensureOpen();
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        io.setTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        ensureOpen();
        return io.timeout();
    }

    @Override public void close() throws IOException { io.close(); }

    @Override
    public void shutdownInput() throws IOException {
        ensureOpen();
        io.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen();
        io.shutdownOutput();
    }

    @Override public boolean isConnected() { return adaptor.isConnected(); }
    @Override public boolean isBound() { return adaptor.isBound(); }
    @Override public boolean isClosed() { return io.isClosed(); }

    /** Whether the connection has registered with its loop (it has had to wait): for tests. */
    boolean registeredWithLoop() {
        return io.registered();
    }
    @Override public boolean isInputShutdown() { return adaptor.isInputShutdown(); }
    @Override public boolean isOutputShutdown() { return adaptor.isOutputShutdown(); }

    @Override
    public String toString() {
        return "LoopSocket over " + adaptor;
    }
}
