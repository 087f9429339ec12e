package io.rampart.core.cluster;

import io.rampart.core.message.Message;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Routing of a message published on this node: delivery to this node's sessions and hand-off to the other nodes
 * whose sessions subscribed to it. The single-node implementation only delivers locally.
 */
public interface RemoteRouting {

    /** One node: local delivery, nothing else. */
    RemoteRouting NONE = (message, handoff, local) -> local.deliverLocal(message, null);

    /**
     * Routes {@code message}: delivers it through {@code local} and forwards it to every other node with matching
     * subscriptions.
     *
     * @param handoff for a QoS 1/2 message of a client: receives the stage that completes once the message is safely
     *                with every node that must deliver it (and with the replicas of the sessions it was queued for),
     *                and completes exceptionally when that cannot be ensured; not called when nothing has to be waited
     *                for. {@code null} when nobody waits (QoS 0, wills, messages of the broker itself).
     * @return sessions on this node plus other nodes the message was handed to
     */
    int route(Message message, Consumer<CompletionStage<Void>> handoff, LocalDelivery local);
}
