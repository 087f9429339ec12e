package io.rampart.core.topic;

import java.util.Objects;

/**
 * One client's subscription to a topic filter, with its MQTT 5 options.
 *
 * @param clientId          the subscribing session
 * @param filter            the topic filter without any {@code $share/group/} prefix
 * @param shareGroup        share group name for shared subscriptions, {@code null} otherwise
 * @param qos               maximum QoS granted
 * @param noLocal           do not deliver messages published by the same client
 * @param retainAsPublished keep the RETAIN flag of forwarded messages
 * @param retainHandling    0 send retained on subscribe, 1 only if new, 2 never
 * @param subscriptionId    MQTT 5 subscription identifier, 0 when none
 */
public record Subscription(String clientId, String filter, String shareGroup, int qos, boolean noLocal,
                           boolean retainAsPublished, int retainHandling, int subscriptionId) {

    public Subscription {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(filter, "filter");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2: " + qos);
        }
        if (retainHandling < 0 || retainHandling > 2) {
            throw new IllegalArgumentException("retain handling must be 0, 1 or 2: " + retainHandling);
        }
    }

    public boolean isShared() {
        return shareGroup != null;
    }

    /** The filter as the client wrote it, including a {@code $share/group/} prefix. */
    public String fullFilter() {
        return shareGroup == null ? filter : "$share/" + shareGroup + "/" + filter;
    }
}
