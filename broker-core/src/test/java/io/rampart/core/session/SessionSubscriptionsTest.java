package io.rampart.core.session;

import io.rampart.core.ClientIdOwnership;
import io.rampart.core.MqttLimits;
import io.rampart.core.QueueOverflowPolicy;
import io.rampart.core.topic.Subscription;
import io.rampart.core.topic.SubscriptionIndex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

class SessionSubscriptionsTest {

    private ScheduledExecutorService scheduler;
    private SubscriptionIndex index;
    private SessionStore store;

    @BeforeEach
    void setUp() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        index = new SubscriptionIndex();
        MqttLimits limits = new MqttLimits(MqttLimits.MQTT_MAX_PACKET_SIZE, 256, 65_535, 1_000, 1_024, 65_535, true,
                32, 2, true, true, true, 100, QueueOverflowPolicy.DROP_OLDEST, false,
                MqttLimits.MQTT_MAX_SESSION_EXPIRY, 0, 10, 65_536, 2, ClientIdOwnership.STRICT);
        store = new SessionStore(limits, scheduler, index, SessionListener.NONE);
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
    }

    private static Subscription sub(String clientId, String fullFilter, int qos) {
        if (fullFilter.startsWith("$share/")) {
            String rest = fullFilter.substring("$share/".length());
            int slash = rest.indexOf('/');
            return new Subscription(clientId, rest.substring(slash + 1), rest.substring(0, slash), qos, false, false,
                    0, 0);
        }
        return new Subscription(clientId, fullFilter, null, qos, false, false, 0, 0);
    }

    private Session connect(String clientId, boolean cleanStart) {
        return store.attach(clientId, cleanStart, 60, null, new Output()).session();
    }

    @Test
    void subscribe_entersSessionAndIndex_andTellsNewFromReplaced() {
        Session s = connect("c", true);

        assertThat(store.subscribe(s, sub("c", "a/+", 0))).isEqualTo(SessionStore.Subscribed.NEW);
        assertThat(store.subscribe(s, sub("c", "a/+", 1))).isEqualTo(SessionStore.Subscribed.REPLACED);

        assertThat(s.subscriptions()).singleElement().extracting(Subscription::qos).isEqualTo(1);
        assertThat(index.subscriptionCount()).isEqualTo(1);
        List<Subscription> matched = new ArrayList<>();
        index.match("a/b", new io.rampart.core.topic.SubscriptionVisitor() {
            @Override
            public void visit(Subscription subscription) {
                matched.add(subscription);
            }

            @Override
            public void visitShared(io.rampart.core.topic.SharedGroup group) {
            }
        });
        assertThat(matched).singleElement().extracting(Subscription::qos).isEqualTo(1);
    }

    @Test
    void subscribe_beyondTheQuota_isRefusedAndChangesNothing_butAnExistingFilterMayBeReplaced() {
        Session s = connect("c", true);
        store.subscribe(s, sub("c", "a", 0));
        store.subscribe(s, sub("c", "$share/g/b", 0));

        assertThat(store.subscribe(s, sub("c", "c", 0))).isEqualTo(SessionStore.Subscribed.QUOTA_EXCEEDED);
        assertThat(store.subscribe(s, sub("c", "$share/g/b", 1))).isEqualTo(SessionStore.Subscribed.REPLACED);

        assertThat(s.subscriptionCount()).isEqualTo(2);
        assertThat(index.subscriptionCount()).isEqualTo(2);
        assertThat(index.sharedSubscriptionCount()).isEqualTo(1);
    }

    @Test
    void unsubscribe_removesFromSessionAndIndex_andReportsAFilterItNeverHad() {
        Session s = connect("c", true);
        store.subscribe(s, sub("c", "$share/g/jobs", 1));

        assertThat(store.unsubscribe(s, "$share/g/jobs")).isNotNull();
        assertThat(store.unsubscribe(s, "$share/g/jobs")).isNull();

        assertThat(s.subscriptionCount()).isZero();
        assertThat(index.subscriptionCount()).isZero();
        assertThat(index.sharedGroup("g", "jobs")).isNull();
    }

    @Test
    void subscribe_toASessionThatHasEnded_leavesNothingInTheIndex() {
        Session s = connect("c", false);
        connect("c", true); // a clean-start takeover ends s

        store.subscribe(s, sub("c", "late/#", 1));

        assertThat(index.subscriptionCount()).isZero();
    }

    @Test
    void end_removesEverySubscriptionOfTheSessionFromTheIndex() {
        Session s = connect("c", false);
        store.subscribe(s, sub("c", "a", 0));
        store.subscribe(s, sub("c", "$share/g/b", 0));

        connect("c", true);

        assertThat(s.isEnded()).isTrue();
        assertThat(index.subscriptionCount()).isZero();
    }

    @Test
    void subscribe_racingWithATakeoverThatEndsTheSession_neverLeavesAnEntryBehind() throws Exception {
        for (int round = 0; round < 300; round++) {
            String clientId = "race-" + round;
            Session s = connect(clientId, false);
            CountDownLatch start = new CountDownLatch(1);
            Thread subscriber = new Thread(() -> {
                await(start);
                for (int i = 0; i < 20; i++) {
                    store.subscribe(s, sub(clientId, "t/" + i, 0));
                }
            });
            Thread takeover = new Thread(() -> {
                await(start);
                store.attach(clientId, true, 0, null, new Output());
            });
            subscriber.start();
            takeover.start();
            start.countDown();
            subscriber.join();
            takeover.join();

            assertThat(s.isEnded()).isTrue();
            assertThat(index.subscriptionCount()).as("index entries left after round %d", round).isZero();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Output implements SessionOutput {
        @Override
        public void wakeup() {
        }

        @Override
        public void takenOver() {
        }
    }
}
