package dev.loomport.demo.echo;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A few large buffers that connections borrow while bytes flow and give back before they wait again,
 * so an idle connection holds none. Bounded: when every slot is taken a borrower gets a new buffer,
 * and a buffer given back to a full pool is left to the garbage collector. Lock-free, so it never
 * blocks a virtual thread.
 */
final class BufferPool {
    private final int bufferSize;
    private final AtomicReferenceArray<byte[]> slots;

    BufferPool(int bufferSize, int capacity) {
        if (bufferSize <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("buffer size and capacity must be positive: " + bufferSize + ", "
                    + capacity);
        }
        this.bufferSize = bufferSize;
        this.slots = new AtomicReferenceArray<>(capacity);
    }

    byte[] take() {
        for (int i = 0; i < slots.length(); i++) {
            byte[] b = slots.getPlain(i);
            if (b != null && slots.compareAndSet(i, b, null)) {
                return b;
            }
        }
        return new byte[bufferSize];
    }

    void give(byte[] buffer) {
        if (buffer.length != bufferSize) {
            throw new IllegalArgumentException("not one of this pool's buffers: " + buffer.length + " bytes");
        }
        for (int i = 0; i < slots.length(); i++) {
            if (slots.getPlain(i) == null && slots.compareAndSet(i, null, buffer)) {
                return;
            }
        }
    }

    int bufferSize() {
        return bufferSize;
    }
}
