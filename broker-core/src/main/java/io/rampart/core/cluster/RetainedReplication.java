package io.rampart.core.cluster;

import io.rampart.core.message.Message;

/** Tells the cluster about retained messages set or cleared on this node, so every node holds them. */
public interface RetainedReplication {

    RetainedReplication NONE = message -> { };

    /**
     * A retained message was stored on this node (an empty payload clears the topic). Called on the thread that
     * stored it; must not block.
     */
    void retainedChanged(Message message);
}
