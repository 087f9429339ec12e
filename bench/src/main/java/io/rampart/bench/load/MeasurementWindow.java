package io.rampart.bench.load;

/**
 * The measured interval, in {@link System#nanoTime()} units. Closed (nothing counts) until {@link #open} is
 * called; handlers ask {@link #contains} with the timestamp they already took, so the check costs one
 * volatile read per message.
 */
public final class MeasurementWindow {

    private record Bounds(long start, long end) {
    }

    private volatile Bounds bounds = new Bounds(Long.MAX_VALUE, Long.MAX_VALUE);

    /** Starts counting after {@code warmupNanos} from {@code now} and stops {@code durationNanos} later. */
    public void open(long now, long warmupNanos, long durationNanos) {
        bounds = new Bounds(now + warmupNanos, now + warmupNanos + durationNanos);
    }

    public boolean contains(long nanoTime) {
        Bounds b = bounds;
        return nanoTime >= b.start && nanoTime < b.end;
    }

    public long endNanos() {
        return bounds.end;
    }
}
