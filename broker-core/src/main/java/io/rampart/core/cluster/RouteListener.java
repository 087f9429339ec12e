package io.rampart.core.cluster;

import io.rampart.core.topic.Subscription;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Told about every subscription that enters or leaves this node's subscription index, so the cluster's routing table
 * knows which node needs which messages.
 */
public interface RouteListener {

    /** One node: nobody to tell. */
    RouteListener NONE = new RouteListener() {
        private final CompletableFuture<Void> done = CompletableFuture.completedFuture(null);

        @Override
        public void added(Subscription subscription) {
        }

        @Override
        public void removed(Subscription subscription) {
        }

        @Override
        public CompletionStage<Void> settled() {
            return done;
        }
    };

    /** A subscription entered the index (not called when it replaced one with the same client, group and filter). */
    void added(Subscription subscription);

    /** A subscription left the index. */
    void removed(Subscription subscription);

    /**
     * Completes once every change told so far is known to all nodes: a SUBACK sent after it promises that messages
     * published anywhere in the cluster from then on reach the subscription.
     */
    CompletionStage<Void> settled();
}
