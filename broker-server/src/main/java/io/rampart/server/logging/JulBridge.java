package io.rampart.server.logging;

import org.apache.logging.log4j.jul.Log4jBridgeHandler;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sends what libraries log through {@code java.util.logging} (the OpenTelemetry SDK and its OTLP exporters, for
 * one) to Log4j2, into the broker's application log, instead of the JDK's default console handler on standard
 * error. Installed when a broker starts, so the fat JAR, the container and embedded brokers all get it; the
 * levels of the Log4j2 configuration are copied onto the JUL loggers, so a disabled level costs JUL nothing.
 *
 * <p>A library that repeats itself (an exporter whose endpoint is down, a span queue that overflows on every
 * export) must not flood the log: each JUL logger passes {@value #BURST} records at once, then one a minute; the
 * next record that passes says how many were left out.
 */
public final class JulBridge extends Log4jBridgeHandler {

    static final int BURST = 5;
    static final long REFILL_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** By JUL logger name: a bounded set in practice, the names of library classes. */
    private final ConcurrentHashMap<String, Budget> budgets = new ConcurrentHashMap<>();

    JulBridge() {
        super(false, null, true);
    }

    /**
     * Replaces the JUL root logger's handlers with the bridge. When it is already there (another broker in this
     * JVM), it stays, and what it counted so far is forgotten: a broker that starts begins with a full budget.
     */
    public static void install() {
        Logger root = LogManager.getLogManager().getLogger("");
        for (Handler handler : root.getHandlers()) {
            if (handler instanceof JulBridge bridge) {
                bridge.budgets.clear();
                return;
            }
        }
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        root.addHandler(new JulBridge());
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null) {
            return;
        }
        String name = record.getLoggerName() == null ? "" : record.getLoggerName();
        long left = budgets.computeIfAbsent(name, n -> new Budget()).take(System.nanoTime());
        if (left < 0) {
            return;
        }
        if (left > 0 && record.getMessage() != null) {
            record.setMessage(record.getMessage() + " (" + left + " similar message(s) of this logger left out)");
        }
        super.publish(record);
    }

    /** A token bucket of {@value #BURST} records, one more a minute, counting what it refused. */
    static final class Budget {
        private long tokens = BURST;
        private long refilledAt;
        private long refused;
        private boolean started;

        /** -1 when the record is left out, else the count of records left out since the last one that passed. */
        synchronized long take(long now) {
            if (!started) {
                started = true;
                refilledAt = now;
            }
            long earned = (now - refilledAt) / REFILL_NANOS;
            if (earned > 0) {
                tokens = Math.min(BURST, tokens + earned);
                refilledAt += earned * REFILL_NANOS;
            }
            if (tokens == 0) {
                refused++;
                return -1;
            }
            tokens--;
            long left = refused;
            refused = 0;
            return left;
        }
    }
}
