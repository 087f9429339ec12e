package io.rampart.server.insights;

import io.rampart.server.detect.Detector;
import io.rampart.server.detect.RecentTopics;
import io.rampart.server.observe.PublishWatch;
import io.rampart.server.security.AccessLog;

/**
 * What one connection's routed PUBLISH messages feed, on its event loop: its loop's topic counts, and the detector's
 * new-topics rule (only topics the connection did not publish to lately are handed over).
 */
final class ConnectionPublishes implements PublishWatch {

    /** {@code null} when topic insights are off. */
    private final LoopTally tally;
    /** {@code null} when the new-topics rule does not run. */
    private final Detector detector;
    /** Allocated at the first PUBLISH of a client with a user name. */
    private RecentTopics recent;

    ConnectionPublishes(LoopTally tally, Detector detector) {
        this.tally = tally;
        this.detector = detector;
    }

    @Override
    public void routed(AccessLog.Subject subject, String topic, int bytes, int receivers) {
        if (tally != null) {
            tally.published(topic, bytes, receivers);
        }
        if (detector != null && subject.username() != null) {
            if (recent == null) {
                recent = new RecentTopics();
            }
            if (recent.firstLately(topic)) {
                detector.publishedTo(subject.username(), topic, subject.remote());
            }
        }
    }
}
