package io.rampart.server.it;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.it.support.Scrape;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The slow-consumer policy that follows the identity, end to end: roles of a users file bound their clients' session
 * queues and choose what a full queue does, on a listener whose own policy is 1 000 messages, drop-oldest. A stopped
 * subscriber of the {@code slow} role (100 messages, drop-oldest) loses its oldest QoS 0 and QoS 1 messages while a
 * subscriber of another role on the same listener keeps everything; a {@code quitters} subscriber (20 messages,
 * disconnect) is disconnected with 0x97; a change of the users file gives a live session its role's policy. Each
 * overflow writes an {@code event=slow-consumer} line and gives the client its own gauges.
 */
class RoleQueueLimitsIT {

    private static final String PW = "queues-Pa55";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String USERS = """
            users:
              - {username: slow, password: "%1$s", roles: [slow]}
              - {username: plain, password: "%1$s", roles: [plain]}
              - {username: quitter, password: "%1$s", roles: [quitters]}
              - {username: mover, password: "%1$s", roles: [%2$s]}
            roles:
              - name: slow
                limits: {max-queued-messages: 100, queue-overflow: drop-oldest}
                permissions: [{topic: "#"}]
              - name: plain
                permissions: [{topic: "#"}]
              - name: quitters
                limits: {max-queued-messages: 20, queue-overflow: disconnect}
                permissions: [{topic: "#"}]
            """;

    @TempDir
    static Path dir;
    private static Path usersFile;
    private static TestBroker broker;
    private static EventLogFile events;
    private Clients clients;

    @BeforeAll
    static void start() {
        usersFile = dir.resolve("users.yaml");
        SecSetup.writeUsers(usersFile, USERS.formatted(SecSetup.hash(PW), "plain"));
        events = new EventLogFile(dir.resolve("events.log"));
        broker = SecSetup.start("", """
                realms:
                  - {name: users, type: file, path: "%s", credential-cache: 0}
                pipelines:
                  - name: users
                    listeners: [tcp]
                    authentication: [{type: password, realm: users}]
                    authorization: [{type: realm, realm: users}]
                brute-force: {enabled: false}
                """.formatted(usersFile), """
                max-queued-messages: 1000
                queue-overflow: drop-oldest
                queue-qos0-offline: true
                """);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (events != null) {
            events.close();
        }
    }

    @BeforeEach
    void clients() {
        clients = new Clients(broker);
    }

    @AfterEach
    void closeClients() {
        clients.close();
    }

    private Mqtt5AsyncClient client(String user, String clientId, AtomicReference<Throwable> disconnected) {
        return clients.track(Mqtt5Client.builder().identifier(clientId).serverHost(TestBroker.HOST)
                .serverPort(broker.tcpPort()).simpleAuth().username(user).password(PW.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().addDisconnectedListener(ctx -> {
                    if (disconnected != null) {
                        disconnected.compareAndSet(null, ctx.getCause());
                    }
                }).build());
    }

    private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Scrape scrape() {
        return Scrape.parse(broker.broker().metrics().scrape());
    }

    /** A persistent subscriber of {@code filter} at QoS 1 that goes offline: its session queues what arrives. */
    private Mqtt5AsyncClient stoppedSubscriber(String user, String clientId, String filter) {
        Mqtt5AsyncClient c = client(user, clientId, null);
        join(c.connectWith().cleanStart(true).sessionExpiryInterval(600).send());
        join(c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send());
        join(c.disconnect());
        return c;
    }

    /** Reconnects {@code c} to its session and collects what it receives. */
    private static BlockingQueue<Mqtt5Publish> resume(Mqtt5AsyncClient c) {
        BlockingQueue<Mqtt5Publish> received = new LinkedBlockingQueue<>();
        c.publishes(MqttGlobalPublishFilter.ALL, received::add);
        join(c.connectWith().cleanStart(false).sessionExpiryInterval(0).send());
        return received;
    }

    @Test
    void stoppedSubscriber_ofTheSlowRole_losesItsOldestMessages_whileAnotherRolesSubscriberKeepsEverything() {
        Mqtt5AsyncClient slow = stoppedSubscriber("slow", "queues-slow-sub", "fleet/#");
        Mqtt5AsyncClient plain = stoppedSubscriber("plain", "queues-plain-sub", "fleet/#");

        Mqtt5AsyncClient publisher = client("plain", "queues-publisher", null);
        join(publisher.connectWith().cleanStart(true).send());
        for (int i = 0; i < 300; i++) {
            // Even numbers at QoS 0, odd at QoS 1: the oldest of both kinds are dropped.
            join(publisher.publishWith().topic("fleet/" + i).qos(i % 2 == 0 ? MqttQos.AT_MOST_ONCE : MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[16]).send());
        }
        await().atMost(WAIT).ignoreExceptions().until(
                () -> scrape().value("rampart_slow_consumer_queued_messages", "client", "queues-slow-sub") == 100);
        String line = events.await("event=slow-consumer", "client=\"queues-slow-sub\"");
        assertThat(line).contains("action=drop-oldest", "max-queued-messages=100");
        assertThat(events.lines("event=slow-consumer")).noneMatch(l -> l.contains("client=\"queues-plain-sub\""));

        BlockingQueue<Mqtt5Publish> slowGot = resume(slow);
        BlockingQueue<Mqtt5Publish> plainGot = resume(plain);
        await().atMost(WAIT).until(() -> plainGot.size() == 300);
        await().atMost(WAIT).until(() -> slowGot.stream().anyMatch(p -> p.getTopic().toString().equals("fleet/299")));
        List<String> slowTopics = slowGot.stream().map(p -> p.getTopic().toString()).toList();
        assertThat(slowTopics).hasSize(100).first().isEqualTo("fleet/200");
        assertThat(slowTopics).doesNotContain("fleet/0", "fleet/1", "fleet/198", "fleet/199");
        assertThat(plainGot.stream().map(p -> p.getTopic().toString())).contains("fleet/0", "fleet/1", "fleet/299");
    }

    @Test
    void fullQueue_ofARoleWithTheDisconnectPolicy_disconnectsWithQuotaExceeded_onAListenerThatDropsOldest() {
        AtomicReference<Throwable> disconnected = new AtomicReference<>();
        Mqtt5AsyncClient quitter = client("quitter", "queues-quitter", disconnected);
        quitter.publishes(MqttGlobalPublishFilter.ALL, p -> { }, true); // never acknowledged
        join(quitter.connectWith().cleanStart(true).restrictions().receiveMaximum(5).applyRestrictions().send());
        join(quitter.subscribeWith().topicFilter("quit/#").qos(MqttQos.AT_LEAST_ONCE).send());

        Mqtt5AsyncClient publisher = client("plain", "queues-quit-publisher", null);
        join(publisher.connectWith().cleanStart(true).send());
        for (int i = 0; i < 40; i++) {
            join(publisher.publishWith().topic("quit/x").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[16]).send());
        }
        await().atMost(WAIT).until(() -> disconnected.get() != null);
        assertThat(disconnected.get()).isInstanceOfSatisfying(Mqtt5DisconnectException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x97));
        assertThat(events.await("event=slow-consumer", "client=\"queues-quitter\""))
                .contains("action=disconnect", "max-queued-messages=20");
        assertThat(scrape().value("rampart_slow_consumers_total", "action", "disconnect")).isPositive();
    }

    @Test
    void aRealmChange_givesALiveSessionItsNewRolesQueuePolicy() {
        AtomicReference<Throwable> disconnected = new AtomicReference<>();
        Mqtt5AsyncClient mover = client("mover", "queues-mover", disconnected);
        mover.publishes(MqttGlobalPublishFilter.ALL, p -> { }, true); // never acknowledged
        join(mover.connectWith().cleanStart(true).restrictions().receiveMaximum(5).applyRestrictions().send());
        join(mover.subscribeWith().topicFilter("move/#").qos(MqttQos.AT_LEAST_ONCE).send());
        Mqtt5AsyncClient publisher = client("plain", "queues-move-publisher", null);
        join(publisher.connectWith().cleanStart(true).send());
        try {
            // As 'plain' the listener's 1 000 messages apply: 40 stay queued.
            for (int i = 0; i < 40; i++) {
                join(publisher.publishWith().topic("move/a").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[16]).send());
            }
            assertThat(mover.getState().isConnected()).isTrue();
            assertThat(events.lines("event=slow-consumer")).noneMatch(l -> l.contains("client=\"queues-mover\""));

            SecSetup.writeUsers(usersFile, USERS.formatted(SecSetup.hash(PW), "quitters"));

            // As a quitter (20 messages, disconnect) the next message overflows the queue once the reload reached it.
            await().atMost(WAIT).until(() -> {
                join(publisher.publishWith().topic("move/b").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[16]).send());
                return disconnected.get() != null;
            });
            assertThat(disconnected.get()).isInstanceOfSatisfying(Mqtt5DisconnectException.class,
                    e -> assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x97));
            assertThat(events.await("event=slow-consumer", "client=\"queues-mover\""))
                    .contains("action=disconnect", "max-queued-messages=20");
        } finally {
            SecSetup.writeUsers(usersFile, USERS.formatted(SecSetup.hash(PW), "plain"));
        }
    }
}
