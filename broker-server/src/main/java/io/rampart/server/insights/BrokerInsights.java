package io.rampart.server.insights;

import io.micrometer.core.instrument.Counter;
import io.rampart.admin.broker.ClientHistory;
import io.rampart.admin.broker.DetectionLog;
import io.rampart.admin.broker.Insights;
import io.rampart.admin.broker.TopicActivity;
import io.rampart.core.topic.SubscriptionIndex;
import io.rampart.server.config.InsightsConfig;
import io.rampart.server.detect.Detector;
import io.rampart.server.detect.Rule;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.metrics.BrokerMetrics;
import io.rampart.server.observe.Observers;
import io.rampart.server.security.AccessLog;
import io.rampart.server.trace.TraceRecorder;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
    private volatile Banner banner;

    /**
     * @param dataDir the broker's data directory (recordings go to its {@code traces/})
     */
    public BrokerInsights(InsightsConfig config, Path dataDir, Observers observers, BrokerEvents events,
                          BrokerMetrics metrics, ScheduledExecutorService timers, Clock clock,
                          SubscriptionIndex subscriptions) {
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

    /** The admin plane's view. */
    public Insights insights() {
        return new Insights(traces, history == null ? ClientHistory.NONE : history,
                detector == null ? DetectionLog.NONE : detector, topics == null ? TopicActivity.NONE : topics);
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
