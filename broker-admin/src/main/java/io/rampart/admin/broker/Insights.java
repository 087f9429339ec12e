package io.rampart.admin.broker;

import java.util.Objects;

/** What the broker records about its clients for operators: trace recordings, event histories, detections. */
public record Insights(TraceRecordings traces, ClientHistory history, DetectionLog detections) {

    public Insights {
        Objects.requireNonNull(traces, "traces");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(detections, "detections");
    }
}
