package io.rampart.server.observe;

import io.rampart.server.security.AccessLog;

/**
 * Sees each PUBLISH one connection routed (topic insights, the new-topics detection), on that connection's event
 * loop: it must be cheap and never block. One per connection; {@code null} when nothing watches.
 */
@FunctionalInterface
public interface PublishWatch {

    /**
     * An authorized PUBLISH was routed.
     *
     * @param bytes     its payload size
     * @param receivers the sessions it was routed to (and, in a cluster, the other nodes it was handed to)
     */
    void routed(AccessLog.Subject subject, String topic, int bytes, int receivers);
}
