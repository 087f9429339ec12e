package io.rampart.server.it;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import io.rampart.core.memory.MemoryBudget;
import io.rampart.core.session.DropReason;
import io.rampart.server.it.support.Bystander;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.Scrape;
import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The memory budget end to end: a subscriber that stops reading holds back the publisher that feeds it while
 * everyone else is served; QoS 1 messages for an offline persistent session are held back, never dropped, for an
 * MQTT 3 publisher and refused with 0x97 for an MQTT 5 publisher when the budget is full; a full queue with the
 * {@code disconnect} policy closes its client with 0x97; readiness turns 503 above its mark.
 */
class MemoryBudgetIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final byte[] KB = new byte[1024];

    private TestBroker broker;
    private Clients clients;
    private EventLogFile events;

    private void start(String memory, String mqtt) {
        start(memory, mqtt, "");
    }

    /** {@code tcpListener}: more keys of the tcp listener, one per line. */
    private void start(String memory, String mqtt, String tcpListener) {
        StringBuilder yaml = new StringBuilder("""
                data-dir: target/test-data
                listeners:
                  - type: tcp
                    name: tcp
                    bind: 127.0.0.1
                    port: 0
                    allow-anonymous: true
                """);
        tcpListener.strip().lines().forEach(l -> yaml.append("    ").append(l.strip()).append('\n'));
        yaml.append("""
                  - type: websocket
                    name: ws
                    bind: 127.0.0.1
                    port: 0
                    allow-anonymous: true
                memory:
                """);
        memory.strip().lines().forEach(l -> yaml.append("  ").append(l.strip()).append('\n'));
        yaml.append("mqtt:\n");
        mqtt.strip().lines().forEach(l -> yaml.append("  ").append(l.strip()).append('\n'));
        broker = TestBroker.startYaml(yaml.toString());
        events = new EventLogFile(Path.of("target", "test-logs", "memory-budget-" + System.nanoTime() + ".log"));
        clients = new Clients(broker);
    }

    @AfterEach
    void stop() {
        if (clients != null) {
            clients.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (events != null) {
            events.close();
        }
    }

    private MemoryBudget budget() {
        return broker.broker().core().budget();
    }

    private Scrape scrape() {
        return Scrape.parse(broker.broker().metrics().scrape());
    }

    private List<String> eventLines(String event) {
        return events.lines("event=" + event);
    }

    /** A raw MQTT 3.1.1 subscriber of {@code filter} that never reads again, with a small receive window. */
    private RawMqttClient stalledSubscriber(String clientId, String filter, int qos) {
        RawMqttClient raw = clients.track(RawMqttClient.tcp(broker.tcpPort(), s -> {
            try {
                s.setReceiveBufferSize(4096);
            } catch (SocketException e) {
                throw new IllegalStateException(e);
            }
        }));
        raw.connect(RawPackets.connect(RawPackets.V3_1_1).clientId(clientId).keepAlive(0).build());
        raw.subscribe(1, qos, filter);
        return raw;
    }

    @Test
    void subscriberThatStopsReading_holdsBackItsPublisher_withinTheBudget_whileEveryoneElseIsServed() throws Exception {
        start("budget: 2MB", "max-queued-messages: 1000000");
        Bystander bystander = Bystander.connect(broker);
        RawMqttClient stalled = stalledSubscriber("stalled", "slow/#", 0);

        Mqtt5AsyncClient flood = clients.connectedHive5(RawTransport.TCP, "flood");
        // The client's own send() waits while its connection cannot write: publish from another thread.
        CompletableFuture<List<CompletableFuture<Mqtt5PublishResult>>> flooding = CompletableFuture.supplyAsync(() -> {
            List<CompletableFuture<Mqtt5PublishResult>> sent = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) { // 10 MB for a 2 MB budget
                sent.add(flood.publishWith().topic("slow/data").qos(MqttQos.AT_MOST_ONCE).payload(KB).send());
            }
            return sent;
        });
        AtomicLong highest = new AtomicLong();
        // Held publishers are read again as soon as the budget has room, so the held publisher and the short budget
        // are checked at the same moment rather than one after the other.
        await().atMost(WAIT).until(() -> {
            highest.accumulateAndGet(budget().used(), Math::max);
            return scrape().value("rampart_memory_held_connections") >= 1 && budget().isShort();
        });
        assertThat(eventLines("publisher-held")).anySatisfy(l -> assertThat(l).contains("client=\"flood\""));
        assertThat(eventLines("memory-budget")).anySatisfy(l -> assertThat(l).contains("level=back-pressure"));

        for (int i = 0; i < 20; i++) {
            bystander.assertStillWorks();
            highest.accumulateAndGet(budget().used(), Math::max);
        }
        assertThat(highest.get()).as("what the queues hold never passes the budget").isLessThanOrEqualTo(budget().limit());
        assertThat(scrape().value("rampart_messages_in_total", "type", "publish"))
                .as("the flood is held back: much of it is not read yet").isLessThan(9_000);

        stalled.abort(); // its clean session ends and gives its queue back: the publisher is read again
        List<CompletableFuture<Mqtt5PublishResult>> sent = flooding.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> sent.stream().allMatch(CompletableFuture::isDone));
        await().atMost(WAIT).until(() -> scrape().value("rampart_messages_in_total", "type", "publish") >= 10_000);
        await().atMost(WAIT).until(() -> scrape().value("rampart_memory_held_connections") == 0);
        assertThat(scrape().value("rampart_memory_holds_total")).isPositive();
        bystander.assertStillWorks();
        bystander.close();
    }

    @Test
    void mqtt3Qos1_forAnOfflinePersistentSession_isHeldBackNeverDropped() throws Exception {
        start("budget: 1MB", "max-queued-messages: 1000000");
        Mqtt3AsyncClient keeper = clients.hive3(RawTransport.TCP, "keeper");
        await(keeper.connectWith().cleanSession(false).send());
        await(keeper.subscribeWith().topicFilter("keep/#").qos(MqttQos.AT_LEAST_ONCE).send());
        await(keeper.disconnect());

        Mqtt3AsyncClient publisher = clients.connectedHive3(RawTransport.TCP, "keep-publisher");
        int n = 3_000; // 3 MB for a 1 MB budget
        List<CompletableFuture<Mqtt3Publish>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(publisher.publishWith().topic("keep/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(KB).send());
        }
        await().atMost(WAIT).until(() -> scrape().value("rampart_memory_held_connections") >= 1);
        assertThat(sent).anyMatch(f -> !f.isDone());

        BlockingQueue<Mqtt3Publish> received = new LinkedBlockingQueue<>();
        keeper.publishes(MqttGlobalPublishFilter.ALL, received::add);
        await(keeper.connectWith().cleanSession(false).send());
        await().atMost(WAIT).until(() -> received.size() >= n);
        assertThat(received.stream().map(p -> p.getTopic().toString()).distinct().count()).isEqualTo(n);
        await().atMost(WAIT).until(() -> sent.stream().allMatch(CompletableFuture::isDone));
        assertThat(sent).noneMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(broker.broker().events().dropped(DropReason.BUDGET_FULL)).isZero();
        assertThat(broker.broker().events().dropped(DropReason.QUEUE_FULL)).isZero();
    }

    @Test
    void mqtt5Qos1_whenTheBudgetIsFull_isRefusedWithQuotaExceeded_andNothingIsDropped() {
        start("""
                budget: 256KB
                back-pressure-at: 100%
                shed-qos0-at: 100%
                not-ready-at: 100%
                """, "max-queued-messages: 1000000");
        Mqtt5AsyncClient keeper = clients.hive5(RawTransport.TCP, "keeper5");
        await(keeper.connectWith().cleanStart(true).sessionExpiryInterval(600).send());
        await(keeper.subscribeWith().topicFilter("keep5/#").qos(MqttQos.AT_LEAST_ONCE).send());
        await(keeper.disconnect());

        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, "keep5-publisher");
        Throwable refused = null;
        int accepted = 0;
        while (refused == null && accepted < 1_000) {
            try {
                publisher.publishWith().topic("keep5/" + accepted).qos(MqttQos.AT_LEAST_ONCE).payload(KB).send()
                        .get(10, TimeUnit.SECONDS);
                accepted++;
            } catch (Exception e) {
                refused = e.getCause();
            }
        }
        assertThat(refused).isInstanceOfSatisfying(Mqtt5PubAckException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x97));
        assertThat(budget().used()).isLessThanOrEqualTo(budget().limit());
        assertThat(scrape().value("rampart_publish_dropped_total", "reason", "budget-full")).isEqualTo(1);

        BlockingQueue<Mqtt5Publish> received = new LinkedBlockingQueue<>();
        keeper.publishes(MqttGlobalPublishFilter.ALL, received::add);
        await(keeper.connectWith().cleanStart(false).sessionExpiryInterval(600).send());
        int acknowledged = accepted;
        await().atMost(WAIT).until(() -> received.size() >= acknowledged);
        assertThat(received).hasSize(acknowledged);
    }

    @Test
    void fullQueue_withTheDisconnectPolicy_closesTheClientWithQuotaExceeded_andReportsTheSlowConsumer() {
        start("budget: 16MB", """
                max-queued-messages: 20
                queue-overflow: disconnect
                """);
        AtomicReference<Throwable> disconnected = new AtomicReference<>();
        Mqtt5AsyncClient slow = clients.hive5(RawTransport.TCP, "slow5", b -> b
                .addDisconnectedListener(ctx -> disconnected.compareAndSet(null, ctx.getCause())));
        slow.publishes(MqttGlobalPublishFilter.ALL, p -> { }, true); // never acknowledged
        await(slow.connectWith().cleanStart(true).restrictions().receiveMaximum(5).applyRestrictions().send());
        await(slow.subscribeWith().topicFilter("busy/#").qos(MqttQos.AT_LEAST_ONCE).send());

        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, "busy-publisher");
        for (int i = 0; i < 40; i++) {
            await(publisher.publishWith().topic("busy/x").qos(MqttQos.AT_LEAST_ONCE).payload(KB).send());
        }
        await().atMost(WAIT).until(() -> disconnected.get() != null);
        assertThat(disconnected.get()).isInstanceOfSatisfying(Mqtt5DisconnectException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x97));
        assertThat(eventLines("slow-consumer")).singleElement().satisfies(l -> assertThat(l)
                .contains("client=\"slow5\"", "action=disconnect", "queued-messages=20", "max-queued-messages=20"));
        Scrape s = scrape();
        assertThat(s.value("rampart_slow_consumers_total", "action", "disconnect")).isEqualTo(1);
        assertThat(s.value("rampart_connections_closed_total", "reason", "slow-consumer")).isEqualTo(1);
        assertThat(s.value("rampart_publish_dropped_total", "reason", "queue-full")).isPositive();
    }

    @Test
    void listenersSlowConsumerPolicy_appliesToItsClientsOnly() {
        start("budget: 16MB", """
                max-queued-messages: 20
                queue-overflow: drop-oldest
                """, "queue-overflow: disconnect");
        AtomicReference<Throwable> tcpClosed = new AtomicReference<>();
        AtomicReference<Throwable> wsClosed = new AtomicReference<>();
        Mqtt5AsyncClient onTcp = clients.hive5(RawTransport.TCP, "slow-tcp", b -> b
                .addDisconnectedListener(ctx -> tcpClosed.compareAndSet(null, ctx.getCause())));
        Mqtt5AsyncClient onWs = clients.hive5(RawTransport.WEBSOCKET, "slow-ws", b -> b
                .addDisconnectedListener(ctx -> wsClosed.compareAndSet(null, ctx.getCause())));
        for (Mqtt5AsyncClient slow : List.of(onTcp, onWs)) {
            slow.publishes(MqttGlobalPublishFilter.ALL, p -> { }, true); // never acknowledged
            await(slow.connectWith().cleanStart(true).restrictions().receiveMaximum(5).applyRestrictions().send());
            await(slow.subscribeWith().topicFilter("busy/#").qos(MqttQos.AT_LEAST_ONCE).send());
        }

        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, "busy-publisher");
        for (int i = 0; i < 40; i++) {
            await(publisher.publishWith().topic("busy/x").qos(MqttQos.AT_LEAST_ONCE).payload(KB).send());
        }
        await().atMost(WAIT).until(() -> tcpClosed.get() != null);
        assertThat(tcpClosed.get()).isInstanceOfSatisfying(Mqtt5DisconnectException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x97));
        await().atMost(WAIT).until(() -> eventLines("slow-consumer").size() == 2);
        assertThat(eventLines("slow-consumer")).anySatisfy(l -> assertThat(l)
                .contains("client=\"slow-tcp\"", "action=disconnect", "max-queued-messages=20"));
        assertThat(eventLines("slow-consumer")).anySatisfy(l -> assertThat(l)
                .contains("client=\"slow-ws\"", "action=drop-oldest", "max-queued-messages=20"));
        assertThat(wsClosed.get()).as("the websocket listener's client stays connected").isNull();
        assertThat(onWs.getState().isConnected()).isTrue();
        Scrape s = scrape();
        assertThat(s.value("rampart_slow_consumers_total", "action", "disconnect")).isEqualTo(1);
        assertThat(s.value("rampart_slow_consumers_total", "action", "drop-oldest")).isEqualTo(1);
    }

    @Test
    void slowConsumer_hasItsOwnGaugesUntilItsSessionEnds() {
        start("budget: 16MB", """
                max-queued-bytes: 8KB
                queue-overflow: drop-oldest
                """);
        Mqtt5AsyncClient keeper = clients.hive5(RawTransport.TCP, "bytes-keeper");
        await(keeper.connectWith().cleanStart(true).sessionExpiryInterval(600).send());
        await(keeper.subscribeWith().topicFilter("bytes/#").qos(MqttQos.AT_LEAST_ONCE).send());
        await(keeper.disconnect());

        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, "bytes-publisher");
        for (int i = 0; i < 20; i++) {
            await(publisher.publishWith().topic("bytes/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(KB).send());
        }
        Scrape s = scrape();
        assertThat(s.value("rampart_slow_consumer_queued_bytes", "client", "bytes-keeper"))
                .isPositive().isLessThanOrEqualTo(8 * 1024);
        assertThat(s.value("rampart_slow_consumer_queued_messages", "client", "bytes-keeper")).isBetween(1.0, 7.0);
        assertThat(s.value("rampart_slow_consumers_total", "action", "drop-oldest")).isEqualTo(1);

        BlockingQueue<Mqtt5Publish> received = new LinkedBlockingQueue<>();
        keeper.publishes(MqttGlobalPublishFilter.ALL, received::add);
        await(keeper.connectWith().cleanStart(false).sessionExpiryInterval(0).send());
        await().atMost(WAIT).until(() -> received.stream().anyMatch(p -> p.getTopic().toString().equals("bytes/19")));
        assertThat(received).noneMatch(p -> p.getTopic().toString().equals("bytes/0"));
        await(keeper.disconnect());
        await().atMost(WAIT).until(() -> !broker.broker().metrics().scrape().contains("bytes-keeper"));
    }

    @Test
    void readiness_turns503AboveItsMark_andBackOnceTheQueueDrains() {
        start("""
                budget: 1MB
                back-pressure-at: 90%
                shed-qos0-at: 95%
                not-ready-at: 30%
                """, "max-queued-messages: 1000000");
        Mqtt5AsyncClient keeper = clients.hive5(RawTransport.TCP, "ready-keeper");
        await(keeper.connectWith().cleanStart(true).sessionExpiryInterval(600).send());
        await(keeper.subscribeWith().topicFilter("ready/#").qos(MqttQos.AT_LEAST_ONCE).send());
        await(keeper.disconnect());
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, "ready-publisher");
        for (int i = 0; i < 400; i++) {
            await(publisher.publishWith().topic("ready/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(KB).send());
        }
        assertThat(broker.broker().readinessProblems()).singleElement().asString()
                .startsWith("memory budget ").contains("not ready from 30%");

        BlockingQueue<Mqtt5Publish> received = new LinkedBlockingQueue<>();
        keeper.publishes(MqttGlobalPublishFilter.ALL, received::add);
        await(keeper.connectWith().cleanStart(false).sessionExpiryInterval(600).send());
        await().atMost(WAIT).until(() -> received.size() >= 400);
        await().atMost(WAIT).until(() -> broker.broker().readinessProblems().isEmpty());
    }
}
