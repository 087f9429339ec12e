package io.rampart.cluster;

/** What the cluster tells the broker for its event log and for the clients of a node cut off from the others. */
public interface ClusterEvents {

    ClusterEvents NONE = new ClusterEvents() {
    };

    /** Node {@code node} joined the cluster. */
    default void joined(String node) {
    }

    /** Node {@code node} left: on purpose ({@code gracefully}) or it stopped answering. */
    default void left(String node, boolean gracefully) {
    }

    /** Node {@code node} stopped answering heartbeats and is being verified. */
    default void suspected(String node) {
    }

    /**
     * This node now sees fewer than half of the nodes the cluster had: it refuses new connections and must close its
     * clients' connections.
     */
    default void minorityEntered(int members, int expected) {
    }

    /** This node sees at least half of the cluster again. */
    default void minorityLeft(int members, int expected) {
    }

    /** A partition healed: the sides merged into one view of {@code members} nodes. */
    default void merged(int members) {
    }
}
