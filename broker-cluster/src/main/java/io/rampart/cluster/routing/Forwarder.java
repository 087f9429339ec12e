package io.rampart.cluster.routing;

import io.rampart.cluster.ClusterMetrics;
import io.rampart.cluster.membership.Member;
import io.rampart.cluster.membership.Membership;
import io.rampart.cluster.transport.MessageCodec;
import io.rampart.cluster.transport.Messenger;
import io.rampart.cluster.transport.Wire;
import io.rampart.core.message.Message;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jgroups.Address;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends forwarded PUBLISHes to the other nodes: one queue per node, drained by one task at a time into batches (one
 * JGroups message each), so messages leave in the order they were routed and a burst costs one network write per
 * batch. QoS 1/2 messages carry a hand-off id that the receiving node acknowledges once it has queued (and journaled)
 * the message; the hand-off completes when every node did, and fails when one of them leaves or takes too long.
 */
public final class Forwarder {

    static final int MAX_BATCH_MESSAGES = 512;
    static final int MAX_BATCH_BYTES = 512 * 1024;
    private static final Logger LOG = LogManager.getLogger("rampart.cluster");

    /** One message for one node, with the share groups that node serves for it. */
    record Forward(Message message, List<String> groups, long handoffId) {
    }

    private final Messenger messenger;
    private final Membership membership;
    private final Executor senders;
    private final ClusterMetrics metrics;
    private final long handoffTimeoutNanos;
    private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Handoff> handoffs = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    public Forwarder(Messenger messenger, Membership membership, Executor senders, ClusterMetrics metrics,
                     long handoffTimeoutMillis) {
        this.messenger = messenger;
        this.membership = membership;
        this.senders = senders;
        this.metrics = metrics;
        this.handoffTimeoutNanos = handoffTimeoutMillis * 1_000_000L;
        messenger.on(Messenger.FORWARD_ACK, this::acknowledged);
    }

    /** A hand-off waiting for {@code nodes}. */
    Handoff handoff(Set<String> nodes) {
        Handoff h = new Handoff(ids.incrementAndGet(), nodes);
        handoffs.put(h.id, h);
        return h;
    }

    /**
     * Queues {@code message} for node {@code nodeId}; returns false when that node is not in the view (it left: its
     * routes are about to go, and a hand-off that counted on it fails, so the publisher sends again later).
     */
    boolean forward(String nodeId, Message message, List<String> groups, Handoff handoff) {
        Peer peer = peers.get(nodeId);
        if (peer == null) {
            Member member = membership.byId(nodeId);
            if (member == null) {
                if (handoff != null) {
                    fail(handoff, new IOException("node " + nodeId + " is no longer in the cluster"));
                }
                return false;
            }
            peer = peers.computeIfAbsent(nodeId, id -> new Peer(member));
        }
        peer.queue.add(new Forward(message, groups, handoff == null ? 0 : handoff.id));
        if (peer.scheduled.compareAndSet(false, true)) {
            senders.execute(peer::drain);
        }
        return true;
    }

    /** Nodes left: their queues go, and hand-offs waiting for them fail. */
    public void left(Collection<Member> gone) {
        for (Member m : gone) {
            Peer peer = peers.remove(m.id());
            if (peer != null) {
                peer.queue.clear();
            }
            for (Handoff h : handoffs.values()) {
                if (h.nodes.contains(m.id())) {
                    fail(h, new IOException("node " + m.name() + " left before it acknowledged the message"));
                }
            }
        }
    }

    /** Fails hand-offs older than the timeout (run every second). */
    public void expire() {
        long now = System.nanoTime();
        for (Handoff h : handoffs.values()) {
            if (now - h.startNanos > handoffTimeoutNanos) {
                fail(h, new TimeoutException("no acknowledgement from " + h.nodes + " within "
                        + handoffTimeoutNanos / 1_000_000 + " ms"));
            }
        }
    }

    public int pendingHandoffs() {
        return handoffs.size();
    }

    private void fail(Handoff h, Throwable why) {
        if (handoffs.remove(h.id, h)) {
            metrics.handoffFailed();
            h.done.completeExceptionally(why);
        }
    }

    private void acknowledged(Address from, Wire.In in) throws IOException {
        int n = in.readInt();
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Handoff h = handoffs.get(in.readLong());
            if (h != null && h.acknowledged() && handoffs.remove(h.id, h)) {
                metrics.handedOff(now - h.startNanos);
                h.done.complete(null);
            }
        }
    }

    /** Sends acknowledgements of forwarded messages back to their node. */
    void acknowledge(Address to, List<Long> handoffIds) {
        if (handoffIds.isEmpty()) {
            return;
        }
        Wire.Out out = new Wire.Out(8 + handoffIds.size() * 8).writeByte(Messenger.FORWARD_ACK)
                .writeInt(handoffIds.size());
        for (long id : handoffIds) {
            out.writeLong(id);
        }
        byte[] frame = out.toByteArray();
        senders.execute(() -> {
            try {
                messenger.send(to, frame);
            } catch (Exception e) {
                LOG.debug("cluster: acknowledgement to {} not sent: {}", to, e.toString());
            }
        });
    }

    /** Decodes a batch: the messages with their groups and hand-off ids. */
    static List<Forward> decode(Wire.In in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_BATCH_MESSAGES) {
            throw new IOException("batch of " + n + " messages");
        }
        List<Forward> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long handoffId = in.readLong();
            int groupCount = in.readInt();
            if (groupCount < 0 || groupCount > 65_535) {
                throw new IOException("malformed forward");
            }
            List<String> groups = groupCount == 0 ? List.of() : new ArrayList<>(groupCount);
            for (int g = 0; g < groupCount; g++) {
                groups.add(in.readString());
            }
            out.add(new Forward(MessageCodec.read(in, false), groups, handoffId));
        }
        return out;
    }

    /** The queue of one node and its drain task; at most one drain runs per node at a time. */
    private final class Peer {
        final Member member;
        final ConcurrentLinkedQueue<Forward> queue = new ConcurrentLinkedQueue<>();
        final AtomicBoolean scheduled = new AtomicBoolean();

        Peer(Member member) {
            this.member = member;
        }

        void drain() {
            while (true) {
                List<Forward> batch = new ArrayList<>();
                Wire.Out body = new Wire.Out(4096);
                Forward f;
                while (batch.size() < MAX_BATCH_MESSAGES && body.size() < MAX_BATCH_BYTES && (f = queue.poll()) != null) {
                    body.writeLong(f.handoffId()).writeInt(f.groups().size());
                    for (String g : f.groups()) {
                        body.writeString(g);
                    }
                    MessageCodec.write(body, f.message(), false);
                    batch.add(f);
                }
                if (batch.isEmpty()) {
                    scheduled.set(false);
                    if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                        return;
                    }
                    continue;
                }
                byte[] payload = body.toByteArray();
                byte[] frame = new Wire.Out(payload.length + 8).writeByte(Messenger.FORWARD).writeInt(batch.size())
                        .toByteArray();
                byte[] whole = new byte[frame.length + payload.length];
                System.arraycopy(frame, 0, whole, 0, frame.length);
                System.arraycopy(payload, 0, whole, frame.length, payload.length);
                try {
                    messenger.send(member.address(), whole);
                    metrics.forwarded(member.name(), batch.size(), whole.length);
                } catch (Exception e) {
                    LOG.warn("cluster: {} message(s) could not be forwarded to {}: {}", batch.size(), member.name(),
                            e.toString());
                    for (Forward lost : batch) {
                        Handoff h = lost.handoffId() == 0 ? null : handoffs.get(lost.handoffId());
                        if (h != null) {
                            fail(h, e);
                        }
                    }
                }
            }
        }
    }

    /** Completed hand-off of nothing. */
    static final CompletableFuture<Void> NOTHING = CompletableFuture.completedFuture(null);
}
