package io.rampart.core.route;

import io.rampart.core.MqttLimits;
import io.rampart.core.cluster.LocalDelivery;
import io.rampart.core.cluster.RemoteRouting;
import io.rampart.core.cluster.SharePicker;
import io.rampart.core.memory.MemoryBudget;
import io.rampart.core.message.DeliveryTrace;
import io.rampart.core.message.Message;
import io.rampart.core.message.MessageTrace;
import io.rampart.core.retain.RetainedStore;
import io.rampart.core.session.Outgoing;
import io.rampart.core.session.Session;
import io.rampart.core.session.SessionStore;
import io.rampart.core.topic.SharedGroup;
import io.rampart.core.topic.Subscription;
import io.rampart.core.topic.SubscriptionIndex;
import io.rampart.core.topic.SubscriptionVisitor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Fan-out of published messages: stores retained messages, matches the subscription index and queues
 * one {@link Outgoing} per receiving session. A client with several matching subscriptions receives one
 * copy at the highest granted QoS carrying every matching subscription identifier (MQTT 5 §3.3.4); each
 * matching share group delivers to one of its members. A message recorded in a distributed trace
 * ({@link Message#trace()}) tells its trace about each session it is offered to.
 *
 * <p>Publishing goes through the cluster's {@link RemoteRouting}, which calls back {@link #deliverLocal} for this
 * node's sessions and hands the message to other nodes; on a single node it only calls back.
 *
 * <p>Every delivery draws from the {@link MemoryBudget}: the bytes of all of a message's deliveries on this node are
 * taken at once before any is queued, so a message either fits for all its receivers or, from a client, is refused as
 * a whole.
 */
public final class Router implements LocalDelivery {

    /** {@link #publish(Message, Runnable)}: the memory budget has no room for a QoS 1/2 message; nothing was queued. */
    public static final int REFUSED = -1;

    private static final int[] NO_IDS = new int[0];

    private final SubscriptionIndex index;
    private final RetainedStore retained;
    private final SessionStore sessions;
    private final MqttLimits limits;
    private final MemoryBudget budget;
    private final RemoteRouting remote;
    private final ThreadLocal<Collector> collectors = ThreadLocal.withInitial(Collector::new);

    public Router(SubscriptionIndex index, RetainedStore retained, SessionStore sessions, MqttLimits limits,
                  MemoryBudget budget) {
        this(index, retained, sessions, limits, budget, RemoteRouting.NONE);
    }

    public Router(SubscriptionIndex index, RetainedStore retained, SessionStore sessions, MqttLimits limits,
                  MemoryBudget budget, RemoteRouting remote) {
        this.index = index;
        this.retained = retained;
        this.sessions = sessions;
        this.limits = limits;
        this.remote = remote;
        this.budget = budget;
    }

    /**
     * Publishes a message the broker itself originates (a will, a {@code $SYS} value) to its subscribers and the
     * retained store. It is never refused: when the memory budget has no room, its QoS 0 deliveries are dropped and
     * its QoS 1/2 deliveries are queued beyond the budget (by this one message).
     *
     * @return the number of sessions it was queued for (and, in a cluster, of other nodes it was handed to)
     */
    public int publish(Message message) {
        return route(message, false, null, null);
    }

    /**
     * Publishes a client's message to its subscribers (and the retained store when its RETAIN flag is set). When the
     * memory budget cannot take the bytes of all its deliveries on this node, a QoS 0 message is delivered to those it
     * still fits for and a QoS 1/2 message is queued for none of them and handed to no other node, so that the
     * publisher can be told (a retained message has replaced the retained one all the same: the retained store is not
     * part of the budget).
     *
     * @param onFullest run once, on this thread, when the message went into one of the fullest queues while the budget
     *                  is at its back-pressure mark: the publisher feeds a slow consumer and should be held back
     * @return the number of sessions it was queued for (and, in a cluster, of other nodes it was handed to), or
     *         {@link #REFUSED}
     */
    public int publish(Message message, Runnable onFullest) {
        return route(message, true, onFullest, null);
    }

    /**
     * As {@link #publish(Message, Runnable)}, for a client's QoS 1/2 message whose acknowledgement waits until every
     * node that must deliver it has it: {@code handoff} receives the stage to wait for, and is not called when there is
     * none (always so on a single node, and when the message is refused).
     */
    public int publish(Message message, Runnable onFullest, Consumer<CompletionStage<Void>> handoff) {
        return route(message, true, onFullest, handoff);
    }

    private int route(Message message, boolean refusable, Runnable onFullest,
                      Consumer<CompletionStage<Void>> handoff) {
        // Retained first: a subscriber that enters the index after the match below then finds it in the store.
        if (message.retain() && limits.retainAvailable()) {
            retained.put(message.withTrace(null)); // a later subscriber is not part of this trace
        }
        Collector c = collectors.get();
        c.refusable = refusable;
        c.onFullest = onFullest;
        try {
            return remote.route(message, handoff, this);
        } finally {
            c.refusable = false;
            c.onFullest = null;
        }
    }

    /**
     * Queues the message for this node's matching sessions. Called back by {@link RemoteRouting} on the publishing
     * thread for a message published here (then a client's message may be refused, {@link #REFUSED}), and for messages
     * other nodes forwarded (never refused: their QoS 1/2 deliveries are queued beyond the budget if need be).
     */
    @Override
    public int deliverLocal(Message message, SharePicker picker) {
        Collector c = collectors.get();
        boolean refusable = c.refusable;
        Runnable onFullest = c.onFullest;
        c.refusable = false;
        c.onFullest = null;
        c.begin(message);
        try {
            index.match(message.topic(), c);
            int delivered = c.deliver(picker, refusable);
            if (delivered == REFUSED) {
                return REFUSED;
            }
            if (c.intoFullest && onFullest != null) {
                onFullest.run();
            }
            return delivered;
        } finally {
            c.reset();
        }
    }

    /** Queues the retained messages matching a new subscription, per its retain handling. */
    public void deliverRetained(Session session, Subscription subscription) {
        if (subscription.isShared()) {
            return;
        }
        int[] ids = subscription.subscriptionId() == 0 ? NO_IDS : new int[]{subscription.subscriptionId()};
        // Each retained message reserves its own bytes: what does not fit is dropped (and counted); it stays retained.
        Consumer<Message> sink = m -> session.enqueue(
                new Outgoing(m, Math.min(m.qos(), subscription.qos()), true, ids, null, null),
                limits.queueQos0Offline());
        retained.match(subscription.filter(), sink);
    }

    /** Re-routes messages of a share-group member that left to another member of the same group. */
    public void redeliverShared(List<Outgoing> orphans) {
        for (Outgoing o : orphans) {
            SharedGroup group = index.sharedGroup(o.shareGroup(), o.shareFilter());
            if (group == null) {
                continue;
            }
            Subscription member = pickMember(group);
            if (member == null) {
                continue;
            }
            Session target = sessions.get(member.clientId());
            if (target != null) {
                // The member that left gave these bytes back just before: they move, whatever the budget's level.
                int qos = Math.min(o.message().qos(), member.qos());
                Outgoing moved = new Outgoing(o.message(), qos, false,
                        member.subscriptionId() == 0 ? NO_IDS : new int[]{member.subscriptionId()},
                        group.group(), group.filter(), delivery(o.message().trace(), member.clientId(), qos));
                budget.take(moved.message(), 1);
                offer(target, moved, true);
            }
        }
    }

    /**
     * Queues {@code o} for {@code target} ({@code reserved}: its budget bytes are already taken) and tells the
     * delivery's trace whether the session took it.
     *
     * @return what {@link Session#offer} returned
     */
    private int offer(Session target, Outgoing o, boolean reserved) {
        int result = target.offer(o, limits.queueQos0Offline(), reserved);
        DeliveryTrace trace = o.trace();
        if (trace != null) {
            trace.offered(result != Session.NOT_QUEUED);
        }
        return result;
    }

    private static DeliveryTrace delivery(MessageTrace trace, String clientId, int qos) {
        return trace == null ? null : trace.offering(clientId, qos);
    }

    private Subscription pickMember(SharedGroup group) {
        Subscription member = group.next(s -> {
            Session session = sessions.get(s.clientId());
            return session != null && session.isConnected();
        });
        if (member == null) {
            member = group.next(s -> sessions.get(s.clientId()) != null);
        }
        return member;
    }

    /** Per-thread scratch space for one publish: avoids allocation for the common single-match case. */
    private final class Collector implements SubscriptionVisitor {
        private Message message;
        /** Whether the budget's bytes for every delivery were taken up front (else each delivery tries its own). */
        private boolean reserved;
        /** A delivery went into one of the fullest queues while the budget was short. */
        boolean intoFullest;
        /** Set by {@link #route} for the one local delivery of a message published here. */
        boolean refusable;
        Runnable onFullest;
        private MessageTrace trace;
        private final ArrayList<Subscription> matched = new ArrayList<>();
        private final ArrayList<SharedGroup> groups = new ArrayList<>();
        private final HashMap<String, Integer> firstByClient = new HashMap<>();

        void begin(Message m) {
            this.message = m;
            this.trace = m.trace();
        }

        void reset() {
            message = null;
            intoFullest = false;
            trace = null;
            matched.clear();
            groups.clear();
            firstByClient.clear();
        }

        @Override
        public void visit(Subscription subscription) {
            if (subscription.noLocal() && subscription.clientId().equals(message.publisherId())) {
                return;
            }
            matched.add(subscription);
        }

        @Override
        public void visitShared(SharedGroup group) {
            groups.add(group);
        }

        /**
         * Queues the message for every match (of the share groups, those {@code picker} lets this node serve);
         * {@link #REFUSED} when {@code refusable} and it does not fit.
         */
        int deliver(SharePicker picker, boolean refusable) {
            if (picker != null) {
                keepLocalGroups(picker);
            }
            int n = matched.size();
            int[] next = null;
            int receivers = n;
            if (n > 1) {
                // Group by client: the first occurrence of each client id delivers for all of them.
                next = new int[n];
                int[] tail = new int[n];
                for (int i = 0; i < n; i++) {
                    next[i] = -1;
                    Integer first = firstByClient.putIfAbsent(matched.get(i).clientId(), i);
                    if (first == null) {
                        tail[i] = i;
                    } else {
                        next[tail[first]] = i;
                        tail[first] = i;
                    }
                }
                receivers = firstByClient.size();
            }
            receivers += groups.size();
            if (receivers == 0) {
                return 0;
            }
            reserved = budget.tryTake(message, receivers);
            if (!reserved && message.qos() > 0) {
                if (refusable) {
                    return REFUSED;
                }
                budget.take(message, receivers);
                reserved = true;
            }
            int delivered = 0;
            if (n == 1) {
                delivered += deliverTo(matched.get(0), 0, null);
            } else if (n > 1) {
                for (int i = 0; i < n; i++) {
                    if (firstByClient.get(matched.get(i).clientId()) == i) {
                        delivered += deliverTo(matched.get(i), i, next);
                    }
                }
            }
            for (int g = 0; g < groups.size(); g++) {
                SharedGroup group = groups.get(g);
                Subscription member = pickMember(group);
                Session target = member == null ? null : sessions.get(member.clientId());
                if (target == null) {
                    unused();
                    continue;
                }
                int qos = Math.min(message.qos(), member.qos());
                delivered += offer(target, new Outgoing(message, qos, false,
                        member.subscriptionId() == 0 ? NO_IDS : new int[]{member.subscriptionId()},
                        group.group(), group.filter(), delivery(trace, member.clientId(), qos)));
            }
            return delivered;
        }

        /** Keeps only the share groups this node serves (asks {@code picker} once per group). */
        private void keepLocalGroups(SharePicker picker) {
            int kept = 0;
            for (int g = 0; g < groups.size(); g++) {
                SharedGroup group = groups.get(g);
                if (picker.servesLocally(group)) {
                    groups.set(kept++, group);
                }
            }
            for (int g = groups.size() - 1; g >= kept; g--) {
                groups.remove(g);
            }
        }

        private int offer(Session target, Outgoing o) {
            int result = Router.this.offer(target, o, reserved);
            if (result == Session.QUEUED_IN_FULLEST) {
                intoFullest = true;
            }
            return result == Session.NOT_QUEUED ? 0 : 1;
        }

        /** A receiver counted in the reservation is gone: its share goes back. */
        private void unused() {
            if (reserved) {
                budget.give(message);
            }
        }

        /** Delivers to the client of matched[first], merging the chain of its other matches (next[]). */
        private int deliverTo(Subscription firstSub, int first, int[] next) {
            Session target = sessions.get(firstSub.clientId());
            if (target == null) {
                unused();
                return 0;
            }
            int qos = firstSub.qos();
            boolean keepRetain = firstSub.retainAsPublished();
            int idCount = firstSub.subscriptionId() != 0 ? 1 : 0;
            if (next != null) {
                for (int i = next[first]; i >= 0; i = next[i]) {
                    Subscription s = matched.get(i);
                    qos = Math.max(qos, s.qos());
                    keepRetain |= s.retainAsPublished();
                    if (s.subscriptionId() != 0) {
                        idCount++;
                    }
                }
            }
            int[] ids = NO_IDS;
            if (idCount > 0) {
                ids = new int[idCount];
                int k = 0;
                if (firstSub.subscriptionId() != 0) {
                    ids[k++] = firstSub.subscriptionId();
                }
                if (next != null) {
                    for (int i = next[first]; i >= 0; i = next[i]) {
                        int id = matched.get(i).subscriptionId();
                        if (id != 0) {
                            ids[k++] = id;
                        }
                    }
                }
            }
            boolean retainFlag = keepRetain && message.retain();
            int deliveryQos = Math.min(message.qos(), qos);
            return offer(target, new Outgoing(message, deliveryQos, retainFlag, ids, null, null,
                    delivery(trace, firstSub.clientId(), deliveryQos)));
        }
    }
}
