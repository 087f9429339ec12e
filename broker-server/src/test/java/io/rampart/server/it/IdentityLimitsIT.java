package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.rampart.server.it.support.AdminHttp;
import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Limits that follow the identity, end to end with real clients: the roles of a users file set publish rates,
 * delivery rates, a maximum packet size and a disconnect policy; a listener sets defaults. A {@code mosquitto_pub}
 * flood of a 10 msg/s role reaches its subscriber at about that rate (the broker stops reading from it instead of
 * dropping), while another client's traffic goes through; a subscriber with a delivery rate gets a burst drained at
 * its rate; a client that keeps exceeding is disconnected with 0x96 when its role asks for it; and a change of the
 * users file re-applies the limits to a live session.
 *
 * <p>Counts are compared with the elapsed time under generous bounds (the machine is shared): never the timing of
 * single messages.
 */
class IdentityLimitsIT {

    private static final String PW = "limits-Pa55";
    private static final String USERS = """
            users:
              - {username: sensor, password: "%1$s", roles: [sensors]}
              - {username: gateway, password: "%1$s", roles: [gateways]}
              - {username: watcher, password: "%1$s", roles: [gateways]}
              - {username: reader, password: "%1$s", roles: [readers]}
              - {username: hasty, password: "%1$s", roles: [hasty]}
              - {username: tiny, password: "%1$s", roles: [tiny]}
              - {username: mover, password: "%1$s", roles: [%2$s]}
            roles:
              - name: sensors
                limits: {messages-per-second: 10, message-burst: 10}
                permissions: [{topic: "#"}]
              - name: gateways
                limits: {messages-per-second: 5000, message-burst: 5000}
                permissions: [{topic: "#"}]
              - name: readers
                limits: {deliveries-per-second: 20, delivery-burst: 20}
                permissions: [{topic: "#"}]
              - name: hasty
                limits: {messages-per-second: 5, message-burst: 5, disconnect-after: 1s}
                permissions: [{topic: "#"}]
              - name: tiny
                limits: {max-packet-size: 1KB}
                permissions: [{topic: "#"}]
            """;

    @TempDir
    static Path dir;
    private static Path usersFile;
    private static TestBroker broker;
    private static EventLogFile events;

    @BeforeAll
    static void start() {
        usersFile = dir.resolve("users.yaml");
        SecSetup.writeUsers(usersFile, USERS.formatted(SecSetup.hash(PW), "gateways"));
        events = new EventLogFile(dir.resolve("events.log"));
        broker = SecSetup.start("""
                - {type: admin, name: admin, bind: 127.0.0.1, port: 0}
                - {type: tcp, name: capped, bind: 127.0.0.1, port: 0, limits: {messages-per-second: 40, max-packet-size: 4KB}}
                """, """
                realms:
                  - {name: users, type: file, path: "%s", credential-cache: 0}
                pipelines:
                  - name: users
                    listeners: [tcp, capped]
                    authentication: [{type: password, realm: users}]
                    authorization: [{type: realm, realm: users}]
                brute-force: {enabled: false}
                """.formatted(usersFile));
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

    private static Mqtt5BlockingClient connect(String user, String clientId) {
        return connect(user, clientId, broker.tcpPort());
    }

    private static Mqtt5BlockingClient connect(String user, String clientId, int port) {
        Mqtt5BlockingClient client = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder().identifier(clientId)
                .serverHost(TestBroker.HOST).serverPort(port).simpleAuth().username(user)
                .password(PW.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
        client.connect();
        return client;
    }

    /** Counts what {@code client} receives per topic. */
    private static ConcurrentHashMap<String, AtomicInteger> counting(Mqtt5BlockingClient client, String filter) {
        ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        Mqtt5AsyncClient async = client.toAsync();
        async.subscribeWith().topicFilter(filter).qos(MqttQos.AT_MOST_ONCE)
                .callback(p -> counts.computeIfAbsent(p.getTopic().toString(), t -> new AtomicInteger()).incrementAndGet())
                .send().join();
        return counts;
    }

    private static int count(ConcurrentHashMap<String, AtomicInteger> counts, String topic) {
        AtomicInteger n = counts.get(topic);
        return n == null ? 0 : n.get();
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    @Test
    void mosquittoPubFlood_ofA10PerSecondRole_isHeldToItsRate_whileAnotherClientsTrafficIsUnaffected() throws Exception {
        Mqtt5BlockingClient watcher = connect("watcher", "limits-watcher");
        Mqtt5BlockingClient gateway = connect("gateway", "limits-gateway");
        try {
            ConcurrentHashMap<String, AtomicInteger> seen = counting(watcher, "flood/#");
            long started = System.nanoTime();
            try (PubMosquitto flood = PubMosquitto.start(broker, "mosquitto_pub", "-V", "mqttv5", "-u", "sensor", "-P",
                    PW, "-i", "limits-sensor", "-t", "flood/sensor", "-m", "x", "-q", "0", "--repeat", "1000000",
                    "--repeat-delay", "0")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> count(seen, "flood/sensor") >= 10);

                // The gateway's messages go through while the sensor is held back.
                for (int i = 0; i < 500; i++) {
                    gateway.publishWith().topic("flood/gateway").qos(MqttQos.AT_LEAST_ONCE).send();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> count(seen, "flood/gateway") == 500);

                await().atMost(Duration.ofSeconds(60)).until(() -> count(seen, "flood/sensor") >= 40);
                double elapsed = seconds(started);
                int sensor = count(seen, "flood/sensor");
                assertThat(flood.isRunning()).as("mosquitto_pub is held back, not disconnected").isTrue();
                // 10 at once, then 10 per second: generous bounds either way.
                assertThat(sensor).as("sensor messages after %.1f s", elapsed)
                        .isLessThanOrEqualTo((int) (10 + 10 * elapsed * 1.5) + 20);

                AdminHttp admin = new AdminHttp(broker.port("admin"));
                assertThat(admin.scrape().value("rampart_throttle_holds_total", "direction", "publish")).isPositive();
                assertThat(admin.scrape().value("rampart_throttle_held", "direction", "publish")).isGreaterThanOrEqualTo(1);
                assertThat(events.await("event=client-throttled", "client=\"limits-sensor\""))
                        .contains("direction=publish", "limits=\"messages-per-second=10 message-burst=10\"");
            }
        } finally {
            watcher.disconnect();
            gateway.disconnect();
        }
    }

    @Test
    void deliveryRate_drainsASubscribersQueueAtTheRate_andDeliversEverythingInTheEnd() {
        Mqtt5BlockingClient reader = connect("reader", "limits-reader");
        Mqtt5BlockingClient watcher = connect("watcher", "limits-watcher-2");
        Mqtt5BlockingClient gateway = connect("gateway", "limits-gateway-2");
        try {
            ConcurrentHashMap<String, AtomicInteger> slow = counting(reader, "batch/#");
            ConcurrentHashMap<String, AtomicInteger> fast = counting(watcher, "batch/#");
            long started = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                gateway.publishWith().topic("batch/a").qos(MqttQos.AT_LEAST_ONCE).send();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> count(fast, "batch/a") == 100);
            double elapsed = seconds(started);
            assertThat(count(slow, "batch/a")).as("the reader after %.1f s", elapsed)
                    .isLessThanOrEqualTo((int) (20 + 20 * elapsed * 1.5) + 10);

            await().atMost(Duration.ofSeconds(60)).until(() -> count(slow, "batch/a") == 100);
            assertThat(new AdminHttp(broker.port("admin")).scrape()
                    .value("rampart_throttle_holds_total", "direction", "deliver")).isPositive();
        } finally {
            reader.disconnect();
            watcher.disconnect();
            gateway.disconnect();
        }
    }

    @Test
    void clientThatKeepsExceeding_withDisconnectAfter_isDisconnectedWith0x96() throws Exception {
        try (RawMqttClient raw = RawMqttClient.tcp(broker.tcpPort())) {
            raw.connect(RawPackets.connect(RawPackets.V5).clientId("limits-hasty")
                    .credentials("hasty", PW.getBytes(StandardCharsets.UTF_8)).build());
            AtomicLong sent = new AtomicLong();
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                byte[] publish = RawPackets.publish(RawPackets.V5, "hasty/t", 0, 0, new byte[16]);
                try {
                    while (true) {
                        raw.send(publish, publish, publish, publish);
                        sent.addAndGet(4);
                    }
                } catch (RuntimeException closed) {
                    // the broker closed the connection
                }
            });

            List<RawPacket> answer = raw.readUntilClosed(Duration.ofSeconds(30));

            assertThat(answer).last().satisfies(p -> {
                assertThat(p.type()).isEqualTo(RawPacket.DISCONNECT);
                assertThat(p.reasonCode()).isEqualTo(0x96);
            });
            flood.join();
            assertThat(sent.get()).isPositive();
            assertThat(new AdminHttp(broker.port("admin")).scrape()
                    .value("rampart_connections_closed_total", "reason", "message-rate-too-high")).isPositive();
        }
    }

    @Test
    void maxPacketSize_ofTheRole_isAdvertisedInConnack_andALargerPacketIsRefusedWith0x95() {
        Mqtt5BlockingClient client = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder().identifier("limits-tiny")
                .serverHost(TestBroker.HOST).serverPort(broker.tcpPort()).simpleAuth().username("tiny")
                .password(PW.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
        Mqtt5ConnAck ack = client.connect();
        assertThat(ack.getRestrictions().getMaximumPacketSize()).isEqualTo(1024);
        client.disconnect();

        try (RawMqttClient raw = RawMqttClient.tcp(broker.tcpPort())) {
            raw.connect(RawPackets.connect(RawPackets.V5).clientId("limits-tiny-raw")
                    .credentials("tiny", PW.getBytes(StandardCharsets.UTF_8)).build());
            raw.send(RawPackets.publish(RawPackets.V5, "tiny/t", 0, 0, new byte[2000]));
            assertThat(raw.readUntilClosed()).singleElement().satisfies(p -> {
                assertThat(p.type()).isEqualTo(RawPacket.DISCONNECT);
                assertThat(p.reasonCode()).isEqualTo(0x95);
            });
        }
    }

    @Test
    void listenerLimits_applyToEveryClient_theStrictestWins() {
        // The listener allows 40 msg/s and 4 KB packets; the gateway's role allows 5000 msg/s: 40 and 4 KB apply.
        Mqtt5BlockingClient client = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder().identifier("limits-capped")
                .serverHost(TestBroker.HOST).serverPort(broker.port("capped")).simpleAuth().username("gateway")
                .password(PW.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
        assertThat(client.connect().getRestrictions().getMaximumPacketSize()).isEqualTo(4096);
        Mqtt5BlockingClient watcher = connect("watcher", "limits-capped-watcher");
        try {
            ConcurrentHashMap<String, AtomicInteger> seen = counting(watcher, "capped/#");
            long started = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                client.toAsync().publishWith().topic("capped/a").qos(MqttQos.AT_MOST_ONCE).send();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> count(seen, "capped/a") >= 80);
            double elapsed = seconds(started);
            assertThat(count(seen, "capped/a")).as("after %.1f s", elapsed)
                    .isLessThanOrEqualTo((int) (40 + 40 * elapsed * 1.5) + 20);
        } finally {
            client.disconnect();
            watcher.disconnect();
        }
    }

    @Test
    void aRealmChangeOfTheRoles_reappliesTheLimitsToALiveSession() {
        Mqtt5BlockingClient mover = connect("mover", "limits-mover");
        Mqtt5BlockingClient watcher = connect("watcher", "limits-mover-watcher");
        try {
            ConcurrentHashMap<String, AtomicInteger> seen = counting(watcher, "move/#");
            // As a gateway (5000 msg/s) the batches go through unhindered.
            for (int i = 0; i < 50; i++) {
                mover.publishWith().topic("move/a").qos(MqttQos.AT_LEAST_ONCE).send();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> count(seen, "move/a") == 50);
            assertThat(events.lines("event=client-throttled")).noneMatch(l -> l.contains("client=\"limits-mover\""));

            SecSetup.writeUsers(usersFile, USERS.formatted(SecSetup.hash(PW), "sensors"));

            // Now a sensor (10 msg/s) on the same connection: it is held back as soon as the reload reached it.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (int i = 0; i < 20; i++) {
                    mover.toAsync().publishWith().topic("move/a").qos(MqttQos.AT_MOST_ONCE).send();
                }
                return !events.lines("event=client-throttled").stream()
                        .filter(l -> l.contains("client=\"limits-mover\"")).toList().isEmpty();
            });
            long started = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                mover.toAsync().publishWith().topic("move/b").qos(MqttQos.AT_MOST_ONCE).send();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> count(seen, "move/b") >= 20);
            double elapsed = seconds(started);
            assertThat(count(seen, "move/b")).as("after %.1f s", elapsed)
                    .isLessThanOrEqualTo((int) (10 + 10 * elapsed * 1.5) + 20);
        } finally {
            SecSetup.writeUsers(usersFile, USERS.formatted(SecSetup.hash(PW), "gateways"));
            mover.disconnect();
            watcher.disconnect();
        }
    }
}
