package dev.loomport.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link InheritedSocket} on a channel the test opens in place of the process's inherited one: it accepts
 * on a virtual thread, a close wakes a waiting accept without closing the channel, what arrives afterwards
 * stays queued for whoever serves the channel next, and anything but a listening TCP socket is refused by
 * name. (The real inherited channel, in a child process: demo-echo's SocketActivationIT.)
 */
@Timeout(60)
class InheritedSocketTest {

    private static ServerSocketChannel listening() throws IOException {
        return ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @Test
    void acceptsOnAVirtualThreadAndACloseLeavesTheChannelOpenWithItsQueue() throws Exception {
        try (ServerSocketChannel channel = listening()) {
            InetSocketAddress address = (InetSocketAddress) channel.getLocalAddress();
            InheritedSocket first = InheritedSocket.claim("a", channel);
            assertEquals(address, first.localAddress());
            try (Socket client = new Socket(address.getAddress(), address.getPort());
                 Socket served = onVirtualThread(first).get(30, TimeUnit.SECONDS)) {
                client.getOutputStream().write("ping".getBytes(UTF_8));
                assertArrayEquals("ping".getBytes(UTF_8), served.getInputStream().readNBytes(4));
            }

            CompletableFuture<Socket> waiting = onVirtualThread(first); // nothing to accept: it waits
            first.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(30, TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            assertTrue(channel.isOpen(), "closing stops accepting, not the channel");
            assertTrue(channel.isBlocking(), "left as blocking as it was found");
            first.close(); // idempotent

            try (Socket queued = new Socket(address.getAddress(), address.getPort())) { // connects: the backlog holds it
                queued.getOutputStream().write("later".getBytes(UTF_8));
                InheritedSocket next = InheritedSocket.claim("b", channel); // the claim was given back
                try (Socket served = onVirtualThread(next).get(30, TimeUnit.SECONDS)) {
                    assertArrayEquals("later".getBytes(UTF_8), served.getInputStream().readNBytes(5));
                } finally {
                    next.close();
                }
            }
        }
    }

    @Test
    void oneListenerAtATimeServesIt() throws Exception {
        try (ServerSocketChannel channel = listening()) {
            InheritedSocket first = InheritedSocket.claim("a", channel);
            try {
                IOException e = assertThrows(IOException.class, () -> InheritedSocket.claim("b", channel));
                assertEquals("listener b: the inherited socket " + HostPort.of(first.localAddress())
                        + " is already served by listener a (a process has one)", e.getMessage());
            } finally {
                first.close();
            }
        }
    }

    @Test
    void anythingButAListeningTcpSocketIsRefusedSayingWhatItIs(@TempDir Path dir) throws Exception {
        IOException none = assertThrows(IOException.class, () -> InheritedSocket.check("echo", null));
        assertTrue(none.getMessage().startsWith("listener echo: no inherited channel"), none.getMessage());

        try (ServerSocketChannel server = listening();
             SocketChannel connected = SocketChannel.open(server.getLocalAddress())) {
            IOException e = assertThrows(IOException.class, () -> InheritedSocket.check("echo", connected));
            assertEquals("listener echo: the inherited channel is a connected socket (systemd Accept=yes, inetd"
                    + " nowait), not a listening socket (systemd: Accept=no)", e.getMessage());
            assertSame(server, InheritedSocket.check("echo", server));
        }
        try (DatagramChannel datagram = DatagramChannel.open()) {
            IOException e = assertThrows(IOException.class, () -> InheritedSocket.check("echo", datagram));
            assertTrue(e.getMessage().contains("is a datagram socket, not a listening socket"), e.getMessage());
        }
        Path path = dir.resolve("s");
        try (ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(path))) {
            IOException e = assertThrows(IOException.class, () -> InheritedSocket.check("echo", unix));
            assertEquals("listener echo: the inherited socket listens on " + path + ", not on a TCP port:"
                    + " loomport serves TCP", e.getMessage());
        }
    }

    private static CompletableFuture<Socket> onVirtualThread(InheritedSocket socket) {
        CompletableFuture<Socket> accepted = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                accepted.complete(socket.accept());
            } catch (Throwable e) {
                accepted.completeExceptionally(e);
            }
        });
        return accepted;
    }
}
