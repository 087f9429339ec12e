package io.rampart.core.cluster;

import io.rampart.core.session.Outgoing;

import java.util.concurrent.CompletionStage;

/**
 * The journal of one session on this node: told about every change another node would need to carry the session on
 * after this node is gone. The session calls it while holding its own monitor, in the order the changes happen, so an
 * implementation must only record the change and write it later, never block or call back into the session from the
 * calling thread.
 */
public interface SessionLog {

    /** The session's own state changed: owner, expiry, will, subscriptions or whether a connection is bound. */
    void changed();

    /** A QoS 1/2 message was queued for the session. */
    void queued(Outgoing outgoing);

    /** A QoS 2 message was acknowledged with PUBREC: from now on it is released (PUBREL), never sent again. */
    void released(Outgoing outgoing);

    /** A QoS 1/2 message left the session: acknowledged, dropped or handed to another member of its share group. */
    void removed(Outgoing outgoing);

    /** The session ended: everything journaled for it goes. */
    void ended();

    /** The session left this node and another carries on with the journaled state: nothing more is written. */
    void movedAway();

    /** Completes once everything recorded so far is written. */
    CompletionStage<Void> flushed();
}
