package io.rampart.server.security;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down addresses that keep failing authentication: after {@code threshold} failures, each further
 * attempt from that address waits {@code initialDelay × 2^(failures − threshold)} (capped) before it is
 * even evaluated. A success clears the address; failures are forgotten after {@code reset} without one.
 * The table is bounded: when it is full, the stalest entries are dropped. The methods that also take a user
 * name count failures per address and per user, so guessing one user's password from many addresses is slowed
 * down too.
 */
public final class BruteForceBrake {

    private static final int MAX_TRACKED = 100_000;

    private final boolean enabled;
    private final int threshold;
    private final long initialDelayMs;
    private final long maxDelayMs;
    private final long resetNanos;
    private final ConcurrentHashMap<Object, Failures> failures = new ConcurrentHashMap<>();

    public BruteForceBrake(boolean enabled, int threshold, long initialDelayMs, long maxDelayMs, long resetSeconds) {
        this.enabled = enabled;
        this.threshold = threshold;
        this.initialDelayMs = initialDelayMs;
        this.maxDelayMs = maxDelayMs;
        this.resetNanos = resetSeconds * 1_000_000_000L;
    }

    /** Milliseconds an attempt from {@code address} must wait before it is evaluated (0 = none). */
    public long delayMillis(InetAddress address) {
        return delayOf(address);
    }

    /** Milliseconds an attempt from {@code address} for {@code user} must wait: the longer of both delays. */
    public long delayMillis(InetAddress address, String user) {
        return Math.max(delayOf(address), delayOf(userKey(user)));
    }

    public void failure(InetAddress address, String user) {
        failure(address);
        failureOf(userKey(user));
    }

    public void success(InetAddress address, String user) {
        success(address);
        Object key = userKey(user);
        if (key != null) {
            failures.remove(key);
        }
    }

    /** Users are kept apart from addresses by their key type. */
    private static Object userKey(String user) {
        return user == null || user.isEmpty() ? null : new UserKey(user);
    }

    private record UserKey(String name) {
    }

    private long delayOf(Object address) {
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
        failureOf(address);
    }

    private void failureOf(Object address) {
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
