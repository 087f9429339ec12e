package io.rampart.server.security;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down addresses that keep failing authentication: after {@code threshold} failures, each further
 * attempt from that address waits {@code initialDelay × 2^(failures − threshold)} (capped) before it is
 * even evaluated. A success clears the address; failures are forgotten after {@code reset} without one.
 * The table is bounded: when it is full, the stalest entries are dropped.
 */
public final class BruteForceBrake {

    private static final int MAX_TRACKED = 100_000;

    private final boolean enabled;
    private final int threshold;
    private final long initialDelayMs;
    private final long maxDelayMs;
    private final long resetNanos;
    private final ConcurrentHashMap<InetAddress, Failures> failures = new ConcurrentHashMap<>();

    public BruteForceBrake(boolean enabled, int threshold, long initialDelayMs, long maxDelayMs, long resetSeconds) {
        this.enabled = enabled;
        this.threshold = threshold;
        this.initialDelayMs = initialDelayMs;
        this.maxDelayMs = maxDelayMs;
        this.resetNanos = resetSeconds * 1_000_000_000L;
    }

    /** Milliseconds an attempt from {@code address} must wait before it is evaluated (0 = none). */
    public long delayMillis(InetAddress address) {
        if (!enabled || address == null) {
            return 0;
        }
        Failures f = failures.get(address);
        if (f == null) {
            return 0;
        }
        long now = System.nanoTime();
        synchronized (f) {
            if (now - f.lastFailure > resetNanos) {
                failures.remove(address, f);
                return 0;
            }
            int over = f.count - threshold;
            if (over < 0) {
                return 0;
            }
            long delay = initialDelayMs << Math.min(over, 20);
            return Math.min(delay, maxDelayMs);
        }
    }

    public void failure(InetAddress address) {
        if (!enabled || address == null) {
            return;
        }
        if (failures.size() >= MAX_TRACKED) {
            evictStale();
        }
        Failures f = failures.computeIfAbsent(address, a -> new Failures());
        long now = System.nanoTime();
        synchronized (f) {
            if (now - f.lastFailure > resetNanos) {
                f.count = 0;
            }
            f.count++;
            f.lastFailure = now;
        }
    }

    public void success(InetAddress address) {
        if (address != null) {
            failures.remove(address);
        }
    }

    public int trackedAddresses() {
        return failures.size();
    }

    private void evictStale() {
        long now = System.nanoTime();
        failures.entrySet().removeIf(e -> now - e.getValue().lastFailure > resetNanos);
        if (failures.size() >= MAX_TRACKED) {
            failures.clear();
        }
    }

    private static final class Failures {
        int count;
        long lastFailure = System.nanoTime();
    }
}
