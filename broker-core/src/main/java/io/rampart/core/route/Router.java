package io.rampart.core.route;

import io.rampart.core.MqttLimits;
import io.rampart.core.cluster.LocalDelivery;
import io.rampart.core.cluster.RemoteRouting;
import io.rampart.core.cluster.SharePicker;
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
 */
public final class Router implements LocalDelivery {

    private static final int[] NO_IDS = new int[0];

    private final SubscriptionIndex index;
    private final RetainedStore retained;
    private final SessionStore sessions;
    private final MqttLimits limits;
    private final RemoteRouting remote;
    private final ThreadLocal<Collector> collectors = ThreadLocal.withInitial(Collector::new);

    public Router(SubscriptionIndex index, RetainedStore retained, SessionStore sessions, MqttLimits limits) {
        this(index, retained, sessions, limits, RemoteRouting.NONE);
    }

    public Router(SubscriptionIndex index, RetainedStore retained, SessionStore sessions, MqttLimits limits,
                  RemoteRouting remote) {
        this.index = index;
        this.retained = retained;
        this.sessions = sessions;
        this.limits = limits;
        this.remote = remote;
    }

    /**
     * Publishes a message to its subscribers (and the retained store when its RETAIN flag is set).
     *
     * @return the number of sessions it was queued for (and, in a cluster, of other nodes it was handed to)
     */
    public int publish(Message message) {
        return publish(message, null);
    }

    /**
     * As {@link #publish(Message)}, for a client's QoS 1/2 message whose acknowledgement waits until every node that
     * must deliver it has it: {@code handoff} receives the stage to wait for, and is not called when there is none
     * (always so on a single node).
     */
    public int publish(Message message, Consumer<CompletionStage<Void>> handoff) {
        if (message.retain() && limits.retainAvailable()) {
            retained.put(message.withTrace(null)); // a later subscriber is not part of this trace
        }
        return remote.route(message, handoff, this);
    }

    @Override
    public int deliverLocal(Message message, SharePicker picker) {
        Collector c = collectors.get();
        c.begin(message);
        try {
            index.match(message.topic(), c);
            return c.deliver(picker);
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
                int qos = Math.min(o.message().qos(), member.qos());
                offer(target, new Outgoing(o.message(), qos, false,
                        member.subscriptionId() == 0 ? NO_IDS : new int[]{member.subscriptionId()},
                        group.group(), group.filter(), delivery(o.message().trace(), member.clientId(), qos)));
            }
        }
    }

    /** Queues {@code o} for {@code target}; returns whether the session took it, and tells the delivery's trace. */
    private boolean offer(Session target, Outgoing o) {
        boolean queued = target.enqueue(o, limits.queueQos0Offline());
        DeliveryTrace trace = o.trace();
        if (trace != null) {
            trace.offered(queued);
        }
        return queued;
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

        int deliver(SharePicker picker) {
            int delivered = 0;
            int n = matched.size();
            if (n == 1) {
                delivered += deliverTo(matched.get(0), 0, 1, null);
            } else if (n > 1) {
                // Group by client: the first occurrence of each client id delivers for all of them.
                int[] next = new int[n];
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
                for (int i = 0; i < n; i++) {
                    if (firstByClient.get(matched.get(i).clientId()) == i) {
                        delivered += deliverTo(matched.get(i), i, n, next);
                    }
                }
            }
            for (int g = 0; g < groups.size(); g++) {
                SharedGroup group = groups.get(g);
                if (picker != null && !picker.servesLocally(group)) {
                    continue;
                }
                Subscription member = pickMember(group);
                if (member == null) {
                    continue;
                }
                Session target = sessions.get(member.clientId());
                int qos = Math.min(message.qos(), member.qos());
                if (target != null && offer(target, new Outgoing(message, qos, false,
                        member.subscriptionId() == 0 ? NO_IDS : new int[]{member.subscriptionId()},
                        group.group(), group.filter(), delivery(trace, member.clientId(), qos)))) {
                    delivered++;
                }
            }
            return delivered;
        }

        /** Delivers to the client of matched[first], merging the chain of its other matches (next[]). */
        private int deliverTo(Subscription firstSub, int first, int n, int[] next) {
            Session target = sessions.get(firstSub.clientId());
            if (target == null) {
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
            Outgoing o = new Outgoing(message, deliveryQos, retainFlag, ids, null, null,
                    delivery(trace, firstSub.clientId(), deliveryQos));
            return offer(target, o) ? 1 : 0;
        }
    }
}
