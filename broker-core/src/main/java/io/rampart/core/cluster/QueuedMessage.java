package io.rampart.core.cluster;

import io.rampart.core.message.Message;

import java.util.Objects;

/**
 * A message of a session's queue or inflight window, as it moves between nodes.
 *
 * @param seq             the session's sequence number of the message (its packet identifier derives from it)
 * @param message         the application message
 * @param qos             QoS of this delivery
 * @param retain          the RETAIN flag of this delivery
 * @param subscriptionIds subscription identifiers sent with it
 * @param shareGroup      the share group it was chosen for, or {@code null}
 * @param shareFilter     that group's filter, or {@code null}
 * @param stage           how far its delivery got
 */
public record QueuedMessage(long seq, Message message, int qos, boolean retain, int[] subscriptionIds,
                            String shareGroup, String shareFilter, Stage stage) {

    /** How far a delivery got. */
    public enum Stage {
        /** Not sent yet. */
        QUEUED,
        /** Sent and not acknowledged: resent with DUP. */
        SENT,
        /** QoS 2 acknowledged with PUBREC: PUBREL is what is (re)sent. */
        RELEASING
    }

    public QueuedMessage {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(stage, "stage");
        subscriptionIds = subscriptionIds == null ? new int[0] : subscriptionIds;
    }
}
