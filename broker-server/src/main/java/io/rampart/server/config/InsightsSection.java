package io.rampart.server.config;

import io.rampart.admin.config.Durations;
import io.rampart.server.detect.DetectionSettings;
import io.rampart.server.detect.Rule;
import io.rampart.server.detect.RuleSettings;
import io.rampart.server.insights.InsightSettings;
import io.rampart.server.insights.TopicSettings;
import io.rampart.server.trace.TraceSettings;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Maps the top-level {@code trace-recordings:}, {@code insights:} and {@code detections:} sections. */
final class InsightsSection {

    static final List<String> TRACE_KEYS = List.of("max-active", "max-bytes", "max-duration", "default-duration",
            "retention", "max-stored");
    static final List<String> INSIGHTS_KEYS = List.of("client-events", "topics");
    static final List<String> CLIENT_EVENTS_KEYS = List.of("enabled", "per-client", "memory", "offline-retention");
    static final List<String> TOPICS_KEYS = List.of("enabled", "sketch-size", "levels", "interval", "window", "top");
    static final List<String> DETECTIONS_KEYS = detectionKeys();

    private InsightsSection() {
    }

    private static List<String> detectionKeys() {
        List<String> keys = new java.util.ArrayList<>(List.of("enabled", "max-keys", "history"));
        for (Rule r : Rule.values()) {
            keys.add(r.id());
        }
        return List.copyOf(keys);
    }

    static InsightsConfig read(ConfigNode root) throws ConfigException {
        return new InsightsConfig(traces(root.get("trace-recordings")), insights(root.get("insights")),
                detections(root.get("detections")));
    }

    private static TraceSettings traces(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return TraceSettings.DEFAULTS;
        }
        node.requireKeys(TRACE_KEYS);
        TraceSettings d = TraceSettings.DEFAULTS;
        try {
            return new TraceSettings(node.get("max-active").intValue(d.maxActive()),
                    node.get("max-bytes").sizeValue((int) d.maxBytes()),
                    duration(node.get("max-duration"), d.maxDuration()),
                    duration(node.get("default-duration"), d.defaultDuration()),
                    duration(node.get("retention"), d.retention()),
                    node.get("max-stored").intValue(d.maxStored()));
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    private static InsightSettings insights(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return InsightSettings.DEFAULTS;
        }
        node.requireKeys(INSIGHTS_KEYS);
        return new InsightSettings(clientEvents(node.get("client-events")), topics(node.get("topics")));
    }

    private static TopicSettings topics(ConfigNode node) throws ConfigException {
        TopicSettings d = TopicSettings.DEFAULTS;
        if (node.isAbsentOrNull()) {
            return d;
        }
        node.requireKeys(TOPICS_KEYS);
        try {
            return new TopicSettings(node.get("enabled").booleanValue(d.enabled()),
                    node.get("sketch-size").intValue(d.sketchSize()), node.get("levels").intValue(d.levels()),
                    duration(node.get("interval"), d.interval()), duration(node.get("window"), d.window()),
                    node.get("top").intValue(d.top()));
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    private static InsightSettings.ClientEvents clientEvents(ConfigNode node) throws ConfigException {
        InsightSettings.ClientEvents d = InsightSettings.ClientEvents.DEFAULTS;
        if (node.isAbsentOrNull()) {
            return d;
        }
        node.requireKeys(CLIENT_EVENTS_KEYS);
        try {
            return new InsightSettings.ClientEvents(node.get("enabled").booleanValue(d.enabled()),
                    node.get("per-client").intValue(d.perClient()),
                    node.get("memory").sizeValue((int) d.memory()),
                    duration(node.get("offline-retention"), d.offlineRetention()));
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    private static DetectionSettings detections(ConfigNode node) throws ConfigException {
        DetectionSettings d = DetectionSettings.DEFAULTS;
        if (node.isAbsentOrNull()) {
            return d;
        }
        node.requireKeys(DETECTIONS_KEYS);
        Map<Rule, RuleSettings> rules = new EnumMap<>(Rule.class);
        for (Rule r : Rule.values()) {
            ConfigNode rn = node.get(r.id());
            if (!rn.isAbsentOrNull()) {
                rules.put(r, rule(r, rn));
            }
        }
        try {
            return new DetectionSettings(node.get("enabled").booleanValue(d.enabled()),
                    node.get("max-keys").intValue(d.maxKeys()), node.get("history").intValue(d.history()), rules);
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    private static RuleSettings rule(Rule r, ConfigNode node) throws ConfigException {
        node.requireKeys(r.configKeys());
        RuleSettings d = r.defaults();
        String remembered = r.rememberedKey();
        if (remembered != null && node.get(remembered).intValue(d.remembered()) < 1) {
            throw node.get(remembered).error("must be between 1 and 10000 (was "
                    + node.get(remembered).intValue(d.remembered()) + ")");
        }
        try {
            return new RuleSettings(node.get("enabled").booleanValue(d.enabled()),
                    node.get("threshold").intValue(d.threshold()), duration(node.get("window"), d.window()),
                    ban(node.get("ban")), node.get("ipv4-prefix").intValue(d.ipv4Prefix()),
                    node.get("ipv6-prefix").intValue(d.ipv6Prefix()),
                    remembered == null ? d.remembered() : node.get(remembered).intValue(d.remembered()));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (remembered != null && message.startsWith("remembered: ")) {
                throw node.get(remembered).error(message.substring("remembered: ".length()));
            }
            throw node.invalid(e);
        }
    }

    /** A ban duration; absent, {@code none} or {@code 0}: no ban. */
    private static Duration ban(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull() || "none".equals(node.text().strip())) {
            return null;
        }
        Duration d = duration(node, null);
        return d == null || d.isZero() ? null : d;
    }

    private static Duration duration(ConfigNode node, Duration defaultValue) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return defaultValue;
        }
        try {
            return Durations.parse(node.text());
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }
}
