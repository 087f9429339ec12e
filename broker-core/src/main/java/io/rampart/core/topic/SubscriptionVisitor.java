package io.rampart.core.topic;

/**
 * Receives the subscriptions that match a topic name during {@link SubscriptionIndex#match}.
 *
 * <p>Called on the matching thread while the index is being walked: implementations should be quick and must
 * not subscribe or unsubscribe on the same index from inside a callback.
 */
public interface SubscriptionVisitor {

    /** A non-shared subscription whose filter matches the topic. */
    void visit(Subscription subscription);

    /** A shared subscription group (group + filter) whose filter matches the topic; called once per group. */
    void visitShared(SharedGroup group);
}
