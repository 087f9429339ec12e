package io.rampart.core.retain;

import io.rampart.core.message.Message;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One topic level of the retained-message trie. Same protocol as the subscription index: lock-free reads,
 * changes under the node's monitor, a node is marked {@code removed} (only when empty) before it is detached
 * from its parent, and children are attached only under a live parent's lock.
 */
final class RetainNode {

    final String level;
    final RetainNode parent;

    volatile ConcurrentHashMap<String, RetainNode> children;
    /** The retained message whose topic is exactly this node's path, or null. */
    volatile Message message;
    volatile boolean removed;

    RetainNode(String level, RetainNode parent) {
        this.level = level;
        this.parent = parent;
    }

    RetainNode child(String key) {
        ConcurrentHashMap<String, RetainNode> map = children;
        return map == null ? null : map.get(key);
    }

    /** The live child for {@code key}, created as needed; null if this node was removed. */
    synchronized RetainNode childForWrite(String key) {
        if (removed) {
            return null;
        }
        ConcurrentHashMap<String, RetainNode> map = children;
        if (map == null) {
            map = new ConcurrentHashMap<>(4);
            children = map;
        }
        RetainNode child = map.get(key);
        if (child == null || child.removed) {
            child = new RetainNode(key, this);
            map.put(key, child);
        }
        return child;
    }

    private boolean isEmpty() {
        ConcurrentHashMap<String, RetainNode> kids = children;
        return message == null && (kids == null || kids.isEmpty());
    }

    private synchronized boolean markRemovedIfEmpty() {
        if (removed || parent == null || !isEmpty()) {
            return false;
        }
        removed = true;
        return true;
    }

    void detachFromParent() {
        ConcurrentHashMap<String, RetainNode> siblings = parent.children;
        if (siblings != null) {
            siblings.remove(level, this);
        }
    }

    void pruneUpwards() {
        RetainNode node = this;
        while (node.parent != null && node.markRemovedIfEmpty()) {
            node.detachFromParent();
            node = node.parent;
        }
    }
}
