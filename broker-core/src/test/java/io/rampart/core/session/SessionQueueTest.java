package io.rampart.core.session;

import io.rampart.core.MqttLimits;
import io.rampart.core.QueueLimits;
import io.rampart.core.QueueOverflowPolicy;
import io.rampart.core.memory.BudgetSettings;
import io.rampart.core.memory.Footprint;
import io.rampart.core.memory.MemoryBudget;
import io.rampart.core.message.Message;
import io.rampart.core.topic.SubscriptionIndex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/** The slow-consumer policy of a session's queue and what the queue draws from the memory budget. */
class SessionQueueTest {

    private static final int PAYLOAD = 840;

    private ScheduledExecutorService scheduler;
    private MemoryBudget budget;
    private SessionStore store;
    private final List<DropReason> drops = new CopyOnWriteArrayList<>();
    private final List<String> slowConsumers = new CopyOnWriteArrayList<>();
    private final List<String> ended = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        useBudget(1_000_000);
    }

    private void useBudget(long bytes) {
        budget = new MemoryBudget(new BudgetSettings(bytes, 60, 80, 90), 0);
        store = new SessionStore(MqttLimits.DEFAULTS, scheduler, new SubscriptionIndex(), new SessionListener() {
            @Override
            public void messageDropped(String clientId, Message message, int qos, DropReason reason) {
                drops.add(reason);
            }

            @Override
            public void sessionExpired(String clientId) {
            }

            @Override
            public void willPublished(String clientId, Message will) {
            }

            @Override
            public void slowConsumer(String clientId, QueueLimits limits, int messages, long bytes) {
                slowConsumers.add(clientId + " " + limits.overflow() + " " + messages + " " + bytes);
            }

            @Override
            public void sessionEnded(String clientId) {
                ended.add(clientId);
            }
        }, budget);
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
    }

    private static Outgoing outgoing(int qos, int tag) {
        byte[] payload = new byte[PAYLOAD];
        payload[0] = (byte) tag;
        return new Outgoing(Message.of("t", qos, false, payload, null, "p", 0), qos, false, new int[0], null, null);
    }

    private static int charge() {
        return outgoing(0, 0).charge();
    }

    private Session attach(String clientId, QueueLimits limits, Output output) {
        return store.attach(clientId, false, 60, null, output, null, limits).session();
    }

    private static List<Integer> tags(Session s) {
        List<Integer> tags = new ArrayList<>();
        Outgoing o;
        while ((o = s.pollForSend(65_535, System.nanoTime())) != null) {
            tags.add((int) o.message().payload()[0]);
        }
        return tags;
    }

    @Test
    void footprint_isPayloadTopicAndOverhead() {
        assertThat(charge()).isEqualTo(PAYLOAD + 1 + Footprint.MESSAGE_OVERHEAD + Footprint.ENVELOPE);
    }

    @Test
    void budget_countsAMessageSharedByManyQueuesOnce() {
        Session a = attach("a", MqttLimits.DEFAULTS.queueLimits(), new Output());
        Session b = attach("b", MqttLimits.DEFAULTS.queueLimits(), new Output());
        Session c = attach("c", MqttLimits.DEFAULTS.queueLimits(), new Output());
        Message m = Message.of("t", 1, false, new byte[10_000], null, "p", 0);
        for (Session s : List.of(a, b, c)) {
            s.enqueue(new Outgoing(m, 1, false, new int[0], null, null), false);
        }
        assertThat(budget.used()).isEqualTo(Footprint.shared(m) + 3L * Footprint.ENVELOPE);
        assertThat(a.queuedBytes()).as("each queue counts the whole message against its own bound")
                .isEqualTo(Footprint.of(m));

        a.puback(a.pollForSend(10, System.nanoTime()).packetId());
        b.pollForSend(10, System.nanoTime());
        assertThat(budget.used()).isEqualTo(Footprint.shared(m) + 2L * Footprint.ENVELOPE);
        store.attach("b", true, 0, null, new Output());
        store.attach("c", true, 0, null, new Output());
        assertThat(budget.used()).as("the last delivery gives the shared bytes back").isZero();
    }

    @Test
    void dropOldest_byBytes_evictsAsManyAsTheNewMessageNeeds() {
        Session s = attach("c", new QueueLimits(100, 3L * charge(), QueueOverflowPolicy.DROP_OLDEST), new Output());
        for (int i = 1; i <= 5; i++) {
            assertThat(s.enqueue(outgoing(1, i), false)).isTrue();
        }
        assertThat(s.queuedBytes()).isEqualTo(3L * charge());
        assertThat(drops).containsExactly(DropReason.QUEUE_FULL, DropReason.QUEUE_FULL);
        assertThat(tags(s)).containsExactly(3, 4, 5);
    }

    @Test
    void dropNewest_keepsTheQueue() {
        Session s = attach("c", new QueueLimits(2, 0, QueueOverflowPolicy.DROP_NEWEST), new Output());
        for (int i = 1; i <= 4; i++) {
            s.enqueue(outgoing(1, i), false);
        }
        assertThat(drops).containsExactly(DropReason.QUEUE_FULL, DropReason.QUEUE_FULL);
        assertThat(tags(s)).containsExactly(1, 2);
    }

    @Test
    void disconnect_asksTheConnectionToCloseOncePerEpisode_andReportsTheSlowConsumerOnce() {
        Output output = new Output();
        Session s = attach("c", new QueueLimits(4, 0, QueueOverflowPolicy.DISCONNECT), output);
        for (int i = 1; i <= 7; i++) {
            s.enqueue(outgoing(0, i), false);
        }
        assertThat(output.overflows).hasSize(1);
        assertThat(output.overflows.get(0)).contains("message queue full (4 messages");
        assertThat(slowConsumers).containsExactly("c DISCONNECT 4 " + 4L * charge());
        assertThat(drops).hasSize(3).containsOnly(DropReason.QUEUE_FULL);

        // drained to half: the next overflow is a new episode
        s.pollForSend(10, System.nanoTime());
        s.pollForSend(10, System.nanoTime());
        s.enqueue(outgoing(0, 8), false);
        s.enqueue(outgoing(0, 9), false);
        s.enqueue(outgoing(0, 10), false);
        assertThat(output.overflows).hasSize(2);
        assertThat(slowConsumers).hasSize(2);
    }

    @Test
    void budget_isHeldByQueueAndInflight_andReturnedOnSendAckAndEnd() {
        Session s = attach("c", MqttLimits.DEFAULTS.queueLimits(), new Output());
        s.enqueue(outgoing(0, 1), false);
        s.enqueue(outgoing(1, 2), false);
        s.enqueue(outgoing(2, 3), false);
        assertThat(budget.used()).isEqualTo(3L * charge());

        s.pollForSend(10, System.nanoTime()); // QoS 0: gone to the socket
        Outgoing q1 = s.pollForSend(10, System.nanoTime());
        Outgoing q2 = s.pollForSend(10, System.nanoTime());
        assertThat(s.queuedBytes()).isZero();
        assertThat(s.inflightBytes()).isEqualTo(2L * charge());
        assertThat(budget.used()).isEqualTo(2L * charge());

        s.puback(q1.packetId());
        s.pubrec(q2.packetId());
        assertThat(budget.used()).as("awaiting PUBCOMP still holds it").isEqualTo(charge());
        s.pubcomp(q2.packetId());
        assertThat(budget.used()).isZero();

        s.enqueue(outgoing(1, 4), false);
        s.enqueue(outgoing(1, 5), false);
        s.pollForSend(10, System.nanoTime());
        store.attach("c", true, 0, null, new Output()); // clean start ends the old session
        assertThat(ended).containsExactly("c");
        assertThat(budget.used()).isZero();
    }

    @Test
    void fullBudget_dropsTheMessage_andCountsIt() {
        useBudget(64 * 1024);
        Session s = attach("c", new QueueLimits(1_000, 0, QueueOverflowPolicy.DROP_OLDEST), new Output());
        int fits = (int) (64 * 1024 / charge());
        for (int i = 0; i < fits + 5; i++) {
            s.enqueue(outgoing(1, i), false);
        }
        assertThat(s.queuedCount()).isEqualTo(fits);
        assertThat(drops).hasSize(5).containsOnly(DropReason.BUDGET_FULL);
        assertThat(budget.used()).isLessThanOrEqualTo(budget.limit());
    }

    @Test
    void shortBudget_dropsQos0ForTheFullestQueuesOnly() {
        useBudget(100L * charge());
        Session slow = attach("slow", MqttLimits.DEFAULTS.queueLimits(), new Output());
        Session fast = attach("fast", MqttLimits.DEFAULTS.queueLimits(), new Output());
        for (int i = 0; i < 79; i++) {
            slow.enqueue(outgoing(1, i), false);
        }
        assertThat(slow.offer(outgoing(1, 79), false, false)).as("back-pressure mark: the fullest queue says so")
                .isEqualTo(Session.QUEUED_IN_FULLEST);
        assertThat(budget.level()).isEqualTo(MemoryBudget.SHED_QOS0);

        assertThat(slow.enqueue(outgoing(0, 80), false)).isFalse();
        assertThat(slow.enqueue(outgoing(1, 81), false)).as("QoS 1 is not shed").isTrue();
        assertThat(fast.offer(outgoing(0, 82), false, false)).isEqualTo(Session.QUEUED);
        assertThat(drops).containsExactly(DropReason.SHED_QOS0);
    }

    private static final class Output implements SessionOutput {
        final List<String> overflows = new CopyOnWriteArrayList<>();

        @Override
        public void wakeup() {
        }

        @Override
        public void takenOver() {
        }

        @Override
        public void queueOverflow(String reason) {
            overflows.add(reason);
        }
    }
}
