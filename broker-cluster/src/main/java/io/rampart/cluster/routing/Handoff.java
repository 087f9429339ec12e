package io.rampart.cluster.routing;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** One QoS 1/2 message forwarded to other nodes, waiting for each of them to acknowledge it. */
final class Handoff {

    final long id;
    final long startNanos;
    final Set<String> nodes;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private final AtomicInteger remaining;

    Handoff(long id, Set<String> nodes) {
        this.id = id;
        this.nodes = nodes;
        this.remaining = new AtomicInteger(nodes.size());
        this.startNanos = System.nanoTime();
    }

    /** One node acknowledged; returns whether it was the last. */
    boolean acknowledged() {
        return remaining.decrementAndGet() == 0;
    }
}
