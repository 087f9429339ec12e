package io.rampart.core.memory;

/**
 * The memory budget for queued and in-flight message bytes, and the marks at which the broker acts as it fills.
 * Validated on construction: an impossible value is rejected with the offending key named.
 *
 * @param limitBytes        the budget: bytes of messages all session queues and in-flight windows may hold together
 * @param backPressurePercent usage (percent of the budget) from which the publishers that feed the fullest queues are
 *                          no longer read; they are read again once usage is under nine tenths of this mark
 * @param shedQos0Percent   usage from which QoS 0 messages for slow consumers are dropped
 * @param notReadyPercent   usage from which readiness answers 503, so that a load balancer sends new clients elsewhere
 */
public record BudgetSettings(long limitBytes, int backPressurePercent, int shedQos0Percent, int notReadyPercent) {

    /** The default budget, as a share of the maximum heap. */
    public static final int DEFAULT_HEAP_PERCENT = 25;
    public static final int DEFAULT_BACK_PRESSURE_PERCENT = 60;
    public static final int DEFAULT_SHED_QOS0_PERCENT = 80;
    public static final int DEFAULT_NOT_READY_PERCENT = 80;
    /** The smallest budget accepted: below it a handful of messages would fill it. */
    public static final long MIN_LIMIT_BYTES = 64 * 1024;

    public BudgetSettings {
        if (limitBytes < MIN_LIMIT_BYTES) {
            throw new IllegalArgumentException("budget: must be at least 64KB (was " + limitBytes + " bytes)");
        }
        percent("back-pressure-at", backPressurePercent);
        percent("shed-qos0-at", shedQos0Percent);
        percent("not-ready-at", notReadyPercent);
        if (shedQos0Percent < backPressurePercent) {
            throw new IllegalArgumentException("shed-qos0-at: must not be below back-pressure-at ("
                    + shedQos0Percent + "% < " + backPressurePercent + "%)");
        }
    }

    /** The default budget: {@value #DEFAULT_HEAP_PERCENT} % of {@code maxHeapBytes}, default marks. */
    public static BudgetSettings ofHeap(long maxHeapBytes) {
        return ofHeap(maxHeapBytes, DEFAULT_HEAP_PERCENT);
    }

    /** {@code percent} of {@code maxHeapBytes} (at least {@link #MIN_LIMIT_BYTES}), default marks. */
    public static BudgetSettings ofHeap(long maxHeapBytes, int percent) {
        return new BudgetSettings(Math.max(MIN_LIMIT_BYTES, maxHeapBytes / 100 * percent),
                DEFAULT_BACK_PRESSURE_PERCENT, DEFAULT_SHED_QOS0_PERCENT, DEFAULT_NOT_READY_PERCENT);
    }

    /** The same marks with another budget. */
    public BudgetSettings withLimit(long bytes) {
        return new BudgetSettings(bytes, backPressurePercent, shedQos0Percent, notReadyPercent);
    }

    private static void percent(String key, int value) {
        if (value < 1 || value > 100) {
            throw new IllegalArgumentException(key + ": must be between 1% and 100% (was " + value + "%)");
        }
    }
}
