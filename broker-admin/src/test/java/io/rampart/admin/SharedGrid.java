package io.rampart.admin;

import io.rampart.core.cluster.SharedTable;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One shared table as several nodes of a cluster see it, in memory: every node's view writes the same entries, and a
 * change made through one view reaches the listeners of the others before the write returns (as the data grid does).
 */
public final class SharedGrid {

    private final Map<String, byte[]> entries = new TreeMap<>();
    private final List<Node> nodes = new ArrayList<>();

    /** A new node's view of the table. */
    public synchronized SharedTable node() {
        Node n = new Node();
        nodes.add(n);
        return n;
    }

    public synchronized Map<String, byte[]> entries() {
        return Map.copyOf(entries);
    }

    private void changed(Node from, String key, byte[] value) {
        List<Node> others;
        synchronized (this) {
            if (value == null) {
                entries.remove(key);
            } else {
                entries.put(key, value);
            }
            others = nodes.stream().filter(n -> n != from).toList();
        }
        for (Node n : others) {
            if (n.listener != null) {
                n.listener.changed(key, value);
            }
        }
    }

    private final class Node implements SharedTable {
        private volatile Listener listener;

        @Override
        public void put(String key, byte[] value, Instant expiresAt) {
            changed(this, key, value);
        }

        @Override
        public void remove(String key) {
            changed(this, key, null);
        }

        @Override
        public byte[] get(String key) {
            synchronized (SharedGrid.this) {
                return entries.get(key);
            }
        }

        @Override
        public Map<String, byte[]> entries() {
            return SharedGrid.this.entries();
        }

        @Override
        public void listen(Listener l) {
            this.listener = l;
        }
    }
}
