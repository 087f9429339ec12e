package io.rampart.core.cluster;

import java.time.Instant;
import java.util.Map;

/**
 * A table of small entries that every node of a cluster holds a copy of: a change made on one node is on every node
 * once the call returns, and each node's {@link Listener} hears of the changes the other nodes made. An entry with an
 * expiry disappears from every node at that instant. Writes may wait for the other nodes: call them off event loops.
 */
public interface SharedTable {

    /** Sets {@code key}; {@code expiresAt} {@code null} keeps it until it is removed. */
    void put(String key, byte[] value, Instant expiresAt);

    /** Removes {@code key} (nothing when absent). */
    void remove(String key);

    /** The value of {@code key} on this node, or {@code null}. Reads no other node. */
    byte[] get(String key);

    /** Every entry, as this node holds them. */
    Map<String, byte[]> entries();

    /** Hears of the changes other nodes make (not this node's own); one listener per table. */
    void listen(Listener listener);

    /** A change another node made. */
    @FunctionalInterface
    interface Listener {

        /** {@code key} now has {@code value}; {@code null} when it was removed or expired. */
        void changed(String key, byte[] value);
    }
}
