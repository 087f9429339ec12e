package io.rampart.core;

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
    private final SessionStore sessions;
    private final Router router;

    public BrokerCore(MqttLimits limits, ScheduledExecutorService scheduler, SessionListener listener) {
        this.limits = limits;
        this.sessions = new SessionStore(limits, scheduler, subscriptions, listener);
        this.router = new Router(subscriptions, retained, sessions, limits);
        sessions.wire(router::publish, router::redeliverShared);
    }

    public MqttLimits limits() {
        return limits;
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
