package dev.loomport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The blocking streams a handler reads and writes on the loop path: {@link LoopChannel}'s, as streams. */
final class LoopStreams {
    private LoopStreams() {
    }

    static final class Input extends InputStream {
        private final LoopChannel io;

        Input(LoopChannel io) {
            this.io = io;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return io.read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return io.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return io.available();
        }

        /** Closes the socket, as the JDK's socket streams do. */
        @Override
        public void close() throws IOException {
            io.close();
        }
    }

    static final class Output extends OutputStream {
        private final LoopChannel io;

        Output(LoopChannel io) {
            this.io = io;
        }

        @Override
        public void write(int b) throws IOException {
            io.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            io.write(b, off, len);
        }

        /** Closes the socket, as the JDK's socket streams do. */
        @Override
        public void close() throws IOException {
            io.close();
        }
    }
}
