package io.rampart.cluster.routing;

import io.rampart.core.cluster.RouteListener;
import io.rampart.core.topic.SharedGroup;
import io.rampart.core.topic.Subscription;
import io.rampart.core.topic.SubscriptionIndex;
import io.rampart.core.topic.SubscriptionVisitor;
import io.rampart.core.topic.Topics;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Which node holds subscriptions with which filters, as a replicated cache of entries {@code node id \0 filter} →
 * number of that node's subscriptions with the filter ({@code $share/group/filter} for share groups).
 *
 * <p>This node announces its own filters as they come and go in its subscription index: a count that becomes
 * non-zero or zero marks the filter, and one writer thread brings the cache up to the current counts (so the cache
 * always converges on what the index holds, however changes interleave). Every node mirrors the other nodes' entries
 * into a subscription index of its own, where a topic is matched against all remote filters at the cost of one index
 * walk. The cache's listener is synchronous, so once a write returns every node's mirror has it.
 */
public final class RoutingTable implements RouteListener {

    private static final Logger LOG = LogManager.getLogger("rampart.cluster");
    private static final char SEP = '\0';

    private final String localId;
    private final Cache<String, Integer> cache;
    private final Executor writer;
    private final ConcurrentHashMap<String, Integer> localCounts = new ConcurrentHashMap<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    private CompletableFuture<Void> pendingFlush;
    private CompletableFuture<Void> inFlight;

    private final SubscriptionIndex remote = new SubscriptionIndex();
    private final Map<String, Set<String>> remoteByNode = new HashMap<>();
    private final ConcurrentHashMap<String, Integer> shareCounts = new ConcurrentHashMap<>();
    private final CacheListener listener = new CacheListener();

    /**
     * @param localId this node's id (its incarnation)
     * @param writer  runs the cache writes, one at a time
     */
    public RoutingTable(String localId, Cache<String, Integer> cache, Executor writer) {
        this.localId = localId;
        this.cache = cache;
        this.writer = writer;
    }

    /** Starts mirroring the other nodes' entries. */
    public void start() {
        cache.addListener(listener);
        reloadRemote();
    }

    public void stop() {
        cache.removeListener(listener);
    }

    // ------------------------------------------------------------------ this node's filters

    @Override
    public void added(Subscription subscription) {
        String filter = subscription.fullFilter();
        if (localCounts.merge(filter, 1, Integer::sum) == 1 || subscription.isShared()) {
            markDirty(filter);
        }
    }

    @Override
    public void removed(Subscription subscription) {
        String filter = subscription.fullFilter();
        Integer left = localCounts.computeIfPresent(filter, (f, n) -> n <= 1 ? null : n - 1);
        if (left == null || subscription.isShared()) {
            markDirty(filter);
        }
    }

    @Override
    public synchronized CompletionStage<Void> settled() {
        if (pendingFlush != null) {
            return pendingFlush;
        }
        return inFlight != null ? inFlight : RouteListener.NONE.settled();
    }

    /** Writes every local filter again (after a partition healed, the other side may have dropped them). */
    public void republish() {
        for (String filter : localCounts.keySet()) {
            markDirty(filter);
        }
    }

    private synchronized void markDirty(String filter) {
        dirty.add(filter);
        if (pendingFlush == null) {
            pendingFlush = new CompletableFuture<>();
            writer.execute(this::flush);
        }
    }

    private void flush() {
        List<String> filters;
        CompletableFuture<Void> done;
        synchronized (this) {
            filters = new ArrayList<>(dirty);
            dirty.clear();
            done = pendingFlush;
            pendingFlush = null;
            inFlight = done;
        }
        try {
            Map<String, Integer> puts = new HashMap<>();
            for (String filter : filters) {
                Integer count = localCounts.get(filter);
                int n = count == null ? 0 : count;
                if (n > 0) {
                    puts.put(key(localId, filter), n);
                } else {
                    cache.remove(key(localId, filter));
                }
            }
            if (!puts.isEmpty()) {
                cache.putAll(puts);
            }
        } catch (RuntimeException e) {
            LOG.error("cluster: the routing table could not be updated with {} filter(s) of this node: {}",
                    filters.size(), e.toString());
        } finally {
            done.complete(null);
            synchronized (this) {
                if (inFlight == done) {
                    inFlight = null;
                }
            }
        }
    }

    // ------------------------------------------------------------------ the other nodes' filters

    /** Visits the other nodes' subscriptions matching {@code topic}: client id = node id. */
    public void match(String topic, SubscriptionVisitor visitor) {
        remote.match(topic, visitor);
    }

    /** How many subscriptions node {@code nodeId} has in share group {@code group} with {@code filter}. */
    public int shareCount(String nodeId, String group, String filter) {
        Integer n = shareCounts.get(nodeId + SEP + group + SEP + filter);
        return n == null ? 0 : n;
    }

    /** A node left: its filters no longer route anything here, and the coordinator removes them from the cache. */
    public void forget(String nodeId, boolean coordinator) {
        synchronized (remote) {
            Set<String> filters = remoteByNode.remove(nodeId);
            if (filters != null) {
                for (String filter : filters) {
                    unmirror(nodeId, filter);
                }
            }
        }
        if (coordinator) {
            writer.execute(() -> {
                try {
                    for (String key : new ArrayList<>(cache.keySet())) {
                        if (key.startsWith(nodeId + SEP)) {
                            cache.remove(key);
                        }
                    }
                } catch (RuntimeException e) {
                    LOG.warn("cluster: the routes of {} could not be removed: {}", nodeId, e.toString());
                }
            });
        }
    }

    /** Rebuilds the mirror from the cache (at start, and after a partition healed). */
    public void reloadRemote() {
        synchronized (remote) {
            for (Map.Entry<String, Set<String>> e : new HashMap<>(remoteByNode).entrySet()) {
                for (String filter : e.getValue()) {
                    unmirror(e.getKey(), filter);
                }
            }
            remoteByNode.clear();
            for (Map.Entry<String, Integer> e : cache.entrySet()) {
                apply(e.getKey(), e.getValue());
            }
        }
    }

    /** Entries in the routing table, all nodes together. */
    public int size() {
        return cache.size();
    }

    /** Subscription filters of other nodes in this node's mirror. */
    public int remoteSize() {
        return remote.subscriptionCount();
    }

    private void apply(String key, Integer count) {
        int sep = key.indexOf(SEP);
        if (sep <= 0) {
            return;
        }
        String nodeId = key.substring(0, sep);
        if (nodeId.equals(localId)) {
            return;
        }
        String filter = key.substring(sep + 1);
        synchronized (remote) {
            if (count == null || count <= 0) {
                Set<String> filters = remoteByNode.get(nodeId);
                if (filters != null && filters.remove(filter)) {
                    unmirror(nodeId, filter);
                }
                return;
            }
            remoteByNode.computeIfAbsent(nodeId, n -> new HashSet<>()).add(filter);
            boolean shared = Topics.isShared(filter);
            String group = shared ? Topics.shareGroup(filter) : null;
            String plain = shared ? Topics.shareFilter(filter) : filter;
            if (shared) {
                shareCounts.put(nodeId + SEP + group + SEP + plain, count);
            }
            remote.subscribe(new Subscription(nodeId, plain, group, 2, false, true, 0, 0));
        }
    }

    private void unmirror(String nodeId, String filter) {
        boolean shared = Topics.isShared(filter);
        String group = shared ? Topics.shareGroup(filter) : null;
        String plain = shared ? Topics.shareFilter(filter) : filter;
        remote.unsubscribe(nodeId, group, plain);
        if (shared) {
            shareCounts.remove(nodeId + SEP + group + SEP + plain);
        }
    }

    private static String key(String nodeId, String filter) {
        return nodeId + SEP + filter;
    }

    /** Mirrors every committed change of the routes cache on this node, before the write returns to its writer. */
    @Listener(sync = true)
    public final class CacheListener {

        @CacheEntryCreated
        public void created(CacheEntryEvent<String, Integer> e) {
            if (!e.isPre()) {
                apply(e.getKey(), e.getValue());
            }
        }

        @CacheEntryModified
        public void modified(CacheEntryEvent<String, Integer> e) {
            if (!e.isPre()) {
                apply(e.getKey(), e.getValue());
            }
        }

        @CacheEntryRemoved
        public void removed(CacheEntryEvent<String, Integer> e) {
            if (!e.isPre()) {
                apply(e.getKey(), null);
            }
        }
    }

    /** For tests: whether {@code nodeId} is mirrored with {@code filter}. */
    boolean mirrors(String nodeId, String filter) {
        synchronized (remote) {
            Set<String> filters = remoteByNode.get(nodeId);
            return filters != null && filters.contains(filter);
        }
    }

    /** Keeps a visitor's view of a shared group: the nodes of the group as they were matched. */
    static String groupKey(SharedGroup g) {
        return g.group() + SEP + g.filter();
    }
}
