package io.rampart.server.config;

import io.rampart.server.detect.DetectionSettings;
import io.rampart.server.insights.InsightSettings;
import io.rampart.server.trace.TraceSettings;

import java.util.Objects;

/**
 * What the broker records about its clients for operators: trace recordings ({@code trace-recordings:}), client
 * event histories ({@code insights:}) and security detections ({@code detections:}).
 */
public record InsightsConfig(TraceSettings traces, InsightSettings insights, DetectionSettings detections) {

    public static final InsightsConfig DEFAULTS = new InsightsConfig(TraceSettings.DEFAULTS, InsightSettings.DEFAULTS,
            DetectionSettings.DEFAULTS);

    public InsightsConfig {
        Objects.requireNonNull(traces, "traces");
        Objects.requireNonNull(insights, "insights");
        Objects.requireNonNull(detections, "detections");
    }
}
