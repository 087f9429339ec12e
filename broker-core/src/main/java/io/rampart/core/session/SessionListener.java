package io.rampart.core.session;

import io.rampart.core.message.Message;

/**
 * Callbacks from the core to the server for events that operators must see (metrics, event log). Called
 * on whatever thread caused the event; implementations must be cheap and thread-safe.
 */
public interface SessionListener {

    void messageDropped(String clientId, Message message, int qos, DropReason reason);

    void sessionExpired(String clientId);

    void willPublished(String clientId, Message will);

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
