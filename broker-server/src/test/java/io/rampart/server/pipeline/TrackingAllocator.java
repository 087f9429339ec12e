package io.rampart.server.pipeline;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * An unpooled allocator that remembers every buffer it hands out, so that a test can assert, deterministically
 * and at once, that all of them were released (Netty's leak detector only reports a leak after the garbage
 * collector has found the buffer, possibly during a later test). The buffers are still wrapped by the leak
 * detector (paranoid in tests), which names the last accesses of a leaked one.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {

    private final List<ByteBuf> allocated = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        allocated.add(buf);
        return toLeakAwareBuffer(buf);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
        allocated.add(buf);
        return toLeakAwareBuffer(buf);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** How many of the buffers handed out are still referenced. */
    int unreleased() {
        int n = 0;
        for (ByteBuf buf : allocated) {
            if (buf.refCnt() > 0) {
                n++;
            }
        }
        return n;
    }

    /** Releases whatever is still referenced (after a finding, so that one leak is not reported twice). */
    void releaseAll() {
        for (ByteBuf buf : allocated) {
            if (buf.refCnt() > 0) {
                buf.release(buf.refCnt());
            }
        }
        allocated.clear();
    }
}
