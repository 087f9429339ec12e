package io.rampart.cluster.session;

import io.rampart.cluster.grid.SessionKeys;
import io.rampart.core.memory.MemoryBudget;

import java.util.Map;
import java.util.function.Predicate;

/**
 * Counts the copies this node keeps of other nodes' journaled sessions (records and queued QoS 1/2 messages,
 * {@code replication}) in its memory budget: a sweep sums an estimate of the bytes of every entry of the sessions cache
 * stored here whose session does not live on this node, and takes the difference to the last sweep from the budget (or
 * gives it back). The copies are taken beyond the budget if need be (they must not be dropped), so a node full of
 * other nodes' copies applies back-pressure and refuses new QoS 1/2 messages as it does for its own.
 */
public final class ReplicaAccounting {

    /** What an entry costs beyond its key and value (the grid's entry, its metadata, the map slot). */
    static final int ENTRY_OVERHEAD = 96;

    private final MemoryBudget budget;
    private final Predicate<String> livesHere;
    private long counted;

    /** @param livesHere whether the session of a client id lives on this node (its own queue is counted already) */
    public ReplicaAccounting(MemoryBudget budget, Predicate<String> livesHere) {
        this.budget = budget;
        this.livesHere = livesHere;
    }

    /** Counts {@code stored}, the entries of the sessions cache this node holds; the bytes counted now. */
    public synchronized long sweep(Iterable<Map.Entry<String, Object>> stored) {
        long total = 0;
        for (Map.Entry<String, Object> e : stored) {
            if (!livesHere.test(SessionKeys.clientId(e.getKey()))) {
                total += estimate(e.getKey(), e.getValue());
            }
        }
        long delta = total - counted;
        if (delta > 0) {
            budget.reserve(delta);
        } else if (delta < 0) {
            budget.release(-delta);
        }
        counted = total;
        return total;
    }

    /** The bytes counted at the last sweep. */
    public synchronized long counted() {
        return counted;
    }

    /** Gives everything counted back (the node leaves the cluster). */
    public synchronized void close() {
        budget.release(counted);
        counted = 0;
    }

    static long estimate(String key, Object value) {
        long size = ENTRY_OVERHEAD + 2L * key.length();
        if (value instanceof byte[] b) {
            return size + b.length;
        }
        if (value instanceof String s) {
            return size + 2L * s.length();
        }
        return size + 64;
    }
}
