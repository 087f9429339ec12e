package io.rampart.server.protocol;

import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;

/**
 * A PUBLISH ready for the wire: the shared {@link Message} plus this receiver's header fields (and its own
 * application properties when they differ from the message's: a forwarded trace context). Sizes are
 * computed once so the connection can check the receiver's maximum packet size before writing.
 */
public final class OutboundPublish {

    final Message message;
    final MessageProperties properties;
    final int qos;
    final boolean dup;
    final boolean retain;
    final int packetId;
    final String topic;          // empty when only the alias is sent
    final int topicAlias;        // 0 = none
    final int[] subscriptionIds;
    final long expirySeconds;    // -1 = none
    final boolean v5;
    final int topicBytes;
    final int propertiesLength;
    final int remainingLength;

    OutboundPublish(Message message, int qos, boolean dup, boolean retain, int packetId, String topic, int topicAlias,
                    int[] subscriptionIds, long expirySeconds, boolean v5) {
        this(message, message.properties(), qos, dup, retain, packetId, topic, topicAlias, subscriptionIds,
                expirySeconds, v5);
    }

    OutboundPublish(Message message, MessageProperties properties, int qos, boolean dup, boolean retain, int packetId,
                    String topic, int topicAlias, int[] subscriptionIds, long expirySeconds, boolean v5) {
        this.message = message;
        this.properties = properties;
        this.qos = qos;
        this.dup = dup;
        this.retain = retain;
        this.packetId = packetId;
        this.topic = topic;
        this.topicAlias = topicAlias;
        this.subscriptionIds = subscriptionIds;
        this.expirySeconds = expirySeconds;
        this.v5 = v5;
        this.topicBytes = PublishEncoder.utf8Length(topic);
        this.propertiesLength = v5 ? PublishEncoder.propertiesLength(this) : 0;
        int remaining = 2 + topicBytes + (qos > 0 ? 2 : 0) + message.payload().length;
        if (v5) {
            remaining += PublishEncoder.varIntSize(propertiesLength) + propertiesLength;
        }
        this.remainingLength = remaining;
    }

    /** Size of the whole packet on the wire. */
    long packetSize() {
        return 1L + PublishEncoder.varIntSize(remainingLength) + remainingLength;
    }

    /** The QoS it is sent at (packet metrics). */
    public int qos() {
        return qos;
    }
}
