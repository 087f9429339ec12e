package io.rampart.core.session;

import io.rampart.core.topic.Subscription;
import io.rampart.core.topic.SubscriptionIndex;

/**
 * Keeps the two places a subscription lives in step: the session's own record (what a resumed session still
 * has, what SUBACK's "existed before" and the quota count) and the broker's subscription index (what routing
 * matches). Every change of a session's subscriptions goes through here, and so does the removal of all of them
 * when the session ends, so an index entry never outlives its session.
 *
 * <p>A session may end (clean-start takeover, expiry) on another thread while its connection subscribes. The
 * subscription is recorded in the session first and entered in the index second; the end marks the session
 * ended first and then removes what its record holds. Whichever way the two interleave, a subscription that
 * reached the index after the end removed the session's entries is taken out again here.
 */
final class SessionSubscriptions {

    private final SubscriptionIndex index;
    private final int quota;

    /** @param quota subscriptions one session may hold, 0 = no limit */
    SessionSubscriptions(SubscriptionIndex index, int quota) {
        this.index = index;
        this.quota = quota;
    }

    SessionStore.Subscribed subscribe(Session session, Subscription subscription) {
        Subscription previous;
        synchronized (session) {
            if (quota > 0 && session.subscriptionCount() >= quota && !session.hasSubscription(subscription.fullFilter())) {
                return SessionStore.Subscribed.QUOTA_EXCEEDED;
            }
            previous = session.putSubscription(subscription);
            session.logChanged();
        }
        index.subscribe(subscription);
        if (session.isEnded()) {
            index.unsubscribe(subscription.clientId(), subscription.shareGroup(), subscription.filter());
        }
        return previous == null ? SessionStore.Subscribed.NEW : SessionStore.Subscribed.REPLACED;
    }

    Subscription unsubscribe(Session session, String fullFilter) {
        Subscription removed;
        synchronized (session) {
            removed = session.removeSubscription(fullFilter);
            if (removed != null) {
                session.logChanged();
            }
        }
        if (removed != null) {
            index.unsubscribe(removed.clientId(), removed.shareGroup(), removed.filter());
        }
        return removed;
    }

    /** The session has ended: its subscriptions leave the index. */
    void removeAll(Session session) {
        for (Subscription s : session.subscriptions()) {
            index.unsubscribe(s.clientId(), s.shareGroup(), s.filter());
        }
    }
}
