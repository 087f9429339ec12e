package io.rampart.server.observe;

import io.rampart.core.message.Message;

/**
 * Sees every message a client published and every message written to a client, on the connection's event loop.
 * Implementations run on the message path: they must not block, should not allocate per call, and hand anything
 * expensive to a thread of their own. Registered through {@link Observers#addMessageObserver}.
 */
public interface MessageObserver {

    /** {@code clientId}'s PUBLISH of {@code message} passed its checks and was routed. */
    void published(String clientId, Message message);

    /** {@code message} was written to {@code clientId} (a delivery, not yet acknowledged). */
    void delivered(String clientId, Message message);
}
