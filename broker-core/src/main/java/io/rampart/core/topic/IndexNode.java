package io.rampart.core.topic;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One level of the subscription trie. Readers walk it without locks; every change to a node's contents or to
 * its set of children happens while holding the node's monitor.
 *
 * <p>Pruning protocol: a node is marked {@code removed} (under its lock, only when empty) before it is detached
 * from its parent, and a child is only ever attached under the parent's lock while the parent is not removed.
 * So a node that is not removed is always reachable from the root, and a writer that finds its target node
 * removed simply retries from the root.
 */
final class IndexNode {

    final String level;
    final IndexNode parent;

    /** Lazily created; keyed by level, including "+" and "#". */
    volatile ConcurrentHashMap<String, IndexNode> children;
    /** Lazily created; non-shared subscriptions on exactly this filter, keyed by client id. */
    volatile ConcurrentHashMap<String, Subscription> subscribers;
    /** Lazily created; shared subscription groups on exactly this filter, keyed by group name. */
    volatile ConcurrentHashMap<String, SharedGroup> shared;
    /** Written under this node's lock; read without it only as a hint. */
    volatile boolean removed;

    IndexNode(String level, IndexNode parent) {
        this.level = level;
        this.parent = parent;
    }

    IndexNode child(String key) {
        ConcurrentHashMap<String, IndexNode> map = children;
        return map == null ? null : map.get(key);
    }

    /** Returns the live child for {@code key}, creating it; null if this node was removed. Takes the lock. */
    synchronized IndexNode childForWrite(String key) {
        if (removed) {
            return null;
        }
        ConcurrentHashMap<String, IndexNode> map = children;
        if (map == null) {
            map = new ConcurrentHashMap<>(4);
            children = map;
        }
        IndexNode child = map.get(key);
        if (child == null || child.removed) {
            child = new IndexNode(key, this);
            map.put(key, child);
        }
        return child;
    }

    /** Whether this node holds nothing; caller holds the lock. */
    boolean isEmpty() {
        ConcurrentHashMap<String, Subscription> subs = subscribers;
        ConcurrentHashMap<String, SharedGroup> groups = shared;
        ConcurrentHashMap<String, IndexNode> kids = children;
        return (subs == null || subs.isEmpty()) && (groups == null || groups.isEmpty())
                && (kids == null || kids.isEmpty());
    }

    /** Marks this node removed if it is empty; caller must then detach it from the parent. */
    synchronized boolean markRemovedIfEmpty() {
        if (removed || parent == null || !isEmpty()) {
            return false;
        }
        removed = true;
        return true;
    }

    void detachFromParent() {
        ConcurrentHashMap<String, IndexNode> siblings = parent.children;
        if (siblings != null) {
            siblings.remove(level, this);
        }
    }

    /** Prunes this node and then empty ancestors, bottom up. */
    void pruneUpwards() {
        IndexNode node = this;
        while (node.parent != null && node.markRemovedIfEmpty()) {
            node.detachFromParent();
            node = node.parent;
        }
    }
}
