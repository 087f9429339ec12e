package io.rampart.core.session;

import io.rampart.core.ClientIdOwnership;
import io.rampart.core.MqttLimits;
import io.rampart.core.QueueOverflowPolicy;
import io.rampart.core.cluster.QueuedMessage;
import io.rampart.core.cluster.SessionJournal;
import io.rampart.core.cluster.SessionLog;
import io.rampart.core.cluster.SessionSnapshot;
import io.rampart.core.memory.BudgetSettings;
import io.rampart.core.memory.MemoryBudget;
import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.topic.Subscription;
import io.rampart.core.topic.SubscriptionIndex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Sessions handed between nodes: export, restore and adoption, sequence-derived packet ids and the journal calls. */
class SessionMoveTest {

    private ScheduledExecutorService scheduler;
    private final List<Message> wills = new CopyOnWriteArrayList<>();
    private final List<String> journal = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
    }

    private SessionStore store(SubscriptionIndex index, SessionJournal sessionJournal) {
        return store(index, sessionJournal, budget());
    }

    /** An exact budget (no per-thread chunks), far larger than any test fills. */
    private static MemoryBudget budget() {
        return new MemoryBudget(new BudgetSettings(64L * 1024 * 1024, 60, 80, 90), 0);
    }

    private SessionStore store(SubscriptionIndex index, SessionJournal sessionJournal, MemoryBudget budget) {
        MqttLimits limits = new MqttLimits(MqttLimits.MQTT_MAX_PACKET_SIZE, 256, 65_535, 1_000, 1_024, 65_535, true,
                32, 2, true, true, true, 100, QueueOverflowPolicy.DROP_OLDEST, false,
                MqttLimits.MQTT_MAX_SESSION_EXPIRY, 0, 10, 65_536, 10_000, ClientIdOwnership.STRICT);
        SessionStore store = new SessionStore(limits, scheduler, index, SessionListener.NONE, budget, sessionJournal);
        store.wire(wills::add, l -> { });
        return store;
    }

    private static Outgoing outgoing(String topic, int qos) {
        return new Outgoing(Message.of(topic, qos, false, topic.getBytes(), MessageProperties.NONE, "p", 0), qos,
                false, new int[0], null, null);
    }

    @Test
    void packetIds_followTheSequence_andWaitWhileTheirIdentifierIsStillInFlight() {
        SessionStore store = store(new SubscriptionIndex(), SessionJournal.NONE);
        Session s = store.attach("c", false, 60, null, new Output()).session();
        s.enqueue(outgoing("a", 0), false);
        s.enqueue(outgoing("b", 1), false);
        s.enqueue(outgoing("c", 2), false);

        assertThat(s.pollForSend(10, System.nanoTime()).packetId()).isZero();
        assertThat(s.pollForSend(10, System.nanoTime()).packetId()).isEqualTo(2);
        assertThat(s.pollForSend(10, System.nanoTime()).packetId()).isEqualTo(3);
        assertThat(Outgoing.packetIdFor(65_535)).isEqualTo(1);
        assertThat(Outgoing.packetIdFor(65_536)).isEqualTo(2);
    }

    @Test
    void export_handsOverSubscriptionsAndMessages_andRestoreResendsUnderTheSameIdentifiers() {
        SubscriptionIndex fromIndex = new SubscriptionIndex();
        SessionStore from = store(fromIndex, SessionJournal.NONE);
        Output old = new Output();
        SessionOwner alice = new SessionOwner("realm local", "alice");
        Session s = from.attach("c", false, 600, null, old, alice).session();
        from.subscribe(s, new Subscription("c", "a/#", null, 2, false, false, 0, 7));
        s.enqueue(outgoing("a/1", 1), false);
        s.enqueue(outgoing("a/2", 2), false);
        s.enqueue(outgoing("a/3", 1), false);
        Outgoing sent = s.pollForSend(10, System.nanoTime());
        s.markSent(sent);
        Outgoing releasing = s.pollForSend(10, System.nanoTime());
        s.markSent(releasing);
        s.pubrec(releasing.packetId());

        SessionStore.Exported exported = from.export("c", false, alice);

        assertThat(exported.refused()).isFalse();
        assertThat(old.takenOver).isTrue();
        assertThat(from.get("c")).isNull();
        assertThat(fromIndex.subscriptionCount()).isZero();
        SessionSnapshot snapshot = exported.snapshot();
        assertThat(snapshot.owner()).isEqualTo(alice);
        assertThat(snapshot.subscriptions()).extracting(Subscription::fullFilter).containsExactly("a/#");
        assertThat(snapshot.messages()).extracting(QueuedMessage::stage).containsExactly(QueuedMessage.Stage.SENT,
                QueuedMessage.Stage.RELEASING, QueuedMessage.Stage.QUEUED);

        SubscriptionIndex toIndex = new SubscriptionIndex();
        SessionStore to = store(toIndex, SessionJournal.NONE);
        to.restore(snapshot);
        SessionStore.Attached resumed = to.attach("c", false, 600, null, new Output(), alice);

        assertThat(resumed.sessionPresent()).isTrue();
        assertThat(toIndex.subscriptionCount()).isEqualTo(1);
        List<Outgoing> inflight = resumed.session().inflightMessages();
        assertThat(inflight).extracting(Outgoing::packetId).containsExactly(sent.packetId(), releasing.packetId());
        assertThat(inflight.get(0).isDuplicate()).isTrue();
        assertThat(inflight.get(1).isReleasing()).isTrue();
        Outgoing next = resumed.session().pollForSend(10, System.nanoTime());
        assertThat(next.message().topic()).isEqualTo("a/3");
        assertThat(next.packetId()).isEqualTo(3);
        resumed.session().enqueue(outgoing("a/4", 1), false);
        assertThat(resumed.session().pollForSend(10, System.nanoTime()).packetId()).isEqualTo(4);
    }

    @Test
    void memoryBudget_aMovedSessionsMessagesLeaveTheOldNodesBudget_andHoldTheNewOnesUntilAcknowledged() {
        MemoryBudget fromBudget = budget();
        SessionStore from = store(new SubscriptionIndex(), SessionJournal.NONE, fromBudget);
        Session s = from.attach("c", false, 600, null, new Output()).session();
        s.enqueue(outgoing("a/1", 1), false);
        s.enqueue(outgoing("a/2", 2), false);
        s.enqueue(outgoing("a/3", 1), false);
        Outgoing sent = s.pollForSend(10, System.nanoTime());
        s.markSent(sent);
        Outgoing releasing = s.pollForSend(10, System.nanoTime());
        s.markSent(releasing);
        s.pubrec(releasing.packetId());
        long held = fromBudget.used();
        assertThat(held).isEqualTo(s.queuedBytes() + s.inflightBytes()).isPositive();

        SessionSnapshot snapshot = from.export("c", false, null).snapshot();

        assertThat(fromBudget.used()).isZero();
        MemoryBudget toBudget = budget();
        SessionStore to = store(new SubscriptionIndex(), SessionJournal.NONE, toBudget);
        Session moved = to.restore(snapshot);
        assertThat(toBudget.used()).isEqualTo(held).isEqualTo(moved.queuedBytes() + moved.inflightBytes());
        to.attach("c", false, 600, null, new Output());
        Outgoing last = moved.pollForSend(10, System.nanoTime());
        moved.puback(sent.packetId());
        moved.pubcomp(releasing.packetId());
        moved.puback(last.packetId());
        moved.puback(last.packetId());

        assertThat(toBudget.used()).isZero();
        assertThat(moved.queuedBytes() + moved.inflightBytes()).isZero();
    }

    @Test
    void export_ofAnotherIdentitysSession_isRefused_andChangesNothing() {
        SessionStore from = store(new SubscriptionIndex(), SessionJournal.NONE);
        Output old = new Output();
        Session s = from.attach("c", false, 600, null, old, new SessionOwner("realm local", "alice")).session();

        SessionStore.Exported exported = from.export("c", false, new SessionOwner("realm local", "mallory"));

        assertThat(exported.refused()).isTrue();
        assertThat(exported.heldBy().name()).isEqualTo("alice");
        assertThat(from.get("c")).isSameAs(s);
        assertThat(old.takenOver).isFalse();
    }

    @Test
    void export_withCleanStart_endsTheSession_andPublishesItsWill() {
        SessionStore from = store(new SubscriptionIndex(), SessionJournal.NONE);
        from.attach("c", false, 600, will(30), new Output());

        SessionStore.Exported exported = from.export("c", true, null);

        assertThat(exported.snapshot()).isNull();
        assertThat(from.get("c")).isNull();
        assertThat(wills).extracting(Message::topic).containsExactly("last/will");
    }

    @Test
    void adopt_ofASessionWhoseNodeDied_publishesTheWillAfterItsDelay_andExpiresIt() {
        SessionStore from = store(new SubscriptionIndex(), SessionJournal.NONE);
        Session s = from.attach("c", false, 2, will(1), new Output()).session();
        SessionSnapshot snapshot = s.snapshot(true);
        SessionStore to = store(new SubscriptionIndex(), SessionJournal.NONE);

        to.adopt(snapshot);

        assertThat(wills).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> wills.size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> to.get("c") == null);
        assertThat(wills).hasSize(1);
    }

    @Test
    void journal_hearsOfEveryChange_inOrder_andAMovedSessionKeepsItsReplica() {
        SessionJournal recording = (session, restored) -> new RecordingLog(restored);
        SessionStore store = store(new SubscriptionIndex(), recording);
        Output out = new Output();
        Session s = store.attach("c", false, 600, null, out).session();
        store.subscribe(s, new Subscription("c", "a", null, 1, false, false, 0, 0));
        s.enqueue(outgoing("a", 0), false);
        s.enqueue(outgoing("a", 1), false);
        s.enqueue(outgoing("a", 2), false);
        Outgoing one = s.pollForSend(10, System.nanoTime());
        Outgoing two = s.pollForSend(10, System.nanoTime());
        Outgoing three = s.pollForSend(10, System.nanoTime());
        s.puback(two.packetId());
        s.pubrec(three.packetId());
        s.pubcomp(three.packetId());
        store.detach(s, out, true);
        store.export("c", false, null);

        assertThat(one.qos()).isZero();
        assertThat(journal).containsExactly("open", "changed", "changed", "changed", "queued 1",
                "queued 2", "removed 1", "released 2", "removed 2", "changed", "moved");
    }

    private static Will will(long delay) {
        return new Will("last/will", 1, false, new byte[]{1}, MessageProperties.NONE, 0, delay);
    }

    private final class RecordingLog implements SessionLog {
        RecordingLog(boolean restored) {
            journal.add(restored ? "open restored" : "open");
        }

        @Override
        public void changed() {
            journal.add("changed");
        }

        @Override
        public void queued(Outgoing outgoing) {
            journal.add("queued " + outgoing.seq());
        }

        @Override
        public void released(Outgoing outgoing) {
            journal.add("released " + outgoing.seq());
        }

        @Override
        public void removed(Outgoing outgoing) {
            journal.add("removed " + outgoing.seq());
        }

        @Override
        public void ended() {
            journal.add("ended");
        }

        @Override
        public void movedAway() {
            journal.add("moved");
        }

        @Override
        public CompletionStage<Void> flushed() {
            return CompletableFuture.completedFuture(null);
        }
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
