package io.rampart.cluster.session;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs tasks for the same key one after another (on the executor), tasks for different keys in parallel: claims and
 * takeovers of one client id never interleave on one node.
 */
final class KeyedSerializer {

    private final Executor executor;
    private final ConcurrentHashMap<String, CompletableFuture<?>> tails = new ConcurrentHashMap<>();

    KeyedSerializer(Executor executor) {
        this.executor = executor;
    }

    <T> CompletableFuture<T> submit(String key, Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tails.compute(key, (k, tail) -> {
            CompletableFuture<?> previous = tail == null ? CompletableFuture.completedFuture(null) : tail;
            previous.whenCompleteAsync((v, e) -> {
                try {
                    result.complete(task.get());
                } catch (RuntimeException ex) {
                    result.completeExceptionally(ex);
                }
            }, executor);
            return result;
        });
        result.whenComplete((v, e) -> tails.remove(key, result));
        return result;
    }
}
