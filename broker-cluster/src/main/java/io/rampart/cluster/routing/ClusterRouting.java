package io.rampart.cluster.routing;

import io.rampart.cluster.ClusterMetrics;
import io.rampart.cluster.grid.WriteCapture;
import io.rampart.cluster.membership.Member;
import io.rampart.cluster.membership.Membership;
import io.rampart.cluster.transport.Messenger;
import io.rampart.cluster.transport.Wire;
import io.rampart.core.cluster.LocalDelivery;
import io.rampart.core.cluster.RemoteRouting;
import io.rampart.core.cluster.SharePicker;
import io.rampart.core.message.Message;
import io.rampart.core.topic.SharedGroup;
import io.rampart.core.topic.Subscription;
import io.rampart.core.topic.SubscriptionVisitor;
import org.jgroups.Address;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Routing across the cluster. A message published here is matched against the other nodes' filters (the routing
 * table's mirror) and this node's own; it is delivered here and forwarded once to each other node with matching
 * subscriptions. Each matching share group is served by one node, chosen in turn by the number of members each node
 * has, then by one member there. Messages forwarded from other nodes are delivered here only (never forwarded again).
 *
 * <p>For a client's QoS 1/2 message, the hand-off covers the journal writes of the sessions it was queued for here,
 * the retained-message write, and the acknowledgements of the nodes it went to.
 */
public final class ClusterRouting implements RemoteRouting {

    private static final int MAX_CURSORS = 100_000;

    private final RoutingTable table;
    private final Forwarder forwarder;
    private final WriteCapture writes;
    private final Membership membership;
    private final ClusterMetrics metrics;
    private final ThreadLocal<Match> scratch = ThreadLocal.withInitial(Match::new);
    private final ConcurrentHashMap<String, AtomicLong> shareCursors = new ConcurrentHashMap<>();
    private volatile LocalDelivery local;

    public ClusterRouting(RoutingTable table, Forwarder forwarder, WriteCapture writes, Membership membership,
                          Messenger messenger, ClusterMetrics metrics) {
        this.table = table;
        this.forwarder = forwarder;
        this.writes = writes;
        this.membership = membership;
        this.metrics = metrics;
        messenger.on(Messenger.FORWARD, this::received);
    }

    /** The core's local delivery, for forwarded messages; set once the core exists. */
    public void bind(LocalDelivery delivery) {
        this.local = delivery;
    }

    @Override
    public int route(Message message, Consumer<CompletionStage<Void>> handoff, LocalDelivery delivery) {
        boolean wait = handoff != null && message.qos() > 0;
        if (wait) {
            writes.begin();
        } else {
            writes.forgetEarly();
        }
        Match m = scratch.get();
        try {
            m.begin();
            table.match(message.topic(), m);
            int delivered = delivery.deliverLocal(message, m.groups.isEmpty() ? null : m);
            if (delivered < 0) {
                // Refused here (memory budget): the publisher is told, and no other node gets the message either.
                return delivered;
            }
            m.assignRemoteOnly();
            int nodes = 0;
            Handoff pending = null;
            if (!m.targets.isEmpty()) {
                if (wait) {
                    pending = forwarder.handoff(Set.copyOf(m.targets.keySet()));
                }
                for (Map.Entry<String, List<String>> t : m.targets.entrySet()) {
                    if (forwarder.forward(t.getKey(), message, t.getValue(), pending)) {
                        nodes++;
                    }
                }
            }
            if (wait) {
                List<CompletableFuture<?>> waits = new ArrayList<>(writes.end());
                if (pending != null) {
                    waits.add(pending.done);
                }
                if (!waits.isEmpty()) {
                    handoff.accept(waits.size() == 1 ? waits.get(0).thenApply(v -> null)
                            : CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)));
                }
            }
            return delivered + nodes;
        } finally {
            if (wait && writes.active()) {
                writes.end();
            }
            m.reset();
        }
    }

    /** A batch of messages forwarded by another node: delivered here, acknowledged once queued and journaled. */
    private void received(Address from, Wire.In in) throws IOException {
        List<Forwarder.Forward> batch = Forwarder.decode(in);
        LocalDelivery delivery = local;
        if (delivery == null) {
            return;
        }
        long bytes = 0;
        for (Forwarder.Forward f : batch) {
            bytes += f.message().payload().length + f.message().topic().length();
        }
        Member sender = membership.byAddress(from);
        metrics.received(sender == null ? String.valueOf(from) : sender.name(), batch.size(), bytes);
        List<Long> now = new ArrayList<>();
        List<CompletableFuture<?>> later = new ArrayList<>();
        List<Long> laterIds = new ArrayList<>();
        for (Forwarder.Forward f : batch) {
            SharePicker picker = f.groups().isEmpty() ? g -> false : new Assigned(f.groups());
            if (f.handoffId() == 0) {
                delivery.deliverLocal(f.message(), picker);
                continue;
            }
            writes.begin();
            try {
                delivery.deliverLocal(f.message(), picker);
            } finally {
                List<CompletableFuture<?>> pending = writes.end();
                if (pending.isEmpty()) {
                    now.add(f.handoffId());
                } else {
                    later.addAll(pending);
                    laterIds.add(f.handoffId());
                }
            }
        }
        forwarder.acknowledge(from, now);
        if (!laterIds.isEmpty()) {
            CompletableFuture.allOf(later.toArray(CompletableFuture[]::new))
                    .whenComplete((v, e) -> forwarder.acknowledge(from, laterIds));
        }
    }

    /** Picks the node that serves a share group: in turn, weighted by how many members each node has. */
    private String pickNode(String groupKey, int localMembers, List<Subscription> remoteNodes, String group,
                            String filter) {
        int total = localMembers;
        int[] counts = new int[remoteNodes.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = Math.max(1, table.shareCount(remoteNodes.get(i).clientId(), group, filter));
            total += counts[i];
        }
        if (total == 0) {
            return null;
        }
        if (shareCursors.size() > MAX_CURSORS) {
            shareCursors.clear();
        }
        long turn = shareCursors.computeIfAbsent(groupKey, k -> new AtomicLong()).getAndIncrement();
        int pos = (int) Math.floorMod(turn, (long) total);
        if (pos < localMembers) {
            return null;
        }
        pos -= localMembers;
        for (int i = 0; i < counts.length; i++) {
            if (pos < counts[i]) {
                return remoteNodes.get(i).clientId();
            }
            pos -= counts[i];
        }
        return remoteNodes.get(remoteNodes.size() - 1).clientId();
    }

    /** The share groups a forwarded message is to be served for here. */
    private static final class Assigned implements SharePicker {
        private final List<String> groups;

        Assigned(List<String> groups) {
            this.groups = groups;
        }

        @Override
        public boolean servesLocally(SharedGroup group) {
            return groups.contains(RoutingTable.groupKey(group));
        }
    }

    /**
     * Per-thread scratch for one routed message: the nodes with matching plain subscriptions, the remote share groups
     * still to be assigned, and per target node the groups it serves. Also decides, as the local delivery asks, which
     * share groups this node serves.
     */
    private final class Match implements SubscriptionVisitor, SharePicker {
        final LinkedHashMap<String, List<String>> targets = new LinkedHashMap<>();
        final HashMap<String, SharedGroup> groups = new HashMap<>();

        void begin() {
        }

        void reset() {
            targets.clear();
            groups.clear();
        }

        @Override
        public void visit(Subscription subscription) {
            targets.computeIfAbsent(subscription.clientId(), n -> new ArrayList<>(0));
        }

        @Override
        public void visitShared(SharedGroup group) {
            groups.put(RoutingTable.groupKey(group), group);
        }

        @Override
        public boolean servesLocally(SharedGroup localGroup) {
            String key = RoutingTable.groupKey(localGroup);
            SharedGroup remote = groups.remove(key);
            if (remote == null) {
                return true;
            }
            String node = pickNode(key, localGroup.size(), remote.members(), localGroup.group(), localGroup.filter());
            if (node == null) {
                return true;
            }
            targets.computeIfAbsent(node, n -> new ArrayList<>(1)).add(key);
            return false;
        }

        /** Share groups matched only on other nodes. */
        void assignRemoteOnly() {
            for (Map.Entry<String, SharedGroup> e : groups.entrySet()) {
                SharedGroup remote = e.getValue();
                String node = pickNode(e.getKey(), 0, remote.members(), remote.group(), remote.filter());
                if (node != null) {
                    targets.computeIfAbsent(node, n -> new ArrayList<>(1)).add(e.getKey());
                }
            }
            groups.clear();
        }
    }
}
