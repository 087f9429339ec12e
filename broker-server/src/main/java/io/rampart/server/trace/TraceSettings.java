package io.rampart.server.trace;

import java.time.Duration;

/**
 * Bounds of trace recordings ({@code trace-recordings:}).
 *
 * @param maxActive       recordings running at once, 1..64
 * @param maxBytes        the most one recording may write, and what it may write when it names no size; 64 KB..1 GB
 * @param maxDuration     the longest a recording may run; 1 s..7 days
 * @param defaultDuration how long a recording runs when it names no duration; at most {@code maxDuration}
 * @param retention       how long a finished recording is kept on disk; 1 minute..365 days
 * @param maxStored       finished recordings kept on disk (the oldest go first); 1..1000
 */
public record TraceSettings(int maxActive, long maxBytes, Duration maxDuration, Duration defaultDuration,
                            Duration retention, int maxStored) {

    public static final TraceSettings DEFAULTS = new TraceSettings(4, 16L << 20, Duration.ofHours(1),
            Duration.ofMinutes(10), Duration.ofDays(7), 20);

    public TraceSettings {
        if (maxActive < 1 || maxActive > 64) {
            throw new IllegalArgumentException("max-active: must be between 1 and 64 (was " + maxActive + ")");
        }
        if (maxBytes < 64 * 1024 || maxBytes > 1L << 30) {
            throw new IllegalArgumentException("max-bytes: must be between 64KB and 1GB (was " + maxBytes + ")");
        }
        if (maxDuration.compareTo(Duration.ofSeconds(1)) < 0 || maxDuration.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("max-duration: must be between 1s and 7d (was " + maxDuration + ")");
        }
        if (defaultDuration.compareTo(Duration.ofSeconds(1)) < 0 || defaultDuration.compareTo(maxDuration) > 0) {
            throw new IllegalArgumentException("default-duration: must be between 1s and max-duration (was "
                    + defaultDuration + ")");
        }
        if (retention.compareTo(Duration.ofMinutes(1)) < 0 || retention.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException("retention: must be between 1m and 365d (was " + retention + ")");
        }
        if (maxStored < 1 || maxStored > 1000) {
            throw new IllegalArgumentException("max-stored: must be between 1 and 1000 (was " + maxStored + ")");
        }
    }
}
