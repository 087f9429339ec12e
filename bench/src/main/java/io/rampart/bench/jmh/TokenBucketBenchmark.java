package io.rampart.bench.jmh;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.rampart.core.limit.TokenBucket;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What a PUBLISH pays for the publish rates of its client: one spend from a message bucket and one from a byte
 * bucket, with the rates configured but not reached (the common case), each reading the clock once as the
 * connection does. broker-core's {@link TokenBucket} (single-threaded: a connection's buckets live on its event
 * loop) against Bucket4j's local bucket with {@code consumeIgnoringRateLimits} (the same "spend into debt, tell me
 * the wait" semantics), unsynchronized ({@code NONE}, the fair comparison) and with its default lock-free strategy.
 * {@code clock} is the baseline: the {@link System#nanoTime()} read every variant includes. Run with {@code -prof gc}:
 * neither may allocate per message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenBucketBenchmark {

    /**
     * Bucket4j's highest rate (one token per nanosecond), with a burst far above what one thread spends in a run:
     * the limits are configured but never reached.
     */
    private static final long PER_SECOND = 1_000_000_000L;
    private static final long BURST = 1_000_000_000_000_000L;

    private TokenBucket ownMessages;
    private TokenBucket ownBytes;
    private Bucket bucket4jMessages;
    private Bucket bucket4jBytes;
    private Bucket bucket4jLockFreeMessages;
    private Bucket bucket4jLockFreeBytes;
    // Non-final, so the JIT cannot fold it.
    int packetBytes = 96;

    @Setup
    public void setUp() {
        long now = System.nanoTime();
        ownMessages = new TokenBucket(PER_SECOND, BURST, now);
        ownBytes = new TokenBucket(PER_SECOND, BURST, now);
        bucket4jMessages = bucket4j(SynchronizationStrategy.NONE);
        bucket4jBytes = bucket4j(SynchronizationStrategy.NONE);
        bucket4jLockFreeMessages = bucket4j(SynchronizationStrategy.LOCK_FREE);
        bucket4jLockFreeBytes = bucket4j(SynchronizationStrategy.LOCK_FREE);
    }

    private static Bucket bucket4j(SynchronizationStrategy strategy) {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(BURST).refillGreedy(PER_SECOND, Duration.ofSeconds(1)))
                .withNanosecondPrecision()
                .withSynchronizationStrategy(strategy)
                .build();
    }

    @Benchmark
    public long clock() {
        return System.nanoTime();
    }

    @Benchmark
    public long tokenBucket() {
        long now = System.nanoTime();
        return Math.max(ownMessages.spend(1, now), ownBytes.spend(packetBytes, now));
    }

    @Benchmark
    public long bucket4jUnsynchronized() {
        return Math.max(bucket4jMessages.consumeIgnoringRateLimits(1),
                bucket4jBytes.consumeIgnoringRateLimits(packetBytes));
    }

    @Benchmark
    public long bucket4jLockFree() {
        return Math.max(bucket4jLockFreeMessages.consumeIgnoringRateLimits(1),
                bucket4jLockFreeBytes.consumeIgnoringRateLimits(packetBytes));
    }
}
