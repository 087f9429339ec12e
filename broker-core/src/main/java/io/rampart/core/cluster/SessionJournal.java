package io.rampart.core.cluster;

import io.rampart.core.session.Session;

/** Opens the journal of each session on this node; a single node keeps no journal. */
public interface SessionJournal {

    SessionJournal NONE = (session, restored) -> null;

    /**
     * The log of a session created or restored on this node, or {@code null} when nothing is journaled.
     *
     * @param restored whether the session came from another node (its journaled state exists already)
     */
    SessionLog open(Session session, boolean restored);
}
