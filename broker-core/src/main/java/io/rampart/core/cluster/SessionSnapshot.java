package io.rampart.core.cluster;

import io.rampart.core.session.SessionOwner;
import io.rampart.core.session.Will;
import io.rampart.core.topic.Subscription;

import java.util.List;
import java.util.Objects;

/**
 * Everything of a session that another node needs to carry it on.
 *
 * @param clientId              the client id
 * @param expiryIntervalSeconds the session expiry interval in force
 * @param owner                 the identity the session belongs to, {@code null}: anonymous
 * @param will                  the pending will, or {@code null}
 * @param subscriptions         its subscriptions
 * @param messages              queued and inflight messages in sequence order
 * @param inboundQos2           packet ids of QoS 2 PUBLISHes from the client awaiting PUBREL
 * @param nextSeq               the sequence number the next queued message gets
 * @param connected             whether a connection was bound to it
 * @param disconnectedAtMillis  when the last connection went (epoch milliseconds), 0 while connected
 */
public record SessionSnapshot(String clientId, long expiryIntervalSeconds, SessionOwner owner, Will will,
                              List<Subscription> subscriptions, List<QueuedMessage> messages,
                              List<Integer> inboundQos2, long nextSeq, boolean connected, long disconnectedAtMillis) {

    public SessionSnapshot {
        Objects.requireNonNull(clientId, "clientId");
        subscriptions = List.copyOf(subscriptions);
        messages = List.copyOf(messages);
        inboundQos2 = List.copyOf(inboundQos2);
    }
}
