package io.rampart.admin.broker;

import java.util.Objects;

/**
 * What the broker records about its clients for operators: trace recordings, event histories, detections, topic
 * activity.
 */
public record Insights(TraceRecordings traces, ClientHistory history, DetectionLog detections, TopicActivity topics) {

    public Insights {
        Objects.requireNonNull(traces, "traces");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(detections, "detections");
        Objects.requireNonNull(topics, "topics");
    }
}
