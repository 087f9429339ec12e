package io.rampart.core.retain;

import io.rampart.core.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RetainedStoreTest {

    private final RetainedStore store = new RetainedStore();

    private static Message msg(String topic, String payload) {
        return new Message(topic, 1, true, payload.getBytes(StandardCharsets.UTF_8), null, "pub", Message.NO_EXPIRY);
    }

    private List<String> match(String filter) {
        List<String> topics = new ArrayList<>();
        store.match(filter, m -> topics.add(m.topic()));
        return topics.stream().sorted().toList();
    }

    @Test
    void put_storesAndReplaces() {
        store.put(msg("a/b", "1"));
        Message second = msg("a/b", "2");
        store.put(second);

        assertThat(store.get("a/b")).isSameAs(second);
        assertThat(store.get("a")).isNull();
        assertThat(store.get("a/b/c")).isNull();
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void put_emptyPayloadClears() {
        store.put(msg("a/b", "1"));
        store.put(msg("a/b/c", "2"));
        store.put(msg("a/b", ""));
        store.put(msg("never/stored", ""));

        assertThat(store.get("a/b")).isNull();
        assertThat(store.get("a/b/c")).isNotNull();
        assertThat(store.size()).isEqualTo(1);
        store.put(msg("a/b/c", ""));
        assertThat(store.size()).isZero();
        assertThat(match("#")).isEmpty();
        store.put(msg("a/b/c", "3"));
        assertThat(match("a/b/c")).containsExactly("a/b/c");
    }

    @Test
    void match_wildcards() {
        for (String t : new String[] {"a", "a/b", "a/c", "a/b/c", "b/x", "/x", "a//c", "$SYS/broker"}) {
            store.put(msg(t, "p"));
        }

        assertThat(match("#")).containsExactly("/x", "a", "a//c", "a/b", "a/b/c", "a/c", "b/x");
        assertThat(match("+/+")).containsExactly("/x", "a/b", "a/c", "b/x");
        assertThat(match("a/#")).containsExactly("a", "a//c", "a/b", "a/b/c", "a/c");
        assertThat(match("a/+")).containsExactly("a/b", "a/c");
        assertThat(match("a/+/c")).containsExactly("a//c", "a/b/c");
        assertThat(match("+")).containsExactly("a");
        assertThat(match("a/b")).containsExactly("a/b");
        assertThat(match("a/b/#")).containsExactly("a/b", "a/b/c");
        assertThat(match("x/#")).isEmpty();
    }

    @Test
    void match_dollarTopicsOnlyByExplicitFirstLevel() {
        store.put(msg("$SYS/broker/uptime", "1"));
        store.put(msg("$SYS/broker", "1"));
        store.put(msg("a", "1"));

        assertThat(match("#")).containsExactly("a");
        assertThat(match("+/broker")).isEmpty();
        assertThat(match("$SYS/#")).containsExactly("$SYS/broker", "$SYS/broker/uptime");
        assertThat(match("$SYS/+")).containsExactly("$SYS/broker");
    }

    @Test
    void match_skipsAndRemovesExpiredMessages() {
        long past = System.nanoTime() - 1;
        store.put(new Message("a/old", 0, true, new byte[] {1}, null, "p", past));
        store.put(new Message("a/new", 0, true, new byte[] {1}, null, "p", System.nanoTime() + 60_000_000_000L));
        assertThat(store.size()).isEqualTo(2);

        assertThat(match("a/#")).containsExactly("a/new");
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.get("a/old")).isNull();
    }

    @Test
    void get_expiredMessageIsRemoved() {
        store.put(new Message("a", 0, true, new byte[] {1}, null, "p", System.nanoTime() - 1));

        assertThat(store.get("a")).isNull();
        assertThat(store.size()).isZero();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentPutAndClear_neverLosesAStoredMessage() throws Exception {
        int threads = 4;
        int rounds = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        String topic = "s/" + (r % 3) + "/t" + id;
                        store.put(msg(topic, "x"));
                        store.match("s/#", m -> { });
                        store.put(msg(topic, ""));
                    }
                    store.put(msg("s/0/keep" + id, "x"));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            assertThat(store.size()).isEqualTo(threads);
            assertThat(match("s/#")).hasSize(threads);
        } finally {
            pool.shutdownNow();
        }
    }
}
