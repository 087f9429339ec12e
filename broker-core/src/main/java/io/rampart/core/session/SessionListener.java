package io.rampart.core.session;

import io.rampart.core.QueueLimits;
import io.rampart.core.message.Message;

/**
 * Callbacks from the core to the server for events that operators must see (metrics, event log). Called
 * on whatever thread caused the event; implementations must be cheap and thread-safe.
 */
public interface SessionListener {

    void messageDropped(String clientId, Message message, int qos, DropReason reason);

    void sessionExpired(String clientId);

    void willPublished(String clientId, Message will);

    /**
     * A session's queue reached its bound (the start of a slow-consumer episode; the next one starts after it drained
     * to half): {@code limits} say what it does now, {@code messages} and {@code bytes} what it holds.
     */
    default void slowConsumer(String clientId, QueueLimits limits, int messages, long bytes) {
    }

    /** A session ended (clean start, disconnect without expiry, expiry, administrator); its queue is gone. */
    default void sessionEnded(String clientId) {
    }

    SessionListener NONE = new SessionListener() {
        @Override
        public void messageDropped(String clientId, Message message, int qos, DropReason reason) {
        }

        @Override
        public void sessionExpired(String clientId) {
        }

        @Override
        public void willPublished(String clientId, Message will) {
        }
    };
}
