package io.rampart.core;

import io.rampart.core.memory.BudgetSettings;
import io.rampart.core.memory.MemoryBudget;
import io.rampart.core.retain.RetainedStore;
import io.rampart.core.route.Router;
import io.rampart.core.session.SessionListener;
import io.rampart.core.session.SessionStore;
import io.rampart.core.topic.SubscriptionIndex;

import java.util.concurrent.ScheduledExecutorService;

/** The broker's in-memory state and routing, wired together; the server owns one instance. */
public final class BrokerCore {

    private final MqttLimits limits;
    private final SubscriptionIndex subscriptions = new SubscriptionIndex();
    private final RetainedStore retained = new RetainedStore();
    private final MemoryBudget budget;
    private final SessionStore sessions;
    private final Router router;

    /** A core whose memory budget is the default share of the maximum heap. */
    public BrokerCore(MqttLimits limits, ScheduledExecutorService scheduler, SessionListener listener) {
        this(limits, BudgetSettings.ofHeap(Runtime.getRuntime().maxMemory()), scheduler, listener);
    }

    public BrokerCore(MqttLimits limits, BudgetSettings budget, ScheduledExecutorService scheduler,
                      SessionListener listener) {
        this.limits = limits;
        this.budget = new MemoryBudget(budget);
        this.sessions = new SessionStore(limits, scheduler, subscriptions, listener, this.budget);
        this.router = new Router(subscriptions, retained, sessions, limits, this.budget);
        sessions.wire(router::publish, router::redeliverShared);
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
