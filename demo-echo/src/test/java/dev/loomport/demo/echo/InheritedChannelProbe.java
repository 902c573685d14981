package dev.loomport.demo.echo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A child JVM for {@link SocketHolderIT}: says what {@link System#inheritedChannel()} gives it and, when
 * that is a listening socket, echoes one connection accepted on it, then exits 0; exits 3 otherwise.
 * It stands where the launcher will once it can serve an inherited socket.
 */
final class InheritedChannelProbe {
    private InheritedChannelProbe() {
    }

    public static void main(String[] args) throws IOException {
        Channel inherited = System.inheritedChannel();
        if (!(inherited instanceof ServerSocketChannel server)) {
            System.out.println("inherited " + inherited);
            System.exit(3);
            return;
        }
        System.out.println("inherited ServerSocketChannel " + server.getLocalAddress());
        try (SocketChannel client = server.accept()) {
            ByteBuffer buffer = ByteBuffer.allocate(512);
            while (client.read(buffer) >= 0) {
                client.write(buffer.flip());
                buffer.compact();
            }
        }
    }
}
