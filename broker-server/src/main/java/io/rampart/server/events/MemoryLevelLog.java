package io.rampart.server.events;

import io.rampart.core.memory.MemoryBudget;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The memory budget's level changes as {@code memory-budget} event lines: the first at once, then at most one per
 * {@value #INTERVAL_SECONDS} seconds, so that a level going back and forth (a publisher held, released, held again)
 * cannot flood the log. A change inside the interval is reported at its end with the level then and the number of
 * changes since the previous line.
 */
public final class MemoryLevelLog implements MemoryBudget.LevelWatcher {

    static final long INTERVAL_SECONDS = 10;
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(INTERVAL_SECONDS);

    private final BrokerEvents events;
    private final MemoryBudget budget;
    private final ScheduledExecutorService timers;
    private long nextLine = System.nanoTime();
    private int loggedLevel = MemoryBudget.NORMAL;
    private int changes;
    private boolean pending;

    private MemoryLevelLog(BrokerEvents events, MemoryBudget budget, ScheduledExecutorService timers) {
        this.events = events;
        this.budget = budget;
        this.timers = timers;
    }

    /** Reports {@code budget}'s level changes through {@code events}, deferred lines on {@code timers}. */
    public static void watch(MemoryBudget budget, BrokerEvents events, ScheduledExecutorService timers) {
        budget.watch(new MemoryLevelLog(events, budget, timers));
    }

    @Override
    public synchronized void levelChanged(int level, long used, long limit) {
        changes++;
        long now = System.nanoTime();
        if (now - nextLine >= 0) {
            write(level, used, limit, now);
        } else if (!pending) {
            pending = true;
            timers.schedule(this::deferred, nextLine - now, TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void deferred() {
        pending = false;
        int level = budget.level();
        if (changes > 0 && level != loggedLevel) {
            write(level, budget.used(), budget.limit(), System.nanoTime());
        } else {
            changes = 0;
        }
    }

    private void write(int level, long used, long limit, long now) {
        events.memoryLevel(level, used, limit, changes);
        loggedLevel = level;
        changes = 0;
        nextLine = now + INTERVAL_NANOS;
    }
}
