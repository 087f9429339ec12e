package io.rampart.admin.live;

import io.rampart.admin.auth.AdminPrincipal;
import io.rampart.admin.http.EventStream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The Control Center's live views as Server-Sent Events streams: the metrics sample (taken once per tick however
 * many browsers watch), the access-log tail and client changes (both filtered for each watcher by its filters and
 * its grants' scopes as they happen, queued with a bound, and sent once per tick). A tick runs every second on
 * the admin plane's timer; with no stream open it does nothing, and the broker skips the feed's calls.
 *
 * <p>A stream ends when its browser session ends (checked every tick), when its credential expires, and after
 * {@link #MAX_DURATION} in any case: the browser reconnects and is authenticated and authorized afresh.
 */
public final class LiveHub implements LiveFeed, AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(LiveHub.class);
    /** Streams open at once, all callers together. */
    public static final int MAX_STREAMS = 256;
    /** Streams open at once per caller (name and realm). */
    public static final int MAX_STREAMS_PER_CALLER = 16;
    /** Access-log lines kept per stream between two ticks; more are counted and reported as skipped. */
    public static final int ACCESS_QUEUE = 1000;
    /** Client ids named in one change event; more are only counted. */
    public static final int CLIENT_IDS_PER_EVENT = 100;
    public static final Duration MAX_DURATION = Duration.ofMinutes(10);
    private static final long TICK_MILLIS = 1000;
    private static final int PING_TICKS = 15;

    private final Supplier<String> sample;
    private final Clock clock;
    private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> task;
    private volatile boolean accessWatched;
    private volatile boolean clientsWatched;
    private long ticks;

    /** @param sample the metrics sample as one line of JSON, taken once per tick while someone watches */
    public LiveHub(Supplier<String> sample, ScheduledExecutorService timer, Clock clock) {
        this.sample = sample;
        this.clock = clock;
        this.task = timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Without a timer: the caller ticks (tests). */
    LiveHub(Supplier<String> sample, Clock clock) {
        this.sample = sample;
        this.clock = clock;
        this.task = null;
    }

    /** Whether {@code caller} may open one more stream (else the API answers 429). */
    public boolean admits(AdminPrincipal caller) {
        if (watchers.size() >= MAX_STREAMS) {
            return false;
        }
        long mine = watchers.stream().filter(w -> w.caller.name().equals(caller.name())
                && java.util.Objects.equals(w.caller.realm(), caller.realm())).count();
        return mine < MAX_STREAMS_PER_CALLER;
    }

    /** The metrics sample every {@code intervalSeconds}. */
    public EventStream metrics(AdminPrincipal caller, BooleanSupplier alive, int intervalSeconds) {
        return new MetricsWatcher(caller, alive, intervalSeconds);
    }

    /**
     * The access-log tail.
     *
     * @param view a line as this caller may see it (its filters, its scopes, addresses only with the right to
     *             see them), or {@code null} to skip the line
     */
    public EventStream access(AdminPrincipal caller, BooleanSupplier alive, Function<AccessDecision, Object> view) {
        return new AccessWatcher(caller, alive, view);
    }

    /** Client changes this caller may see ({@code visible} by client id). */
    public EventStream clients(AdminPrincipal caller, BooleanSupplier alive, Predicate<String> visible) {
        return new ClientsWatcher(caller, alive, visible);
    }

    @Override
    public boolean wantsAccess() {
        return accessWatched;
    }

    @Override
    public void access(AccessDecision decision) {
        for (Watcher w : watchers) {
            if (w instanceof AccessWatcher a) {
                a.offer(decision);
            }
        }
    }

    @Override
    public boolean wantsClientChanges() {
        return clientsWatched;
    }

    @Override
    public void clientChanged(String clientId, boolean connected) {
        for (Watcher w : watchers) {
            if (w instanceof ClientsWatcher c) {
                c.offer(clientId, connected);
            }
        }
    }

    /** Streams open now (tests, metrics). */
    public int openStreams() {
        return watchers.size();
    }

    /** Sends what is due to every stream; runs once a second. */
    void tick() {
        if (watchers.isEmpty()) {
            return;
        }
        try {
            ticks++;
            Instant now = clock.instant();
            String metrics = null;
            for (Watcher w : watchers) {
                if (!w.sink.isOpen()) {
                    continue;
                }
                if (!w.alive.getAsBoolean()) {
                    w.sink.send("end", "{\"reason\":\"the session or credential has ended\"}");
                    w.sink.close();
                    continue;
                }
                if (now.isAfter(w.opened.plus(MAX_DURATION))) {
                    w.sink.close();
                    continue;
                }
                if (w instanceof MetricsWatcher m && m.due()) {
                    if (metrics == null) {
                        metrics = sample.get();
                    }
                    w.sink.send("metrics", metrics);
                } else if (w instanceof AccessWatcher a) {
                    a.drain();
                } else if (w instanceof ClientsWatcher c) {
                    c.drain();
                }
                if (ticks % PING_TICKS == 0) {
                    w.sink.comment("ping");
                }
            }
        } catch (RuntimeException e) {
            LOG.error("live views: a tick failed; the streams go on", e);
        }
    }

    private void changed() {
        boolean access = false;
        boolean clients = false;
        for (Watcher w : watchers) {
            access |= w instanceof AccessWatcher;
            clients |= w instanceof ClientsWatcher;
        }
        accessWatched = access;
        clientsWatched = clients;
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
        for (Watcher w : watchers) {
            if (w.sink != null) {
                w.sink.close();
            }
        }
        watchers.clear();
        changed();
    }

    /** One open stream. */
    private abstract class Watcher implements EventStream {
        final AdminPrincipal caller;
        final BooleanSupplier alive;
        final Instant opened = clock.instant();
        volatile Sink sink;

        Watcher(AdminPrincipal caller, BooleanSupplier alive) {
            this.caller = caller;
            this.alive = alive;
        }

        @Override
        public void open(Sink s) {
            this.sink = s;
            watchers.add(this);
            changed();
            opened();
        }

        void opened() {
        }

        @Override
        public void closed() {
            watchers.remove(this);
            changed();
        }
    }

    private final class MetricsWatcher extends Watcher {
        private final int interval;
        private long count;

        MetricsWatcher(AdminPrincipal caller, BooleanSupplier alive, int intervalSeconds) {
            super(caller, alive);
            this.interval = intervalSeconds;
        }

        @Override
        void opened() {
            sink.send("metrics", sample.get());
        }

        boolean due() {
            return ++count % interval == 0;
        }
    }

    private final class AccessWatcher extends Watcher {
        private final Function<AccessDecision, Object> view;
        private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger queued = new AtomicInteger();
        private final AtomicLong skipped = new AtomicLong();

        AccessWatcher(AdminPrincipal caller, BooleanSupplier alive, Function<AccessDecision, Object> view) {
            super(caller, alive);
            this.view = view;
        }

        void offer(AccessDecision decision) {
            Object line = view.apply(decision);
            if (line == null) {
                return;
            }
            if (queued.incrementAndGet() > ACCESS_QUEUE) {
                queued.decrementAndGet();
                skipped.incrementAndGet();
                return;
            }
            queue.add(line);
        }

        void drain() {
            Object line;
            while ((line = queue.poll()) != null) {
                queued.decrementAndGet();
                if (!sink.send("access", Lines.json(line))) {
                    skipped.incrementAndGet();
                }
            }
            long n = skipped.getAndSet(0);
            if (n > 0 && !sink.send("dropped", "{\"count\":" + n + "}")) {
                skipped.addAndGet(n);
            }
        }
    }

    private final class ClientsWatcher extends Watcher {
        private final Predicate<String> visible;
        private final Set<String> ids = new LinkedHashSet<>();
        private long connected;
        private long disconnected;

        ClientsWatcher(AdminPrincipal caller, BooleanSupplier alive, Predicate<String> visible) {
            super(caller, alive);
            this.visible = visible;
        }

        void offer(String clientId, boolean up) {
            if (!visible.test(clientId)) {
                return;
            }
            synchronized (this) {
                if (up) {
                    connected++;
                } else {
                    disconnected++;
                }
                if (ids.size() < CLIENT_IDS_PER_EVENT) {
                    ids.add(clientId);
                }
            }
        }

        void drain() {
            List<String> named;
            long up;
            long down;
            synchronized (this) {
                if (connected == 0 && disconnected == 0) {
                    return;
                }
                named = new ArrayList<>(ids);
                up = connected;
                down = disconnected;
                ids.clear();
                connected = 0;
                disconnected = 0;
            }
            sink.send("clients", Lines.json(Map.of("connected", up, "disconnected", down, "clientIds", named)));
        }
    }
}
