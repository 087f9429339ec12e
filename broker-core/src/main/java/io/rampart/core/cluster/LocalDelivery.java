package io.rampart.core.cluster;

import io.rampart.core.message.Message;

/** Delivery of a message to the sessions of this node only: what the router does before any hand-off. */
public interface LocalDelivery {

    /**
     * Queues the message for this node's matching sessions. Retained messages are not stored here.
     *
     * @param picker decides which matching share groups this node serves; {@code null}: all of them
     * @return the number of sessions it was queued for
     */
    int deliverLocal(Message message, SharePicker picker);
}
