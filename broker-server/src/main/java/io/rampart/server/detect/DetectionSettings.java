package io.rampart.server.detect;

import java.util.EnumMap;
import java.util.Map;

/**
 * Security detections ({@code detections:}).
 *
 * @param enabled whether any rule runs
 * @param maxKeys keys (addresses, user names, client ids) each rule keeps state for; the least recently seen go
 *                first; 100..1 000 000
 * @param history detections kept for {@code GET /api/v1/detections}; 10..100 000
 * @param rules   every rule's settings (the defaults for rules the configuration leaves out)
 */
public record DetectionSettings(boolean enabled, int maxKeys, int history, Map<Rule, RuleSettings> rules) {

    public static final DetectionSettings DEFAULTS = new DetectionSettings(true, 10_000, 1000, Map.of());

    public DetectionSettings {
        if (maxKeys < 100 || maxKeys > 1_000_000) {
            throw new IllegalArgumentException("max-keys: must be between 100 and 1000000 (was " + maxKeys + ")");
        }
        if (history < 10 || history > 100_000) {
            throw new IllegalArgumentException("history: must be between 10 and 100000 (was " + history + ")");
        }
        EnumMap<Rule, RuleSettings> all = new EnumMap<>(Rule.class);
        for (Rule r : Rule.values()) {
            all.put(r, rules.getOrDefault(r, r.defaults()));
        }
        rules = Map.copyOf(all);
    }

    public RuleSettings rule(Rule rule) {
        return rules.get(rule);
    }

    /** Whether {@code rule} runs. */
    public boolean runs(Rule rule) {
        return enabled && rules.get(rule).enabled();
    }
}
