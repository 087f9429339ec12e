package io.rampart.server.config;

import io.rampart.core.QueueLimits;
import io.rampart.core.QueueOverflowPolicy;

/**
 * A listener's own slow-consumer policy: the bounds of the session queues of its clients and what a full queue does,
 * each overriding the broker's {@code mqtt:} value when set.
 *
 * @param maxMessages messages a session queue holds, 0 = the broker's {@code mqtt.max-queued-messages}
 * @param maxBytes    bytes a session queue holds (0 = no bound of its own), -1 = the broker's
 *                    {@code mqtt.max-queued-bytes}
 * @param overflow    what a full queue does with one more message, {@code null} = the broker's
 *                    {@code mqtt.queue-overflow}
 */
public record ListenerQueue(int maxMessages, long maxBytes, QueueOverflowPolicy overflow) {

    /** Nothing set: the listener's clients get the broker's policy. */
    public static final ListenerQueue NONE = new ListenerQueue(0, -1, null);

    public ListenerQueue {
        if (maxMessages < 0) {
            throw new IllegalArgumentException("max-queued-messages: must be at least 1 (was " + maxMessages + ")");
        }
        if (maxBytes < -1) {
            throw new IllegalArgumentException("max-queued-bytes: must be 0 (no bound) or more (was " + maxBytes + ")");
        }
    }

    /** Whether nothing is set. */
    public boolean isNone() {
        return equals(NONE);
    }

    /** The policy in force on the listener: what it sets, the rest from {@code broker}. */
    public QueueLimits over(QueueLimits broker) {
        if (isNone()) {
            return broker;
        }
        return new QueueLimits(maxMessages == 0 ? broker.maxMessages() : maxMessages,
                maxBytes == -1 ? broker.maxBytes() : maxBytes, overflow == null ? broker.overflow() : overflow);
    }
}
