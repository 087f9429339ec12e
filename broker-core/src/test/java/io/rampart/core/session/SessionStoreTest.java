package io.rampart.core.session;

import io.rampart.core.ClientIdOwnership;
import io.rampart.core.MqttLimits;
import io.rampart.core.QueueOverflowPolicy;
import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.topic.Subscription;
import io.rampart.core.topic.SubscriptionIndex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SessionStoreTest {

    private ScheduledExecutorService scheduler;
    private SubscriptionIndex index;
    private SessionStore store;
    private final List<Message> wills = new CopyOnWriteArrayList<>();
    private final List<String> expired = new CopyOnWriteArrayList<>();
    private final AtomicInteger dropped = new AtomicInteger();

    @BeforeEach
    void setUp() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        index = new SubscriptionIndex();
        store = store(ClientIdOwnership.STRICT);
        store.wire(wills::add, l -> { });
    }

    private SessionStore store(ClientIdOwnership ownership) {
        MqttLimits limits = new MqttLimits(MqttLimits.MQTT_MAX_PACKET_SIZE, 256, 65_535, 1_000, 1_024, 65_535, true,
                32, 2, true, true, true, 3, QueueOverflowPolicy.DROP_OLDEST, false,
                MqttLimits.MQTT_MAX_SESSION_EXPIRY, 0, 10, 65_536, 10_000, ownership);
        return new SessionStore(limits, scheduler, index, new SessionListener() {
            @Override
            public void messageDropped(String clientId, Message message, int qos, DropReason reason) {
                dropped.incrementAndGet();
            }

            @Override
            public void sessionExpired(String clientId) {
                expired.add(clientId);
            }

            @Override
            public void willPublished(String clientId, Message will) {
            }
        });
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
    }

    private static Will will(long delay) {
        return new Will("last/will", 1, false, new byte[]{1}, MessageProperties.NONE, 0, delay);
    }

    private static Outgoing outgoing(int qos) {
        return new Outgoing(Message.of("t", qos, false, new byte[0], null, "p", 0), qos, false, new int[0], null, null);
    }

    @Test
    void attach_resumesPersistentSessionWithSessionPresent() {
        Output first = new Output();
        Session s = store.attach("c", false, 60, null, first).session();
        store.detach(s, first, true);

        SessionStore.Attached again = store.attach("c", false, 60, null, new Output());

        assertThat(again.sessionPresent()).isTrue();
        assertThat(again.session()).isSameAs(s);
    }

    @Test
    void attach_cleanStartEndsOldSessionAndItsSubscriptions() {
        Output first = new Output();
        Session s = store.attach("c", false, 60, null, first).session();
        Subscription sub = new Subscription("c", "a/b", null, 1, false, false, 0, 0);
        store.subscribe(s, sub);

        SessionStore.Attached again = store.attach("c", true, 60, null, new Output());

        assertThat(again.sessionPresent()).isFalse();
        assertThat(again.session()).isNotSameAs(s);
        assertThat(index.subscriptionCount()).isZero();
        assertThat(first.takenOver).isTrue();
    }

    @Test
    void ordered_walksSessionsInClientIdOrder_fromACursor_withoutTheEndedOnes() {
        for (String id : List.of("b", "d", "a", "c")) {
            store.attach(id, false, 60, null, new Output());
        }
        assertThat(store.ordered(null, false).keySet()).containsExactly("a", "b", "c", "d");
        assertThat(store.ordered("b", false).keySet()).containsExactly("c", "d");
        assertThat(store.ordered("b", true).keySet()).containsExactly("b", "c", "d");
        Output again = new Output();
        store.attach("c", true, 0, null, again);
        store.detach(store.get("c"), again, true);
        assertThat(store.ordered(null, false).keySet()).containsExactly("a", "b", "d");
    }

    @Test
    void discardOffline_endsAnOfflineSessionWithoutItsWill_butLeavesAConnectedOne() {
        Output out = new Output();
        Session s = store.attach("c", false, 600, will(30), out).session();
        Subscription sub = new Subscription("c", "a/b", null, 1, false, false, 0, 0);
        s.putSubscription(sub);
        index.subscribe(sub);
        assertThat(store.discardOffline(s)).as("still connected").isFalse();
        store.detach(s, out, false);
        assertThat(store.discardOffline(s)).isTrue();
        assertThat(store.get("c")).isNull();
        assertThat(index.subscriptionCount()).isZero();
        assertThat(store.ordered(null, false)).isEmpty();
        assertThat(store.discardOffline(s)).as("already ended").isFalse();
        assertThat(wills).isEmpty();
    }

    @Test
    void takeover_publishesWillOfOldConnectionWhenDelayIsZero() {
        store.attach("c", false, 60, will(0), new Output());
        store.attach("c", false, 60, null, new Output());
        assertThat(wills).hasSize(1);
    }

    @Test
    void takeover_withoutCleanStart_cancelsDelayedWill() {
        store.attach("c", false, 60, will(30), new Output());
        store.attach("c", false, 60, null, new Output());
        assertThat(wills).isEmpty();
    }

    @Test
    void detach_normalDisconnectDiscardsWill() {
        Output o = new Output();
        Session s = store.attach("c", false, 60, will(0), o).session();
        store.detach(s, o, true);
        assertThat(wills).isEmpty();
    }

    @Test
    void detach_abnormalPublishesWillAndEndsSessionWithZeroExpiry() {
        Output o = new Output();
        Session s = store.attach("c", true, 0, will(0), o).session();
        store.detach(s, o, false);
        assertThat(wills).hasSize(1);
        assertThat(store.get("c")).isNull();
    }

    @Test
    void delayedWill_isCancelledByReconnect() {
        Output o = new Output();
        Session s = store.attach("c", false, 60, will(1), o).session();
        store.detach(s, o, false);
        store.attach("c", false, 60, null, new Output());
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(wills::isEmpty);
    }

    @Test
    void delayedWill_isPublishedAfterDelay() {
        Output o = new Output();
        Session s = store.attach("c", false, 60, will(1), o).session();
        store.detach(s, o, false);
        assertThat(wills).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> wills.size() == 1);
    }

    @Test
    void sessionExpiry_removesSessionAndPublishesPendingWill() {
        Output o = new Output();
        Session s = store.attach("c", false, 1, will(30), o).session();
        store.detach(s, o, false);
        await().atMost(Duration.ofSeconds(5)).until(() -> expired.contains("c"));
        assertThat(store.get("c")).isNull();
        assertThat(wills).hasSize(1);
    }

    @Test
    void queue_dropsOldestWhenFullAndCountsIt() {
        Output o = new Output();
        Session s = store.attach("c", false, 60, null, o).session();
        for (int i = 0; i < 5; i++) {
            s.enqueue(outgoing(1), false);
        }
        assertThat(s.queuedCount()).isEqualTo(3);
        assertThat(dropped.get()).isEqualTo(2);
    }

    @Test
    void offlineSession_dropsQos0ButQueuesQos1() {
        Output o = new Output();
        Session s = store.attach("c", false, 60, null, o).session();
        store.detach(s, o, true);
        assertThat(s.enqueue(outgoing(0), false)).isFalse();
        assertThat(s.enqueue(outgoing(1), false)).isTrue();
    }

    @Test
    void inflightWindow_assignsPacketIdsAndCompletesOnAck() {
        Output o = new Output();
        Session s = store.attach("c", false, 60, null, o).session();
        s.enqueue(outgoing(1), false);
        s.enqueue(outgoing(2), false);
        s.enqueue(outgoing(1), false);

        Outgoing first = s.pollForSend(2, System.nanoTime());
        Outgoing second = s.pollForSend(2, System.nanoTime());
        assertThat(s.pollForSend(2, System.nanoTime())).as("window of 2 is full").isNull();
        assertThat(first.packetId()).isNotEqualTo(second.packetId());

        assertThat(s.puback(first.packetId())).isSameAs(first);
        assertThat(s.pubrec(second.packetId())).isTrue();
        assertThat(s.pubcomp(second.packetId())).isSameAs(second);
        assertThat(s.pollForSend(2, System.nanoTime())).isNotNull();
    }

    @Test
    void inboundQos2_duplicateIsDetectedUntilRelease() {
        Session s = store.attach("c", false, 60, null, new Output()).session();
        assertThat(s.receiveQos2(7)).isTrue();
        assertThat(s.receiveQos2(7)).isFalse();
        assertThat(s.release(7)).isTrue();
        assertThat(s.receiveQos2(7)).isTrue();
    }

    @Test
    void expiredMessage_isDroppedInsteadOfSent() {
        Session s = store.attach("c", false, 60, null, new Output()).session();
        Message m = new Message("t", 1, false, new byte[0], null, "p", System.nanoTime() - 1);
        s.enqueue(new Outgoing(m, 1, false, new int[0], null, null), false);
        assertThat(s.pollForSend(10, System.nanoTime())).isNull();
        assertThat(dropped.get()).isEqualTo(1);
    }

    private static final SessionOwner ALICE = new SessionOwner("realm local", "alice");
    private static final SessionOwner BOB = new SessionOwner("realm local", "bob");

    @Test
    void attach_liveSessionOfAnotherIdentity_isRefusedAndTheOwnerKeepsItsConnection() {
        Output alice = new Output();
        Session s = store.attach("c", false, 60, will(0), alice, ALICE).session();
        s.putSubscription(new Subscription("c", "a/#", null, 1, false, false, 0, 0));

        SessionStore.Attached bob = store.attach("c", true, 0, null, new Output(), BOB);

        assertThat(bob.refused()).isTrue();
        assertThat(bob.heldBy()).isEqualTo(ALICE);
        assertThat(alice.takenOver).isFalse();
        assertThat(wills).isEmpty();
        assertThat(store.get("c")).isSameAs(s);
        assertThat(s.isConnected()).isTrue();
        assertThat(s.will()).isNotNull();
        assertThat(s.subscriptionCount()).isEqualTo(1);
        assertThat(s.owner()).isEqualTo(ALICE);
    }

    @Test
    void attach_persistentSessionOfAnotherIdentity_isRefused_andItsOwnerResumesIt() {
        Output first = new Output();
        Session s = store.attach("c", false, 60, null, first, ALICE).session();
        store.detach(s, first, true);

        assertThat(store.attach("c", false, 60, null, new Output(), BOB).refused()).isTrue();
        assertThat(store.attach("c", false, 60, null, new Output(), null).refused()).as("anonymous").isTrue();
        SessionStore.Attached again = store.attach("c", false, 60, null, new Output(), ALICE);

        assertThat(again.refused()).isFalse();
        assertThat(again.sessionPresent()).isTrue();
        assertThat(again.session()).isSameAs(s);
    }

    @Test
    void attach_sameNameFromAnotherAuthority_isAnotherIdentity() {
        store.attach("c", false, 60, null, new Output(), ALICE);

        assertThat(store.attach("c", false, 60, null, new Output(), new SessionOwner("manager x509", "alice"))
                .heldBy()).isEqualTo(ALICE);
    }

    @Test
    void attach_sameIdentity_takesTheLiveConnectionOver() {
        Output first = new Output();
        store.attach("c", false, 60, null, first, ALICE);

        SessionStore.Attached second = store.attach("c", false, 60, null, new Output(), new SessionOwner("realm local", "alice"));

        assertThat(second.refused()).isFalse();
        assertThat(second.sessionPresent()).isTrue();
        assertThat(first.takenOver).isTrue();
    }

    @Test
    void attach_sessionOfAnAnonymousClient_belongsToNobody() {
        Output anonymous = new Output();
        store.attach("c", false, 60, null, anonymous, null);

        SessionStore.Attached bob = store.attach("c", false, 60, null, new Output(), BOB);

        assertThat(bob.refused()).isFalse();
        assertThat(anonymous.takenOver).isTrue();
        assertThat(bob.session().owner()).isEqualTo(BOB);
    }

    @Test
    void attach_afterTheOwnersSessionEnded_theClientIdIsFree() {
        Output first = new Output();
        Session s = store.attach("c", false, 0, null, first, ALICE).session();
        store.detach(s, first, true);

        SessionStore.Attached bob = store.attach("c", false, 60, null, new Output(), BOB);

        assertThat(bob.refused()).isFalse();
        assertThat(bob.sessionPresent()).isFalse();
    }

    @Test
    void attach_withTakeoverOwnership_anotherIdentityTakesTheSessionAndBecomesItsOwner() {
        SessionStore lax = store(ClientIdOwnership.TAKEOVER);
        Output alice = new Output();
        Session s = lax.attach("c", false, 60, null, alice, ALICE).session();

        SessionStore.Attached bob = lax.attach("c", false, 60, null, new Output(), BOB);

        assertThat(bob.refused()).isFalse();
        assertThat(bob.session()).isSameAs(s);
        assertThat(alice.takenOver).isTrue();
        assertThat(s.owner()).isEqualTo(BOB);
    }

    private static final class Output implements SessionOutput {
        volatile boolean takenOver;

        @Override
        public void wakeup() {
        }

        @Override
        public void takenOver() {
            takenOver = true;
        }
    }
}
