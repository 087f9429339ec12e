package io.rampart.server.config;

import io.rampart.core.ClientIdOwnership;
import io.rampart.core.MqttLimits;
import io.rampart.core.QueueOverflowPolicy;

import java.util.List;

/** Maps the {@code mqtt:} section onto {@link MqttLimits}; every key is optional and defaults to {@link MqttLimits#DEFAULTS}. */
final class MqttSection {

    /** In the order of MqttLimits' components. */
    static final List<String> KEYS = List.of(
            "max-packet-size", "max-client-id-length", "max-topic-length", "max-topic-levels", "receive-maximum",
            "max-keep-alive", "allow-zero-keep-alive", "topic-alias-maximum", "max-qos", "retain-available",
            "wildcard-subscriptions", "shared-subscriptions", "max-queued-messages", "queue-overflow",
            "queue-qos0-offline", "max-session-expiry", "max-message-expiry", "connect-timeout",
            "max-connect-packet-size", "max-subscriptions-per-client", "client-id-ownership", "max-queued-bytes");

    private MqttSection() {
    }

    static MqttLimits read(ConfigNode mqtt) throws ConfigException {
        MqttLimits d = MqttLimits.DEFAULTS;
        if (mqtt.isAbsentOrNull()) {
            return d;
        }
        mqtt.requireKeys(KEYS);
        MqttLimits limits;
        try {
            limits = new MqttLimits(
                    mqtt.get("max-packet-size").sizeValue(d.maxPacketSize()),
                    mqtt.get("max-client-id-length").intValue(d.maxClientIdLength()),
                    mqtt.get("max-topic-length").intValue(d.maxTopicLength()),
                    mqtt.get("max-topic-levels").intValue(d.maxTopicLevels()),
                    mqtt.get("receive-maximum").intValue(d.receiveMaximum()),
                    mqtt.get("max-keep-alive").intValue(d.maxKeepAliveSeconds()),
                    mqtt.get("allow-zero-keep-alive").booleanValue(d.allowZeroKeepAlive()),
                    mqtt.get("topic-alias-maximum").intValue(d.topicAliasMaximum()),
                    mqtt.get("max-qos").intValue(d.maxQos()),
                    mqtt.get("retain-available").booleanValue(d.retainAvailable()),
                    mqtt.get("wildcard-subscriptions").booleanValue(d.wildcardSubscriptions()),
                    mqtt.get("shared-subscriptions").booleanValue(d.sharedSubscriptions()),
                    mqtt.get("max-queued-messages").intValue(d.maxQueuedMessages()),
                    mqtt.get("queue-overflow").enumValue(QueueOverflowPolicy.class, d.queueOverflow()),
                    mqtt.get("queue-qos0-offline").booleanValue(d.queueQos0Offline()),
                    mqtt.get("max-session-expiry").longValue(d.maxSessionExpirySeconds()),
                    mqtt.get("max-message-expiry").longValue(d.maxMessageExpirySeconds()),
                    mqtt.get("connect-timeout").intValue(d.connectTimeoutSeconds()),
                    mqtt.get("max-connect-packet-size").sizeValue(d.maxConnectPacketSize()),
                    mqtt.get("max-subscriptions-per-client").intValue(d.maxSubscriptionsPerClient()),
                    mqtt.get("client-id-ownership").enumValue(ClientIdOwnership.class, d.clientIdOwnership()),
                    mqtt.get("max-queued-bytes").longSizeValue(d.maxQueuedBytes()));
        } catch (IllegalArgumentException e) {
            throw mqtt.invalid(e);
        }
        return limits;
    }
}
