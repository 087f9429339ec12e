package io.rampart.core.route;

import io.rampart.core.BrokerCore;
import io.rampart.core.MqttLimits;
import io.rampart.core.QueueLimits;
import io.rampart.core.QueueOverflowPolicy;
import io.rampart.core.memory.BudgetSettings;
import io.rampart.core.message.DeliveryTrace;
import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.message.MessageTrace;
import io.rampart.core.session.Outgoing;
import io.rampart.core.session.Session;
import io.rampart.core.session.SessionListener;
import io.rampart.core.session.SessionOutput;
import io.rampart.core.topic.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

class RouterTest {

    private ScheduledExecutorService scheduler;
    private BrokerCore core;

    @BeforeEach
    void setUp() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        core = new BrokerCore(MqttLimits.DEFAULTS, scheduler, SessionListener.NONE);
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
    }

    private final java.util.Map<String, SessionOutput> outputs = new java.util.HashMap<>();

    private Session connect(String clientId) {
        SessionOutput output = new NoopOutput();
        outputs.put(clientId, output);
        return core.sessions().attach(clientId, true, 0, null, output).session();
    }

    private void subscribe(Session session, Subscription sub) {
        core.sessions().subscribe(session, sub);
    }

    private static Subscription sub(String client, String filter, int qos, int id) {
        return new Subscription(client, filter, null, qos, false, false, 0, id);
    }

    private static Message msg(String topic, int qos, boolean retain, String publisher) {
        return Message.of(topic, qos, retain, "p".getBytes(StandardCharsets.UTF_8), MessageProperties.NONE, publisher, 0);
    }

    private static List<Outgoing> drain(Session s) {
        List<Outgoing> out = new ArrayList<>();
        Outgoing o;
        while ((o = s.pollForSend(100, System.nanoTime())) != null) {
            out.add(o);
        }
        return out;
    }

    @Test
    void publish_overlappingSubscriptions_deliversOnceAtHighestQosWithAllIds() {
        Session s = connect("c1");
        subscribe(s, sub("c1", "a/+", 0, 1));
        subscribe(s, sub("c1", "a/#", 1, 2));

        int receivers = core.router().publish(msg("a/b", 2, false, "p"));

        assertThat(receivers).isEqualTo(1);
        List<Outgoing> got = drain(s);
        assertThat(got).hasSize(1);
        assertThat(got.get(0).qos()).isEqualTo(1);
        assertThat(got.get(0).subscriptionIds()).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void publish_downgradesToSubscriptionQos() {
        Session s = connect("c1");
        subscribe(s, sub("c1", "t", 0, 0));
        core.router().publish(msg("t", 2, false, "p"));
        assertThat(drain(s)).singleElement().extracting(Outgoing::qos).isEqualTo(0);
    }

    @Test
    void publish_noLocal_skipsOwnMessages() {
        Session s = connect("c1");
        subscribe(s, new Subscription("c1", "t", null, 1, true, false, 0, 0));
        assertThat(core.router().publish(msg("t", 1, false, "c1"))).isZero();
        assertThat(core.router().publish(msg("t", 1, false, "other"))).isEqualTo(1);
    }

    @Test
    void publish_retainFlag_keptOnlyWithRetainAsPublished() {
        Session plain = connect("plain");
        Session rap = connect("rap");
        subscribe(plain, sub("plain", "t", 1, 0));
        subscribe(rap, new Subscription("rap", "t", null, 1, false, true, 0, 0));

        core.router().publish(msg("t", 1, true, "p"));

        assertThat(drain(plain)).singleElement().extracting(Outgoing::retain).isEqualTo(false);
        assertThat(drain(rap)).singleElement().extracting(Outgoing::retain).isEqualTo(true);
        assertThat(core.retained().get("t")).isNotNull();
    }

    @Test
    void publish_sharedGroup_deliversToOneMemberRoundRobin() {
        Session a = connect("a");
        Session b = connect("b");
        subscribe(a, new Subscription("a", "jobs/#", "g", 1, false, false, 0, 0));
        subscribe(b, new Subscription("b", "jobs/#", "g", 1, false, false, 0, 0));

        for (int i = 0; i < 10; i++) {
            assertThat(core.router().publish(msg("jobs/x", 1, false, "p"))).isEqualTo(1);
        }

        assertThat(drain(a).size() + drain(b).size()).isEqualTo(10);
    }

    @Test
    void deliverRetained_sendsMatchingRetainedWithRetainFlag() {
        core.router().publish(msg("r/1", 1, true, "p"));
        core.router().publish(msg("r/2", 0, true, "p"));
        core.router().publish(msg("other", 1, true, "p"));
        Session s = connect("c1");
        Subscription sub = sub("c1", "r/+", 1, 9);

        core.router().deliverRetained(s, sub);

        List<Outgoing> got = drain(s);
        assertThat(got).hasSize(2).allSatisfy(o -> {
            assertThat(o.retain()).isTrue();
            assertThat(o.subscriptionIds()).containsExactly(9);
        });
    }

    @Test
    void redeliverShared_movesOrphanedMessagesToAnotherMember() {
        Session a = connect("a");
        Session b = connect("b");
        subscribe(a, new Subscription("a", "jobs", "g", 1, false, false, 0, 0));
        subscribe(b, new Subscription("b", "jobs", "g", 1, false, false, 0, 0));
        for (int i = 0; i < 4; i++) {
            core.router().publish(msg("jobs", 1, false, "p"));
        }
        int queuedForA = a.queuedCount();
        assertThat(queuedForA).isPositive();

        // a's connection goes away: its shared messages move to b
        core.sessions().detach(a, outputOf(a), true);

        assertThat(drain(b)).hasSize(4);
    }

    // ------------------------------------------------------------------ memory budget

    /** A core whose budget holds {@code messages} deliveries of {@link #msg} (exact accounting). */
    private void useBudget(int messages) {
        int charge = new Outgoing(msg("t", 0, false, "p"), 0, false, new int[0], null, null).charge();
        core = new BrokerCore(MqttLimits.DEFAULTS,
                new BudgetSettings(Math.max(BudgetSettings.MIN_LIMIT_BYTES, (long) charge * messages), 50, 90, 90),
                scheduler, SessionListener.NONE);
    }

    @Test
    void clientPublish_qos1_isRefusedForAllItsReceiversWhenTheBudgetCannotTakeThemAll() {
        useBudget(1_000);
        Session a = connect("a");
        Session b = connect("b");
        subscribe(a, sub("a", "t", 1, 0));
        subscribe(b, sub("b", "t", 1, 0));
        int published = 0;
        while (core.router().publish(msg("t", 1, false, "p"), null) != Router.REFUSED) {
            published++;
            assertThat(published).isLessThan(1_000);
        }
        assertThat(a.queuedCount()).isEqualTo(published);
        assertThat(b.queuedCount()).as("all or none").isEqualTo(published);
        assertThat(core.budget().used()).isLessThanOrEqualTo(core.budget().limit());

        for (Session s : List.of(a, b)) {
            for (Outgoing o : drain(s)) {
                s.puback(o.packetId());
            }
        }
        assertThat(core.router().publish(msg("t", 1, false, "p"), null)).isEqualTo(2);
    }

    @Test
    void brokerPublish_qos1_isNeverRefused() {
        useBudget(1_000);
        Session a = core.sessions().attach("a", true, 0, null, new NoopOutput(), null,
                new QueueLimits(100_000, 0, QueueOverflowPolicy.DROP_OLDEST)).session();
        subscribe(a, sub("a", "t", 1, 0));
        while (core.router().publish(msg("t", 1, false, "p"), null) != Router.REFUSED) {
            assertThat(a.queuedCount()).isLessThan(10_000);
        }
        int queued = a.queuedCount();
        assertThat(core.router().publish(msg("t", 1, false, "will"))).isEqualTo(1);
        assertThat(a.queuedCount()).isEqualTo(queued + 1);
    }

    @Test
    void clientPublish_tellsThePublisherWhenItFeedsOneOfTheFullestQueuesUnderBackPressure() {
        useBudget(1_000);
        Session slow = connect("slow");
        Session fast = connect("fast");
        subscribe(slow, sub("slow", "slow", 0, 0));
        subscribe(fast, sub("fast", "fast", 0, 0));
        java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < 600; i++) {
            core.router().publish(msg("slow", 0, false, "p"), told::incrementAndGet);
            core.router().publish(msg("fast", 0, false, "q"), told::incrementAndGet);
            drain(fast);
        }
        assertThat(core.budget().isShort()).isTrue();
        int before = told.get();
        assertThat(before).isPositive();
        core.router().publish(msg("fast", 0, false, "q"), told::incrementAndGet);
        assertThat(told).as("the publisher to a queue that drains is not held").hasValue(before);
        core.router().publish(msg("slow", 0, false, "p"), told::incrementAndGet);
        assertThat(told).hasValue(before + 1);
    }

    private SessionOutput outputOf(Session s) {
        return outputs.get(s.clientId());
    }

    private static final class NoopOutput implements SessionOutput {
        @Override
        public void wakeup() {
        }

        @Override
        public void takenOver() {
        }
    }
    /** Remembers each delivery it is told about: "client@qos" and, once offered, whether the session took it. */
    private static final class RecordingTrace implements MessageTrace {
        final List<String> offered = new ArrayList<>();
        final java.util.Map<String, Boolean> queued = new java.util.HashMap<>();
        final java.util.Map<String, DeliveryTrace> deliveries = new java.util.HashMap<>();

        @Override
        public DeliveryTrace offering(String clientId, int qos) {
            offered.add(clientId + "@" + qos);
            DeliveryTrace delivery = took -> queued.put(clientId, took);
            deliveries.put(clientId, delivery);
            return delivery;
        }
    }

    @Test
    void publish_ofATracedMessage_tellsItsTraceOfEverySessionOffered_andEachOutgoingCarriesItsDelivery() {
        Session plain = connect("plain");
        Session a = connect("a");
        Session b = connect("b");
        subscribe(plain, sub("plain", "t/#", 1, 0));
        subscribe(plain, sub("plain", "t/+", 0, 0));
        subscribe(a, new Subscription("a", "t/#", "g", 0, false, false, 0, 0));
        subscribe(b, new Subscription("b", "t/#", "g", 0, false, false, 0, 0));
        RecordingTrace trace = new RecordingTrace();

        int receivers = core.router().publish(msg("t/x", 1, true, "p").withTrace(trace));

        assertThat(receivers).isEqualTo(2);
        assertThat(trace.offered).hasSize(2).contains("plain@1").containsAnyOf("a@0", "b@0");
        assertThat(trace.queued).containsValues(true, true).hasSize(2);
        List<Outgoing> plainGot = drain(plain);
        assertThat(plainGot).singleElement().satisfies(o -> assertThat(o.trace()).isSameAs(trace.deliveries.get("plain")));
        assertThat(core.retained().get("t/x").trace()).as("the retained copy is in no trace").isNull();
    }

    @Test
    void publish_ofAnUntracedMessage_createsNoDeliveryTrace() {
        Session s = connect("c1");
        subscribe(s, sub("c1", "u/#", 1, 0));

        core.router().publish(msg("u/1", 1, false, "p"));

        assertThat(drain(s)).singleElement().satisfies(o -> assertThat(o.trace()).isNull());
    }
}
