package io.rampart.server.insights;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.rampart.admin.broker.TopicActivity;
import io.rampart.core.topic.FilterCount;
import io.rampart.core.topic.SubscriptionIndex;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Topic insights ({@code insights.topics}): each event loop counts the PUBLISH messages it routes in sketches of its
 * own ({@link LoopTally}); once per {@code interval} the insights thread collects them, keeps the last
 * {@code window} of intervals, merges them into the view the admin API reads, counts the subscribers of the busiest
 * filters, and updates the top-N gauges. Memory stays bounded whatever the number of topics: every sketch follows at
 * most {@code sketch-size} keys, and there are (event loops + intervals in the window + 1) sets of them.
 */
public final class TopicInsights implements TopicActivity, AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(TopicInsights.class);
    /** The most topics, levels and filters a view lists. */
    public static final int MAX_LIMIT = 100;

    private final TopicSettings settings;
    private final SubscriptionIndex subscriptions;
    private final Clock clock;
    private final Map<EventExecutor, LoopTally> tallies = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<TopicCounts> collected = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService worker;
    private final Gauges gauges;
    /** Insights thread only: the counts of each recent interval, oldest first, and how long each lasted. */
    private final ArrayDeque<Interval> intervals = new ArrayDeque<>();
    private long lastTick = System.nanoTime();
    private volatile Snapshot snapshot;

    public TopicInsights(TopicSettings settings, SubscriptionIndex subscriptions, MeterRegistry registry, Clock clock) {
        this.settings = settings;
        this.subscriptions = subscriptions;
        this.clock = clock;
        this.gauges = registry == null ? null : new Gauges(registry);
        this.snapshot = new Snapshot(null, 0, new TopicCounts(settings), List.of());
        this.worker = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("rampart-topic-insights",
                true));
        long every = settings.interval().toMillis();
        worker.scheduleAtFixedRate(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    /** The counts of the event loop {@code loop}: call on that loop only, and count only there. */
    LoopTally tally(EventExecutor loop) {
        return tallies.computeIfAbsent(loop, l -> new LoopTally(l, settings));
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public View view(Order by, int limit) {
        Snapshot s = snapshot;
        double seconds = s.nanos / 1e9;
        return new View(s.updated, Duration.ofNanos(s.nanos), settings.levels(), s.counts.topics(by, limit, seconds),
                s.counts.levels(by, limit, seconds), s.filters.subList(0, Math.min(limit, s.filters.size())));
    }

    /** Insights thread: one interval ended. */
    private void tick() {
        try {
            long now = System.nanoTime();
            TopicCounts interval = new TopicCounts(settings);
            for (TopicCounts c; (c = collected.poll()) != null; ) {
                interval.merge(c);
            }
            intervals.addLast(new Interval(interval, now - lastTick));
            lastTick = now;
            while (intervals.size() > settings.intervals()) {
                intervals.pollFirst();
            }
            TopicCounts window = new TopicCounts(settings);
            long nanos = 0;
            for (Interval i : intervals) {
                window.merge(i.counts);
                nanos += i.nanos;
            }
            List<FilterCount> filters = subscriptions.topFilters(MAX_LIMIT);
            Snapshot s = new Snapshot(clock.instant(), nanos, window, filters);
            snapshot = s;
            if (gauges != null) {
                gauges.update(s, settings.top());
            }
            // What the loops count from now on is merged at the next tick.
            tallies.values().removeIf(t -> !t.collect(collected::add));
        } catch (RuntimeException e) {
            LOG.warn("topic insights could not be updated: {}", e.toString());
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    /** The counts the view is made of, and the stretch of time they cover. */
    private record Snapshot(Instant updated, long nanos, TopicCounts counts, List<FilterCount> filters) {
    }

    private record Interval(TopicCounts counts, long nanos) {
    }

    /** The top-N gauges: a topic that leaves the top N loses its series. */
    private static final class Gauges {
        private final MultiGauge[] topics = new MultiGauge[Order.values().length];
        private final MultiGauge[] levels = new MultiGauge[Order.values().length];
        private final MultiGauge filters;

        Gauges(MeterRegistry registry) {
            for (Order o : Order.values()) {
                String what = o.id().replace('-', '.');
                topics[o.ordinal()] = MultiGauge.builder("rampart.topic." + what + ".per.second")
                        .description("The busiest topics' " + o.id().replace('-', ' ') + " per second (top N by it)")
                        .register(registry);
                levels[o.ordinal()] = MultiGauge.builder("rampart.topic.level." + what + ".per.second")
                        .description("The busiest topic levels' " + o.id().replace('-', ' ')
                                + " per second (top N by it)")
                        .register(registry);
            }
            filters = MultiGauge.builder("rampart.topic.filter.subscribers")
                    .description("Sessions subscribed to the topic filters with the most subscribers (top N)")
                    .register(registry);
        }

        void update(Snapshot s, int top) {
            double seconds = s.nanos / 1e9;
            for (Order o : Order.values()) {
                topics[o.ordinal()].register(rows("topic", s.counts.topics(o, top, seconds), o), true);
                levels[o.ordinal()].register(rows("level", s.counts.levels(o, top, seconds), o), true);
            }
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (FilterCount f : s.filters.subList(0, Math.min(top, s.filters.size()))) {
                rows.add(MultiGauge.Row.of(Tags.of("filter", f.filter()), f.total()));
            }
            filters.register(rows, true);
        }

        private static List<MultiGauge.Row<?>> rows(String tag, List<Rate> rates, Order o) {
            List<MultiGauge.Row<?>> rows = new ArrayList<>(rates.size());
            for (Rate r : rates) {
                double v = switch (o) {
                    case MESSAGES_IN -> r.messagesInPerSecond();
                    case BYTES_IN -> r.bytesInPerSecond();
                    case MESSAGES_OUT -> r.messagesOutPerSecond();
                    case BYTES_OUT -> r.bytesOutPerSecond();
                };
                rows.add(MultiGauge.Row.of(Tags.of(tag, r.name()), v));
            }
            return rows;
        }
    }
}
