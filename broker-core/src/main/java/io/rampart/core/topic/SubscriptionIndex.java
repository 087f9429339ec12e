package io.rampart.core.topic;

import io.rampart.core.cluster.RouteListener;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * All subscriptions of the broker, as a trie with one node per topic-filter level.
 *
 * <p>{@link #match} walks only the branches that can match a topic name (the exact level, {@code +} and
 * {@code #} at each level), so its cost grows with the depth of the topic and the number of matches, not with
 * the number of unrelated subscriptions. Matching is lock-free and may run on many threads while other
 * threads subscribe and unsubscribe; writers lock only the nodes they change (see {@link IndexNode}).
 * A concurrent match sees each subscription either before or after a concurrent change.
 *
 * <p>Filters are expected to be validated already ({@link Topics#validateTopicFilter}); a structurally invalid
 * filter is rejected with {@link IllegalArgumentException}. Recursion depth of {@link #match} is the number of
 * topic levels, which the broker bounds with {@code MqttLimits.maxTopicLevels()}.
 *
 * <p>Every subscription that enters or leaves is told to a {@link RouteListener} (the cluster's routing table), after
 * the change and outside any lock.
 */
public final class SubscriptionIndex {

    private final IndexNode root = new IndexNode("", null);
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger sharedCount = new AtomicInteger();
    private final RouteListener routes;

    public SubscriptionIndex() {
        this(RouteListener.NONE);
    }

    public SubscriptionIndex(RouteListener routes) {
        this.routes = routes;
    }

    /**
     * Adds a subscription, replacing one with the same client id, share group and filter.
     *
     * @return the replaced subscription, or {@code null} if it is new
     */
    public Subscription subscribe(Subscription s) {
        String reason = Topics.checkFilterStructure(s.filter(), 0);
        if (reason == null && s.filter().isEmpty()) {
            reason = "topic filter is empty";
        }
        if (reason == null && s.shareGroup() != null) {
            reason = Topics.validateShareGroup(s.shareGroup(), 0, s.shareGroup().length());
        }
        if (reason != null) {
            throw new IllegalArgumentException(reason + ": " + s.fullFilter());
        }
        String[] levels = Topics.levels(s.filter());
        while (true) {
            IndexNode node = nodeForWrite(levels);
            if (node == null) {
                continue;
            }
            Subscription previous;
            synchronized (node) {
                if (node.removed) {
                    continue;
                }
                previous = s.isShared() ? putShared(node, s) : putPlain(node, s);
                if (previous == null) {
                    count.incrementAndGet();
                    if (s.isShared()) {
                        sharedCount.incrementAndGet();
                    }
                }
            }
            if (previous == null) {
                routes.added(s);
            }
            return previous;
        }
    }

    /**
     * Removes a subscription.
     *
     * @param shareGroup the share group, {@code null} for a non-shared subscription
     * @return the removed subscription, or {@code null} if there was none
     */
    public Subscription unsubscribe(String clientId, String shareGroup, String filter) {
        if (filter.isEmpty()) {
            return null;
        }
        String[] levels = Topics.levels(filter);
        while (true) {
            IndexNode node = root;
            for (int i = 0; i < levels.length && node != null; i++) {
                node = node.child(levels[i]);
            }
            if (node == null) {
                return null;
            }
            Subscription removed;
            synchronized (node) {
                if (node.removed) {
                    // Stale node about to be detached by its pruner; help, then look again.
                    node.detachFromParent();
                    continue;
                }
                removed = shareGroup == null ? removePlain(node, clientId) : removeShared(node, shareGroup, clientId);
                if (removed == null) {
                    return null;
                }
                count.decrementAndGet();
                if (shareGroup != null) {
                    sharedCount.decrementAndGet();
                }
            }
            node.pruneUpwards();
            routes.removed(removed);
            return removed;
        }
    }

    /** Visits every subscription matching a topic name (not a filter). */
    public void match(String topic, SubscriptionVisitor visitor) {
        if (topic.isEmpty()) {
            return;
        }
        String[] levels = Topics.levels(topic);
        boolean dollar = topic.charAt(0) == '$';
        if (!dollar) {
            IndexNode hash = root.child("#");
            if (hash != null) {
                visitAll(hash, visitor);
            }
            IndexNode plus = root.child("+");
            if (plus != null) {
                match(plus, levels, 1, visitor);
            }
        }
        IndexNode exact = root.child(levels[0]);
        if (exact != null) {
            match(exact, levels, 1, visitor);
        }
    }

    /** The shared group for exactly this group and (non-shared form) filter, or {@code null} if it has no members. */
    public SharedGroup sharedGroup(String group, String filter) {
        if (filter.isEmpty()) {
            return null;
        }
        IndexNode node = root;
        String[] levels = Topics.levels(filter);
        for (int i = 0; i < levels.length && node != null; i++) {
            node = node.child(levels[i]);
        }
        ConcurrentHashMap<String, SharedGroup> groups = node == null ? null : node.shared;
        return groups == null ? null : groups.get(group);
    }

    /** All subscriptions, shared members included. */
    public int subscriptionCount() {
        return count.get();
    }

    /** Members of shared subscription groups. */
    public int sharedSubscriptionCount() {
        return sharedCount.get();
    }

    /**
     * The {@code limit} filters with the most subscribers (shared group members included), most first. Walks the
     * whole index without locks, so its cost grows with the number of filters: call it off the message path. Filters
     * changing meanwhile are counted as the walk finds them.
     */
    public List<FilterCount> topFilters(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        PriorityQueue<FilterCount> top = new PriorityQueue<>(limit + 1, BY_TOTAL);
        ConcurrentHashMap<String, IndexNode> children = root.children;
        if (children != null) {
            for (IndexNode child : children.values()) {
                collect(child, child.level, top, limit);
            }
        }
        List<FilterCount> out = new ArrayList<>(top);
        out.sort(BY_TOTAL.reversed());
        return out;
    }

    private static final Comparator<FilterCount> BY_TOTAL =
            Comparator.comparingInt(FilterCount::total).thenComparing(FilterCount::filter, Comparator.reverseOrder());

    private static void collect(IndexNode node, String filter, PriorityQueue<FilterCount> top, int limit) {
        ConcurrentHashMap<String, Subscription> subs = node.subscribers;
        ConcurrentHashMap<String, SharedGroup> groups = node.shared;
        int plain = subs == null ? 0 : subs.size();
        int shared = 0;
        if (groups != null) {
            for (SharedGroup g : groups.values()) {
                shared += g.size();
            }
        }
        if (plain + shared > 0) {
            FilterCount count = new FilterCount(filter, plain, shared);
            if (top.size() < limit) {
                top.add(count);
            } else if (BY_TOTAL.compare(count, top.peek()) > 0) {
                top.poll();
                top.add(count);
            }
        }
        ConcurrentHashMap<String, IndexNode> children = node.children;
        if (children != null) {
            for (IndexNode child : children.values()) {
                collect(child, filter + "/" + child.level, top, limit);
            }
        }
    }

    /** {@code node} matched levels[0..i-1]. */
    private static void match(IndexNode node, String[] levels, int i, SubscriptionVisitor visitor) {
        ConcurrentHashMap<String, IndexNode> children = node.children;
        if (i == levels.length) {
            visitAll(node, visitor);
            if (children != null) {
                IndexNode hash = children.get("#");
                if (hash != null) {
                    // "a/#" also matches "a".
                    visitAll(hash, visitor);
                }
            }
            return;
        }
        if (children == null) {
            return;
        }
        IndexNode hash = children.get("#");
        if (hash != null) {
            visitAll(hash, visitor);
        }
        IndexNode plus = children.get("+");
        if (plus != null) {
            match(plus, levels, i + 1, visitor);
        }
        IndexNode exact = children.get(levels[i]);
        if (exact != null) {
            match(exact, levels, i + 1, visitor);
        }
    }

    private static void visitAll(IndexNode node, SubscriptionVisitor visitor) {
        ConcurrentHashMap<String, Subscription> subs = node.subscribers;
        if (subs != null && !subs.isEmpty()) {
            for (Subscription s : subs.values()) {
                visitor.visit(s);
            }
        }
        ConcurrentHashMap<String, SharedGroup> groups = node.shared;
        if (groups != null && !groups.isEmpty()) {
            for (SharedGroup g : groups.values()) {
                visitor.visitShared(g);
            }
        }
    }

    /** The node for the filter, created as needed; null when a concurrent prune got in the way (retry). */
    private IndexNode nodeForWrite(String[] levels) {
        IndexNode node = root;
        for (String level : levels) {
            IndexNode child = node.child(level);
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

    private static Subscription putPlain(IndexNode node, Subscription s) {
        ConcurrentHashMap<String, Subscription> subs = node.subscribers;
        if (subs == null) {
            subs = new ConcurrentHashMap<>(2);
            node.subscribers = subs;
        }
        return subs.put(s.clientId(), s);
    }

    private static Subscription putShared(IndexNode node, Subscription s) {
        ConcurrentHashMap<String, SharedGroup> groups = node.shared;
        if (groups == null) {
            groups = new ConcurrentHashMap<>(2);
            node.shared = groups;
        }
        SharedGroup group = groups.get(s.shareGroup());
        if (group == null) {
            group = new SharedGroup(s.shareGroup(), s.filter());
            // Fill before publishing so readers never see the new group empty.
            group.put(s);
            groups.put(s.shareGroup(), group);
            return null;
        }
        return group.put(s);
    }

    private static Subscription removePlain(IndexNode node, String clientId) {
        Map<String, Subscription> subs = node.subscribers;
        return subs == null ? null : subs.remove(clientId);
    }

    private static Subscription removeShared(IndexNode node, String shareGroup, String clientId) {
        Map<String, SharedGroup> groups = node.shared;
        SharedGroup group = groups == null ? null : groups.get(shareGroup);
        if (group == null) {
            return null;
        }
        Subscription removed = group.remove(clientId);
        if (group.size() == 0) {
            groups.remove(shareGroup);
        }
        return removed;
    }
}
