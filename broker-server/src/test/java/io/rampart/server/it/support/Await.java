package io.rampart.server.it.support;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounded waits for the end-to-end tests: futures of the async client libraries and queues filled by
 * callbacks. Nothing waits longer than {@link #TIMEOUT}; a wait that fails or runs out fails the test with
 * an {@link AssertionError} that carries the cause.
 */
public final class Await {

    /** The longest wait for an answer from the broker. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Await() {
    }

    /** The value of a future within {@link #TIMEOUT}; an exceptional completion becomes an AssertionError with the cause. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("completed exceptionally: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no result within " + TIMEOUT.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The cause of a future's exceptional completion; fails if it completes normally. */
    public static Throwable failure(CompletableFuture<?> future) {
        Object value;
        try {
            value = future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("no result within " + TIMEOUT.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        throw new AssertionError("expected a failure but got " + value);
    }

    /** The next element of a queue within {@link #TIMEOUT}. */
    public static <T> T next(BlockingQueue<T> queue) {
        try {
            T t = queue.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (t == null) {
                throw new AssertionError("nothing received within " + TIMEOUT.toMillis() + " ms");
            }
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
