package io.rampart.bench.load;

import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One latency histogram (nanoseconds, 3 significant digits, up to 60 s) per event loop. Handlers on the same
 * loop share it without synchronisation; {@link #merged()} must only be called after the loops terminated.
 */
final class LatencyRecorders {

    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Map<EventExecutor, Histogram> byExecutor = new ConcurrentHashMap<>();

    Histogram forExecutor(EventExecutor executor) {
        return byExecutor.computeIfAbsent(executor, e -> new Histogram(MAX_NANOS, 3));
    }

    static long clamp(long nanos) {
        return nanos < 0 ? 0 : Math.min(nanos, MAX_NANOS);
    }

    Histogram merged() {
        Histogram total = new Histogram(MAX_NANOS, 3);
        byExecutor.values().forEach(total::add);
        return total;
    }
}
