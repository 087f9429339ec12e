package io.rampart.core.cluster;

import io.rampart.core.topic.SharedGroup;

/**
 * Decides, for one message being routed, which node serves each matching share group, so a message reaches one
 * member of a group across the whole cluster.
 */
public interface SharePicker {

    /** Whether this node delivers the message to one of its members of {@code group} (matched on this node). */
    boolean servesLocally(SharedGroup group);
}
