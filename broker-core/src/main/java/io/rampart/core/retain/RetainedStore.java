package io.rampart.core.retain;

import io.rampart.core.cluster.RetainedReplication;
import io.rampart.core.message.Message;
import io.rampart.core.topic.Topics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Retained messages, one per topic name, in a trie keyed by topic level.
 *
 * <p>{@link #match} walks only the branches a filter can match, so {@code "a/b/+"} costs the children of
 * {@code a/b}, not a scan of every retained message; a trailing {@code #} walks that subtree. Reads are
 * lock-free; writers lock only the nodes they change. Expired messages are dropped lazily when a match or
 * {@link #get} meets them.
 *
 * <p>In a cluster every node holds every retained message: what is stored here through {@link #put} is told to the
 * cluster's {@link RetainedReplication}, and what other nodes stored arrives through {@link #applyReplica}.
 */
public final class RetainedStore {

    private final RetainNode root = new RetainNode("", null);
    private final AtomicInteger size = new AtomicInteger();
    private final RetainedReplication replication;

    public RetainedStore() {
        this(RetainedReplication.NONE);
    }

    public RetainedStore(RetainedReplication replication) {
        this.replication = replication;
    }

    /** Stores or replaces the retained message for {@code message.topic()}; an empty payload removes it. */
    public void put(Message message) {
        store(message);
        replication.retainedChanged(message);
    }

    /** As {@link #put}, for a retained message another node of the cluster stored (not told to the cluster again). */
    public void applyReplica(Message message) {
        store(message);
    }

    private void store(Message message) {
        String[] levels = Topics.levels(message.topic());
        if (message.payload().length == 0) {
            RetainNode node = find(levels);
            if (node != null) {
                removeIf(node, null);
            }
            return;
        }
        while (true) {
            RetainNode node = nodeForWrite(levels);
            if (node == null) {
                continue;
            }
            synchronized (node) {
                if (node.removed) {
                    continue;
                }
                if (node.message == null) {
                    size.incrementAndGet();
                }
                node.message = message;
                return;
            }
        }
    }

    /** The retained message for exactly this topic name, or null (also when it has expired). */
    public Message get(String topic) {
        RetainNode node = find(Topics.levels(topic));
        if (node == null) {
            return null;
        }
        Message m = node.message;
        if (m != null && m.isExpired(System.nanoTime())) {
            removeIf(node, m);
            return null;
        }
        return m;
    }

    /**
     * Visits every retained message whose topic matches a non-shared filter (wildcards allowed), removing the
     * expired ones it meets instead of visiting them.
     */
    public void match(String filter, Consumer<Message> visitor) {
        if (filter.isEmpty()) {
            return;
        }
        match(root, Topics.levels(filter), 0, System.nanoTime(), visitor);
    }

    public int size() {
        return size.get();
    }

    /** {@code node} matched filter levels[0..i-1]. */
    private void match(RetainNode node, String[] levels, int i, long now, Consumer<Message> visitor) {
        if (i == levels.length) {
            deliver(node, now, visitor);
            return;
        }
        String level = levels[i];
        boolean multi = level.equals("#");
        if (!multi && !level.equals("+")) {
            RetainNode child = node.child(level);
            if (child != null) {
                match(child, levels, i + 1, now, visitor);
            }
            return;
        }
        if (multi && i > 0) {
            deliver(node, now, visitor); // "a/#" also matches "a"
        }
        ConcurrentHashMap<String, RetainNode> children = node.children;
        if (children == null) {
            return;
        }
        for (RetainNode child : children.values()) {
            if (i == 0 && child.level.startsWith("$")) {
                continue; // wildcards in the first level do not reach $-topics
            }
            if (multi) {
                deliverSubtree(child, now, visitor);
            } else {
                match(child, levels, i + 1, now, visitor);
            }
        }
    }

    private void deliverSubtree(RetainNode node, long now, Consumer<Message> visitor) {
        deliver(node, now, visitor);
        ConcurrentHashMap<String, RetainNode> children = node.children;
        if (children != null) {
            for (RetainNode child : children.values()) {
                deliverSubtree(child, now, visitor);
            }
        }
    }

    private void deliver(RetainNode node, long now, Consumer<Message> visitor) {
        Message m = node.message;
        if (m == null) {
            return;
        }
        if (m.isExpired(now)) {
            removeIf(node, m);
            return;
        }
        visitor.accept(m);
    }

    /** Removes the node's message if it is still {@code expected} (any message when null), then prunes. */
    private void removeIf(RetainNode node, Message expected) {
        synchronized (node) {
            Message current = node.message;
            if (current == null || (expected != null && current != expected)) {
                return;
            }
            node.message = null;
            size.decrementAndGet();
        }
        node.pruneUpwards();
    }

    private RetainNode find(String[] levels) {
        RetainNode node = root;
        for (int i = 0; i < levels.length && node != null; i++) {
            node = node.child(levels[i]);
        }
        return node;
    }

    private RetainNode nodeForWrite(String[] levels) {
        RetainNode node = root;
        for (String level : levels) {
            RetainNode child = node.child(level);
            if (child == null || child.removed) {
                child = node.childForWrite(level);
                if (child == null) {
                    return null;
                }
            }
            node = child;
        }
        return node;
    }
}
