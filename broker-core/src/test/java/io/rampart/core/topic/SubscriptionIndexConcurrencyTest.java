package io.rampart.core.topic;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionIndexConcurrencyTest {

    private static final int ROUNDS = 20_000;

    /**
     * One thread per client keeps subscribing and unsubscribing filters on a branch shared with the others (so
     * pruning keeps racing node creation) and re-adds a permanent subscription below it. Afterwards every
     * client's last permanent subscription must be present and the counts exact.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pruneRacingSubscribe_neverLosesASubscription() throws Exception {
        SubscriptionIndex index = new SubscriptionIndex();
        int threads = Math.max(4, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String client = "c" + t;
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < ROUNDS; r++) {
                        String transientFilter = "x/y/" + (r % 3) + "/z";
                        String permanent = "x/y/" + (r % 3) + "/z/" + client;
                        index.subscribe(SubscriptionIndexTest.sub(client, transientFilter));
                        if (r % 3 == 0) {
                            index.subscribe(SubscriptionIndexTest.sub(client, permanent));
                        }
                        index.subscribe(SubscriptionIndexTest.shared(client, "g", transientFilter));
                        index.unsubscribe(client, null, transientFilter);
                        index.unsubscribe(client, "g", transientFilter);
                        if (r % 3 == 0 && r + 3 < ROUNDS) {
                            index.unsubscribe(client, null, permanent);
                        }
                    }
                    return null;
                }));
            }
            Future<?> reader = pool.submit(() -> {
                start.await();
                SubscriptionVisitor visitor = new SubscriptionVisitor() {
                    @Override
                    public void visit(Subscription subscription) {
                    }

                    @Override
                    public void visitShared(SharedGroup group) {
                        group.next(s -> true);
                    }
                };
                while (!stop.get()) {
                    index.match("x/y/0/z", visitor);
                    index.match("x/y/1/z/c0", visitor);
                }
                return null;
            });
            for (Future<?> w : writers) {
                w.get();
            }
            stop.set(true);
            reader.get();

            // The last permanent subscription of each client (r = largest multiple of 3 below ROUNDS) survives.
            int last = ((ROUNDS - 1) / 3) * 3;
            String lastBranch = "x/y/" + (last % 3) + "/z/";
            for (int t = 0; t < threads; t++) {
                String client = "c" + t;
                SubscriptionIndexTest.Collector c = new SubscriptionIndexTest.Collector();
                index.match(lastBranch + client, c);
                assertThat(c.plain).as(client).extracting(Subscription::clientId).containsExactly(client);
            }
            assertThat(index.subscriptionCount()).isEqualTo(threads);
            assertThat(index.sharedSubscriptionCount()).isZero();
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    /** Subscribes and unsubscribes on the same nodes from many threads; the count must end exact. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentChurn_keepsCountsExactAndMatchesEverySurvivor() throws Exception {
        SubscriptionIndex index = new SubscriptionIndex();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < ROUNDS; r++) {
                        String filter = "p/" + (r % 5);
                        String client = "c" + id + "-" + (r % 7);
                        index.subscribe(SubscriptionIndexTest.sub(client, filter));
                        index.unsubscribe(client, null, filter);
                    }
                    // Leave exactly one subscription per thread.
                    index.subscribe(SubscriptionIndexTest.sub("c" + id, "p/" + id + "/#"));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            assertThat(index.subscriptionCount()).isEqualTo(threads);
            for (int t = 0; t < threads; t++) {
                SubscriptionIndexTest.Collector c = new SubscriptionIndexTest.Collector();
                index.match("p/" + t, c);
                assertThat(c.plain).extracting(Subscription::clientId).containsExactly("c" + t);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
