package io.rampart.core.memory;

import io.rampart.core.message.Message;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * One budget for the message bytes that every session queue and in-flight window holds, shared by all sessions.
 * Queues take a delivery's bytes ({@link #tryTake}) before they hold it and give them back ({@link #give}) when it
 * leaves (sent at QoS 0, acknowledged, dropped, expired, or the session ended): its {@link Footprint#ENVELOPE}, and the
 * message's {@link Footprint#shared shared bytes} while any queue holds it. A reservation beyond the budget fails, so
 * what the queues hold never grows past it. As usage rises the budget reports a {@link #level()}: from the back-pressure mark the
 * publishers that feed the fullest queues are no longer read, from the QoS 0 mark slow consumers lose their QoS 0
 * messages. Callers waiting for room ({@link #whenRoom}) are woken once usage is back under nine tenths of the
 * back-pressure mark.
 *
 * <p>Thread-safe. So that the reservation of each message does not contend on one shared counter, each thread keeps
 * a small credit taken from the budget in chunks (at most two chunks per thread are reserved but unused); the shared
 * counter, and so {@link #used()}, moves once per chunk.
 */
public final class MemoryBudget {

    /** Usage under the back-pressure mark. */
    public static final int NORMAL = 0;
    /** Usage at or above the back-pressure mark: publishers feeding the fullest queues are held back. */
    public static final int BACK_PRESSURE = 1;
    /** Usage at or above the QoS 0 mark: slow consumers' QoS 0 messages are dropped as well. */
    public static final int SHED_QOS0 = 2;

    /** The largest per-thread credit chunk. */
    private static final long MAX_CHUNK = 64 * 1024;
    /** A queue never counts among the fullest below this share of the budget (1/64) or 64 KB, whichever is less. */
    private static final long MAX_FULLEST_FLOOR = 64 * 1024;

    private final BudgetSettings settings;
    private final long limit;
    private final long backPressureAt;
    private final long shedAt;
    private final long notReadyAt;
    private final long resumeBelow;
    private final long fullestFloor;
    private final long chunk;
    private final AtomicLong reserved = new AtomicLong();
    private final ThreadLocal<Credit> credits = ThreadLocal.withInitial(Credit::new);
    private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private final long shedUntil;
    private volatile int level = NORMAL;
    private volatile IntSupplier holders = () -> 1;
    private volatile LevelWatcher watcher = (level, used, limit) -> { };

    /** A budget whose threads take credit in chunks of 1/256 of the budget, at most 64 KB. */
    public MemoryBudget(BudgetSettings settings) {
        this(settings, Math.min(MAX_CHUNK, settings.limitBytes() / 256));
    }

    /**
     * @param chunkBytes the per-thread credit chunk; 0 = every reservation goes to the shared counter, which then is
     *                   exact (tests)
     */
    public MemoryBudget(BudgetSettings settings, long chunkBytes) {
        this.settings = settings;
        this.limit = settings.limitBytes();
        this.backPressureAt = mark(settings.backPressurePercent());
        this.shedAt = mark(settings.shedQos0Percent());
        this.notReadyAt = mark(settings.notReadyPercent());
        this.resumeBelow = backPressureAt / 10 * 9;
        this.shedUntil = shedAt / 10 * 9;
        this.fullestFloor = Math.min(MAX_FULLEST_FLOOR, limit / 64);
        this.chunk = Math.max(0, chunkBytes);
    }

    private long mark(int percent) {
        return percent == 100 ? limit : limit / 100 * percent;
    }

    public BudgetSettings settings() {
        return settings;
    }

    /** The budget in bytes. */
    public long limit() {
        return limit;
    }

    /** Bytes reserved now (what the queues hold plus the threads' unused credit). */
    public long used() {
        return reserved.get();
    }

    /** {@link #NORMAL}, {@link #BACK_PRESSURE} or {@link #SHED_QOS0}. */
    public int level() {
        return level;
    }

    /** Whether usage is at or above the back-pressure mark (one volatile read). */
    public boolean isShort() {
        return level != NORMAL;
    }

    /** Whether usage is at or above the mark from which readiness answers 503. */
    public boolean isAboveReadinessMark() {
        return reserved.get() >= notReadyAt;
    }

    /** The usage from which readiness answers 503, bytes. */
    public long readinessMark() {
        return notReadyAt;
    }

    /** Who hears of level changes (operators' event line); called on the thread that changed the usage. */
    public void watch(LevelWatcher levelWatcher) {
        this.watcher = levelWatcher;
    }

    /** Where the number of queues that share the budget comes from (for the fair share of {@link #isFullest}). */
    public void sharedBy(IntSupplier queues) {
        this.holders = queues;
    }

    /**
     * Whether a queue holding {@code bytes} is among the fullest: it holds more than its fair share of what is in use
     * (usage divided by the number of queues) and more than a small floor.
     */
    public boolean isFullest(long bytes) {
        if (bytes < fullestFloor) {
            return false;
        }
        return bytes >= reserved.get() / Math.max(1, holders.getAsInt());
    }

    /**
     * Takes the bytes of {@code deliveries} new deliveries of {@code message}: their envelopes, and the message's shared
     * bytes when no queue holds it yet. {@code false}, and nothing taken, when they do not fit.
     */
    public boolean tryTake(Message message, int deliveries) {
        int before = message.addDeliveries(deliveries);
        if (tryReserve(bytes(message, deliveries, before))) {
            return true;
        }
        int left = message.addDeliveries(-deliveries) - deliveries;
        if (before == 0 && left > 0) {
            // Another queue took the message meanwhile, counting on the shared bytes this call meant to take.
            reserve(Footprint.shared(message));
        }
        return false;
    }

    /** {@link #tryTake} even beyond the budget (see {@link #reserve}). */
    public void take(Message message, int deliveries) {
        int before = message.addDeliveries(deliveries);
        reserve(bytes(message, deliveries, before));
    }

    /** One delivery of {@code message} left its queue: its envelope, and the shared bytes with the last one, return. */
    public void give(Message message) {
        int before = message.addDeliveries(-1);
        release(Footprint.ENVELOPE + (before == 1 ? Footprint.shared(message) : 0));
    }

    private static long bytes(Message message, int deliveries, int before) {
        return (long) deliveries * Footprint.ENVELOPE + (before == 0 ? Footprint.shared(message) : 0);
    }

    /** Takes {@code bytes} from the budget; {@code false}, and nothing taken, when they do not fit. */
    public boolean tryReserve(long bytes) {
        if (chunk == 0) {
            return take(bytes, bytes) >= 0;
        }
        Credit c = credits.get();
        if (c.bytes >= bytes) {
            c.bytes -= bytes;
            return true;
        }
        long need = bytes - c.bytes;
        long got = take(need, need + chunk);
        if (got < 0) {
            return false;
        }
        c.bytes += got - bytes;
        return true;
    }

    /**
     * Takes {@code bytes} even beyond the budget: for messages that must not be lost, such as a shared subscription's
     * messages moving to another member (given back just before) or a will.
     */
    public void reserve(long bytes) {
        if (chunk != 0) {
            Credit c = credits.get();
            if (c.bytes >= bytes) {
                c.bytes -= bytes;
                return;
            }
            bytes -= c.bytes;
            c.bytes = 0;
        }
        changed(reserved.addAndGet(bytes));
    }

    /** Gives back {@code bytes} taken before. */
    public void release(long bytes) {
        if (bytes <= 0) {
            return;
        }
        long give = bytes;
        if (chunk != 0) {
            Credit c = credits.get();
            c.bytes += bytes;
            if (c.bytes <= 2 * chunk) {
                return;
            }
            give = c.bytes - chunk;
            c.bytes = chunk;
        }
        long now = reserved.addAndGet(-give);
        changed(now);
        if (now < resumeBelow && !waiting.isEmpty()) {
            wakeAll();
        }
    }

    /**
     * Runs {@code wake} once usage is under nine tenths of the back-pressure mark: at once if it is now, else on the
     * thread whose release brings it there. {@code wake} must be cheap and must not block (hand the work to an
     * executor).
     */
    public void whenRoom(Runnable wake) {
        waiting.add(wake);
        if (reserved.get() < resumeBelow) {
            wakeAll();
        }
    }

    /** Withdraws a {@code wake} registered with {@link #whenRoom} (its connection closed). */
    public void forget(Runnable wake) {
        waiting.remove(wake);
    }

    private void wakeAll() {
        Runnable r;
        while ((r = waiting.poll()) != null) {
            r.run();
        }
    }

    /** Takes {@code preferred} bytes, or at least {@code min} when that is all that fits; -1 when not even that fits. */
    private long take(long min, long preferred) {
        while (true) {
            long current = reserved.get();
            long amount = current + preferred <= limit ? preferred : current + min <= limit ? min : -1;
            if (amount < 0) {
                return -1;
            }
            if (reserved.compareAndSet(current, current + amount)) {
                changed(current + amount);
                return amount;
            }
        }
    }

    /** The level for usage {@code now}; each level lasts until usage is under nine tenths of its mark. */
    private void changed(long now) {
        int current = level;
        int l = now >= shedAt || (current == SHED_QOS0 && now >= shedUntil) ? SHED_QOS0
                : now >= backPressureAt || (current != NORMAL && now >= resumeBelow) ? BACK_PRESSURE
                : NORMAL;
        if (l != current) {
            level = l;
            watcher.levelChanged(l, now, limit);
        }
    }

    /** Hears of the budget's level changes. */
    @FunctionalInterface
    public interface LevelWatcher {
        /**
         * @param level {@link #NORMAL}, {@link #BACK_PRESSURE} or {@link #SHED_QOS0}
         * @param used  bytes reserved when it changed
         * @param limit the budget
         */
        void levelChanged(int level, long used, long limit);
    }

    /** A thread's reserved but unused bytes. */
    private static final class Credit {
        long bytes;
    }
}
