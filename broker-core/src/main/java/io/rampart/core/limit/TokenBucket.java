package io.rampart.core.limit;

/**
 * A token bucket: {@code perSecond} tokens return each second, up to {@code burst}. Spending may go into debt
 * ({@link #spend}): the caller learns how long until the debt is paid and holds the client back that long, so
 * the long-run rate holds exactly whatever the size of single spends (a 1 MB message against 64 KB/s waits 16 s).
 *
 * <p>Not thread-safe: one owner (a connection's event loop), or the caller synchronizes. Times are
 * {@link System#nanoTime()} values passed in, so a caller reads the clock once for several buckets.
 */
public final class TokenBucket {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long updated;

    /** A full bucket. */
    public TokenBucket(double perSecond, double burst, long nowNanos) {
        if (!(perSecond > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("rate must be above 0 and burst at least 1");
        }
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.updated = nowNanos;
    }

    /**
     * Spends {@code amount} tokens, going into debt when there are fewer.
     *
     * @return nanoseconds until the bucket is out of debt again, 0 when it is not in debt
     */
    public long spend(double amount, long nowNanos) {
        refill(nowNanos);
        tokens -= amount;
        return tokens >= 0 ? 0 : nanosFor(-tokens);
    }

    /** Nanoseconds until {@code amount} tokens are there (0: now), without spending them. */
    public long waitFor(double amount, long nowNanos) {
        refill(nowNanos);
        return tokens >= amount ? 0 : nanosFor(amount - tokens);
    }

    /** Spends {@code amount} tokens if they are there; otherwise spends nothing. */
    public boolean trySpend(double amount, long nowNanos) {
        refill(nowNanos);
        if (tokens < amount) {
            return false;
        }
        tokens -= amount;
        return true;
    }

    /** Whether the bucket is full (nothing spent that has not returned). */
    public boolean isFull(long nowNanos) {
        refill(nowNanos);
        return tokens >= burst;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - updated;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perNano);
            updated = nowNanos;
        }
    }

    private long nanosFor(double missing) {
        return Math.max(1, (long) Math.ceil(missing / perNano));
    }
}
