package io.rampart.bench.load;

import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end flow control for a set of publishers and the subscribers that receive their messages.
 *
 * <p>Every published message is expected {@code fanout} times at the subscribers. A publisher may only send
 * while the deliveries still outstanding (expected minus received minus written off) are below
 * {@code windowPerPublisher × publishers × fanout}; otherwise it parks and the subscribers wake it once the
 * outstanding count has fallen to half the limit. The broker therefore always has a full pipeline but never
 * an unbounded backlog.
 *
 * <p>A broker may drop messages (QoS 0 legitimately). If publishers are parked and no delivery has arrived
 * for {@link #STALL_NANOS}, the outstanding deliveries are written off so the run continues; they still show
 * up as undelivered in the result.
 */
final class FlowGroup {

    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long CHECK_INTERVAL_MILLIS = 50;

    private final int fanout;
    private final long limit;
    private final long resumeAt;
    private final AtomicLong expected = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong writtenOff = new AtomicLong();
    private final AtomicInteger parked = new AtomicInteger();
    private volatile List<PublisherHandler> publishers = List.of();

    // Only touched by the stall check, which always runs on the same event loop.
    private long lastDelivered = -1;
    private long lastProgressNanos;
    private ScheduledFuture<?> stallCheck;

    FlowGroup(int fanout, int publisherCount, int windowPerPublisher) {
        this.fanout = fanout;
        this.limit = (long) windowPerPublisher * publisherCount * fanout;
        this.resumeAt = Math.max(limit / 2, 1);
    }

    /** Starts the stall check; call once the publishers are connected and before they start. */
    void attach(List<PublisherHandler> members, EventLoop checker) {
        this.publishers = List.copyOf(members);
        this.lastProgressNanos = System.nanoTime();
        this.stallCheck = checker.scheduleAtFixedRate(this::checkStall,
                CHECK_INTERVAL_MILLIS, CHECK_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    void detach() {
        if (stallCheck != null) {
            stallCheck.cancel(false);
        }
    }

    /** Reserves room for one message; false when the publisher must park. */
    boolean tryAcquire() {
        if (outstanding() >= limit) {
            return false;
        }
        expected.addAndGet(fanout);
        return true;
    }

    /** The publisher could not acquire; it will be resumed by {@link #delivered} or the stall check. */
    void park(PublisherHandler publisher) {
        if (publisher.markParked()) {
            parked.incrementAndGet();
        }
        // A delivery may have freed room between tryAcquire and markParked; do not miss that wake-up.
        if (outstanding() <= resumeAt) {
            wakeAll();
        }
    }

    /** Subscribers report what they received in one read batch. */
    void delivered(int count) {
        delivered.addAndGet(count);
        if (parked.get() > 0 && outstanding() <= resumeAt) {
            wakeAll();
        }
    }

    long undelivered() {
        return Math.max(0, expected.get() - delivered.get());
    }

    private long outstanding() {
        return expected.get() - delivered.get() - writtenOff.get();
    }

    private void wakeAll() {
        for (PublisherHandler p : publishers) {
            if (p.clearParked()) {
                parked.decrementAndGet();
                p.wake();
            }
        }
    }

    private void checkStall() {
        long now = System.nanoTime();
        long d = delivered.get();
        if (d != lastDelivered || parked.get() == 0) {
            lastDelivered = d;
            lastProgressNanos = now;
            return;
        }
        if (now - lastProgressNanos >= STALL_NANOS) {
            long lost = outstanding();
            if (lost > 0) {
                writtenOff.addAndGet(lost);
            }
            lastProgressNanos = now;
            wakeAll();
        }
    }
}
