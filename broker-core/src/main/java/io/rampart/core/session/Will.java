package io.rampart.core.session;

import io.rampart.core.message.Message;

/**
 * A will message and its delay. The message's expiry (if any) starts when it is published, so the
 * interval in seconds is kept separately from the message.
 */
public record Will(String topic, int qos, boolean retain, byte[] payload,
                   io.rampart.core.message.MessageProperties properties, long messageExpirySeconds,
                   long delaySeconds) {

    public Message toMessage(String publisherId) {
        return Message.of(topic, qos, retain, payload, properties, publisherId, messageExpirySeconds);
    }
}
