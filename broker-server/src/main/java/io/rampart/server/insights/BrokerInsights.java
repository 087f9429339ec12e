package io.rampart.server.insights;

import io.micrometer.core.instrument.Counter;
import io.rampart.admin.broker.ClientHistory;
import io.rampart.admin.broker.DetectionLog;
import io.rampart.admin.broker.Insights;
import io.rampart.admin.broker.TopicActivity;
import io.rampart.core.cluster.SharedState;
import io.rampart.core.topic.SubscriptionIndex;
import io.rampart.server.config.InsightsConfig;
import io.rampart.server.detect.Detector;
import io.rampart.server.detect.Rule;
import io.rampart.server.detect.SharedDetections;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.metrics.BrokerMetrics;
import io.rampart.server.observe.Observers;
import io.rampart.server.security.AccessLog;
import io.rampart.server.trace.TraceRecorder;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Builds what the broker records about its clients for operators: trace recordings (packet taps), client event
 * histories and security detections (observers of the event and access logs), topic insights (watchers of routed
 * PUBLISH messages), and hands them to the admin plane.
 * A part that is switched off is not built and observes nothing.
 */
public final class BrokerInsights implements AutoCloseable {

    /** Sets a temporary ban for a detection; the ban's id, or {@code null}. */
    @FunctionalInterface
    public interface Banner {
        String ban(String kind, String value, String reason, Duration duration);
    }

    private final TraceRecorder traces;
    private final ClientEventLog history;
    private final Detector detector;
    private final TopicInsights topics;
    private final Clock clock;
    private final int detectionHistory;
    private volatile Banner banner;
    /** The cluster's detections, on a node of a cluster once {@link #share} ran. */
    private volatile SharedDetections shared;

    /**
     * @param dataDir the broker's data directory (recordings go to its {@code traces/})
     */
    public BrokerInsights(InsightsConfig config, Path dataDir, Observers observers, BrokerEvents events,
                          BrokerMetrics metrics, ScheduledExecutorService timers, Clock clock,
                          SubscriptionIndex subscriptions) {
        this.clock = clock;
        this.detectionHistory = config.detections().history();
        this.traces = new TraceRecorder(config.traces(), dataDir.resolve("traces"), observers, timers, clock).open();
        this.history = config.insights().clientEvents().enabled()
                ? new ClientEventLog(config.insights().clientEvents(), clock, timers) : null;
        if (history != null) {
            events.addObserver(history);
        }
        if (config.detections().enabled()) {
            Map<Rule, Counter> counters = new EnumMap<>(Rule.class);
            for (Rule r : Rule.values()) {
                counters.put(r, Counter.builder("rampart.detections").tag("rule", r.id())
                        .description("security detections by rule").register(metrics.registry()));
            }
            this.detector = new Detector(config.detections(), clock, new Detector.Outcomes() {
                @Override
                public void detected(DetectionLog.Detection d) {
                    counters.get(Rule.byId(d.rule())).increment();
                    events.detection(d.rule(), d.keyKind(), d.key(), d.count(), d.window().toSeconds(), d.banId(),
                            d.summary());
                    SharedDetections s = shared;
                    if (s != null) {
                        s.raised(d);
                    }
                }

                @Override
                public String ban(String kind, String value, String reason, Duration duration) {
                    Banner b = banner;
                    return b == null ? null : b.ban(kind, value, reason, duration);
                }
            });
            events.addObserver(detector);
        } else {
            this.detector = null;
        }
        TopicSettings topicSettings = config.insights().topics();
        this.topics = topicSettings.enabled()
                ? new TopicInsights(topicSettings, subscriptions, metrics.registry(), clock) : null;
        Detector newTopics = detector != null && detector.watchesTopics() ? detector : null;
        if (topics != null || newTopics != null) {
            observers.watchPublishes(loop -> new ConnectionPublishes(topics == null ? null : topics.tally(loop),
                    newTopics));
        }
    }

    /** The security decisions are known: histories and detections watch them too. */
    public void watch(AccessLog accessLog) {
        if (history != null) {
            accessLog.addObserver(history);
        }
        if (detector != null) {
            accessLog.addObserver(detector);
        }
    }

    /** How detections set their temporary bans (the admin plane's ban list). */
    public void useBans(Banner banner) {
        this.banner = banner;
    }

    /**
     * On a node of a cluster: the detections raised here from now on (and those kept so far) are listed, and can be
     * acknowledged, on every node, and this node lists those of the others.
     */
    public void share(SharedState state) {
        if (detector == null) {
            return;
        }
        SharedDetections s = new SharedDetections(state.table("detections"), detectionHistory, clock,
                () -> state.nodeNames().size());
        List<DetectionLog.Detection> kept = detector.list(null, null);
        for (int i = kept.size() - 1; i >= 0; i--) {
            s.raised(kept.get(i));
        }
        shared = s;
    }

    /** The admin plane's view. */
    public Insights insights() {
        return new Insights(traces, history == null ? ClientHistory.NONE : history,
                detector == null ? DetectionLog.NONE : new Detections(),
                topics == null ? TopicActivity.NONE : topics);
    }

    /** This node's detections, or the cluster's once shared. */
    private final class Detections implements DetectionLog {

        @Override
        public List<Detection> list(String rule, Instant since) {
            SharedDetections s = shared;
            return s == null ? detector.list(rule, since) : s.list(rule, since);
        }

        @Override
        public Detection acknowledge(String id, String by, String note) {
            SharedDetections s = shared;
            if (s == null) {
                return detector.acknowledge(id, by, note);
            }
            detector.acknowledge(id, by, note);
            return s.acknowledge(id, by, note);
        }
    }

    @Override
    public void close() {
        traces.close();
        if (history != null) {
            history.close();
        }
        if (detector != null) {
            detector.close();
        }
        if (topics != null) {
            topics.close();
        }
    }
}
