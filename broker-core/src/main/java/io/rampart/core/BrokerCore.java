package io.rampart.core;

import io.rampart.core.cluster.ClusterSeams;
import io.rampart.core.memory.BudgetSettings;
import io.rampart.core.memory.MemoryBudget;
import io.rampart.core.retain.RetainedStore;
import io.rampart.core.route.Router;
import io.rampart.core.session.SessionListener;
import io.rampart.core.session.SessionStore;
import io.rampart.core.topic.SubscriptionIndex;

import java.util.concurrent.ScheduledExecutorService;

/**
 * The broker's in-memory state and routing, wired together; the server owns one instance. In a cluster the core is
 * built with the cluster's {@link ClusterSeams}; on its own it uses {@link ClusterSeams#SINGLE_NODE}.
 */
public final class BrokerCore {

    private final MqttLimits limits;
    private final SubscriptionIndex subscriptions;
    private final RetainedStore retained;
    private final MemoryBudget budget;
    private final SessionStore sessions;
    private final Router router;
    private final ClusterSeams cluster;

    /** A core whose memory budget is the default share of the maximum heap. */
    public BrokerCore(MqttLimits limits, ScheduledExecutorService scheduler, SessionListener listener) {
        this(limits, BudgetSettings.ofHeap(Runtime.getRuntime().maxMemory()), scheduler, listener);
    }

    public BrokerCore(MqttLimits limits, ScheduledExecutorService scheduler, SessionListener listener,
                      ClusterSeams cluster) {
        this(limits, BudgetSettings.ofHeap(Runtime.getRuntime().maxMemory()), scheduler, listener, cluster);
    }

    public BrokerCore(MqttLimits limits, BudgetSettings budget, ScheduledExecutorService scheduler,
                      SessionListener listener) {
        this(limits, budget, scheduler, listener, ClusterSeams.SINGLE_NODE);
    }

    public BrokerCore(MqttLimits limits, BudgetSettings budget, ScheduledExecutorService scheduler,
                      SessionListener listener, ClusterSeams cluster) {
        this.limits = limits;
        this.cluster = cluster;
        this.budget = new MemoryBudget(budget);
        this.subscriptions = new SubscriptionIndex(cluster.routes());
        this.retained = new RetainedStore(cluster.retained());
        this.sessions = new SessionStore(limits, scheduler, subscriptions, listener, this.budget, cluster.journal());
        this.router = new Router(subscriptions, retained, sessions, limits, this.budget, cluster.routing());
        sessions.wire(router::publish, router::redeliverShared);
    }

    /** The cluster's seams ({@link ClusterSeams#SINGLE_NODE} on a single node). */
    public ClusterSeams cluster() {
        return cluster;
    }

    public MqttLimits limits() {
        return limits;
    }

    /** The budget every session queue and inflight window draws from. */
    public MemoryBudget budget() {
        return budget;
    }

    public SubscriptionIndex subscriptions() {
        return subscriptions;
    }

    public RetainedStore retained() {
        return retained;
    }

    public SessionStore sessions() {
        return sessions;
    }

    public Router router() {
        return router;
    }
}
