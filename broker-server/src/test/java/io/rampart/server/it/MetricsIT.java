package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.AdminHttp;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.Scrape;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.stream.Collectors;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.next;
import static io.rampart.server.it.support.Connects.connect5;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every broker metric moved by a real client and read back from the admin listener's Prometheus scrape:
 * connections (opened, current, closed by each reason), CONNECT attempts, packets and bytes in and out by
 * type and QoS, drops by reason, retained messages, sessions, subscriptions, queued and inflight messages,
 * keep-alive disconnects, authentication decisions (timer) and authorization denials, JVM and process meters.
 * The broker is shared by the tests, so each one compares the scrape after its action with the one before.
 */
class MetricsIT {

    private static final String ALICE_PW = "alice-Pa55-metrics";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    private static TestBroker broker;
    private static AdminHttp admin;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void startBroker() {
        Path users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, """
                users:
                  - username: alice
                    password: "%s"
                    permissions:
                      - topic: "alice/#"
                      - {topic: "alice/secret", activity: subscribe, effect: deny}
                """.formatted(SecSetup.hash(ALICE_PW)));
        broker = TestBroker.startYaml("""
                data-dir: target/test-data
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0, allow-anonymous: true}
                  - {type: websocket, name: ws, bind: 127.0.0.1, port: 0, path: /mqtt, allow-anonymous: true}
                  - {type: tcp, name: secure, bind: 127.0.0.1, port: 0}
                  - {type: tcp, name: strict, bind: 127.0.0.1, port: 0}
                  - {type: admin, name: admin, bind: 127.0.0.1, port: 0}
                mqtt:
                  max-queued-messages: 2
                  connect-timeout: 2
                security:
                  realms:
                    - {name: local, type: file, path: "%s"}
                  pipelines:
                    - name: secure
                      listeners: [secure]
                      authentication:
                        - {type: password, realm: local}
                      authorization:
                        - {type: realm, realm: local}
                    - name: strict
                      listeners: [strict]
                      authentication:
                        - {type: password, realm: local}
                      authorization:
                        - {type: realm, realm: local}
                      on-publish-denied: disconnect
                  brute-force: {enabled: false}
                """.formatted(users));
        admin = new AdminHttp(broker.port("admin"));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static String id(String name) {
        return "met-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Scrape scrape() {
        return admin.scrape();
    }

    /** Waits until the metric has grown by at least {@code delta} over {@code before}. */
    private static void awaitGrowth(Scrape before, double delta, String name, String... labels) {
        double start = before.has(name) ? valueOrZero(before, name, labels) : 0;
        Awaitility.await(name + " " + String.join(",", labels) + " +" + delta).atMost(WAIT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> valueOrZero(scrape(), name, labels) >= start + delta);
    }

    private static double valueOrZero(Scrape s, String name, String... labels) {
        try {
            return s.value(name, labels);
        } catch (AssertionError e) {
            return 0;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ connections

    @Test
    void connectAndDisconnect_moveConnectionCountersPacketsAndBytes() {
        Scrape before = scrape();
        Mqtt5AsyncClient c = clients.connectedHive5(RawTransport.TCP, id("conn"));
        assertThat(scrape().value("rampart_connections_current")).isGreaterThanOrEqualTo(1);
        // session gauges are computed at most every 250 ms
        Awaitility.await().atMost(WAIT).until(() -> scrape().value("rampart_sessions", "state", "active") >= 1);
        awaitGrowth(before, 1, "rampart_connections_opened_total");
        awaitGrowth(before, 1, "rampart_connect_attempts_total", "result", "accepted");
        awaitGrowth(before, 1, "rampart_messages_in_total", "type", "connect", "qos", "none");
        awaitGrowth(before, 1, "rampart_messages_out_total", "type", "connack", "qos", "none");
        awaitGrowth(before, 10, "rampart_bytes_in_bytes_total");
        awaitGrowth(before, 4, "rampart_bytes_out_bytes_total");
        await(c.disconnect());
        awaitGrowth(before, 1, "rampart_connections_closed_total", "reason", "client-disconnect");
        awaitGrowth(before, 1, "rampart_messages_in_total", "type", "disconnect");
    }

    @Test
    void webSocketConnection_countsBytesAndConnections() {
        Scrape before = scrape();
        clients.connectedHive5(RawTransport.WEBSOCKET, id("ws"));
        awaitGrowth(before, 1, "rampart_connections_opened_total");
        awaitGrowth(before, 100, "rampart_bytes_in_bytes_total"); // the HTTP upgrade request and CONNECT
    }

    @Test
    void takeover_closesTheOldConnectionWithReasonTakeover() {
        String clientId = id("take");
        Scrape before = scrape();
        clients.connectedHive5(RawTransport.TCP, clientId);
        clients.connectedHive5(RawTransport.TCP, clientId);
        awaitGrowth(before, 1, "rampart_connections_closed_total", "reason", "takeover");
    }

    @Test
    void silentClient_isClosedForKeepAliveTimeout() {
        Scrape before = scrape();
        RawMqttClient raw = clients.raw(RawTransport.TCP);
        raw.connect(RawPackets.connect(RawPackets.V5).clientId(id("ka")).keepAlive(1).build());
        raw.readUntilClosed();
        awaitGrowth(before, 1, "rampart_keepalive_disconnects_total");
        awaitGrowth(before, 1, "rampart_connections_closed_total", "reason", "keep-alive-timeout");
    }

    @Test
    void protocolErrors_invalidConnectAndConnectTimeout_areCounted() {
        Scrape before = scrape();
        RawMqttClient notConnect = clients.raw(RawTransport.TCP);
        notConnect.send(RawPackets.pingreq());
        notConnect.readUntilClosed();
        RawMqttClient invalid = clients.raw(RawTransport.TCP);
        // MQTT 3.1.1: a password without a user name is refused
        invalid.send(RawPackets.connect(RawPackets.V3_1_1).clientId(id("inv")).credentials(null, bytes("x")).build());
        invalid.readUntilClosed();
        RawMqttClient silent = clients.raw(RawTransport.TCP);
        silent.readUntilClosed();
        awaitGrowth(before, 2, "rampart_connections_closed_total", "reason", "protocol-error");
        awaitGrowth(before, 1, "rampart_connect_attempts_total", "result", "invalid");
        awaitGrowth(before, 1, "rampart_connections_closed_total", "reason", "connect-timeout");
    }

    @Test
    void droppedNetworkConnection_isCountedAsConnectionLost() {
        Scrape before = scrape();
        RawMqttClient raw = clients.raw(RawTransport.TCP);
        raw.connect(RawPackets.V5, id("lost"));
        raw.abort();
        awaitGrowth(before, 1, "rampart_connections_closed_total", "reason", "connection-lost");
    }

    @Test
    void shutdown_closesConnectionsWithReasonServerShutdown() {
        try (TestBroker other = TestBroker.start(); Clients own = new Clients(other)) {
            own.connectedHive5(RawTransport.TCP, id("shut"));
            other.close();
            Scrape after = Scrape.parse(other.broker().metrics().scrape());
            assertThat(after.value("rampart_connections_closed_total", "reason", "server-shutdown")).isEqualTo(1);
        }
    }

    // ------------------------------------------------------------------ messages

    @Test
    void publishAtEveryQos_countsPacketsInAndOutByTypeAndQos() {
        Mqtt5AsyncClient sub = clients.connectedHive5(RawTransport.TCP, id("sub"));
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(sub);
        await(sub.subscribeWith().topicFilter("met/qos/#").qos(MqttQos.EXACTLY_ONCE).send());
        Mqtt5AsyncClient pub = clients.connectedHive5(RawTransport.TCP, id("pub"));
        Scrape before = scrape();
        for (MqttQos qos : MqttQos.values()) {
            await(pub.publishWith().topic("met/qos/" + qos.getCode()).qos(qos).payload(bytes("x")).send());
            next(inbox);
        }
        for (String qos : new String[]{"0", "1", "2"}) {
            awaitGrowth(before, 1, "rampart_messages_in_total", "type", "publish", "qos", qos);
            awaitGrowth(before, 1, "rampart_messages_out_total", "type", "publish", "qos", qos);
        }
        awaitGrowth(before, 1, "rampart_messages_out_total", "type", "puback");
        awaitGrowth(before, 1, "rampart_messages_in_total", "type", "puback");
        awaitGrowth(before, 1, "rampart_messages_out_total", "type", "pubrec");
        awaitGrowth(before, 1, "rampart_messages_in_total", "type", "pubrel");
        awaitGrowth(before, 1, "rampart_messages_out_total", "type", "pubcomp");
        awaitGrowth(before, 1, "rampart_messages_in_total", "type", "pubcomp");
    }

    @Test
    void messageCounters_exportOnlyThePacketTypesThatCanOccurInTheirDirection() {
        Scrape s = scrape();
        assertThat(types(s, "rampart_messages_in_total")).containsExactlyInAnyOrder("connect", "publish", "puback",
                "pubrec", "pubrel", "pubcomp", "subscribe", "unsubscribe", "pingreq", "disconnect", "auth");
        assertThat(types(s, "rampart_messages_out_total")).containsExactlyInAnyOrder("connack", "publish", "puback",
                "pubrec", "pubrel", "pubcomp", "suback", "unsuback", "pingresp", "disconnect", "auth");
    }

    private static Set<String> types(Scrape s, String name) {
        return s.samples(name).stream().map(sample -> sample.labels().get("type")).collect(Collectors.toSet());
    }

    @Test
    void subscriptionsAndRetainedMessages_areGauges() {
        Scrape before = scrape();
        Mqtt5AsyncClient c = clients.connectedHive5(RawTransport.TCP, id("gauge"));
        await(c.subscribeWith().topicFilter("met/gauge/#").send());
        await(c.subscribeWith().topicFilter("$share/g/met/gauge/#").send());
        await(c.publishWith().topic("met/retained/" + UUID.randomUUID()).payload(bytes("keep")).retain(true).send());
        awaitGrowth(before, 1, "rampart_subscriptions", "kind", "regular");
        awaitGrowth(before, 1, "rampart_subscriptions", "kind", "shared");
        awaitGrowth(before, 1, "rampart_retained_messages");
        awaitGrowth(before, 2, "rampart_messages_in_total", "type", "subscribe");
        awaitGrowth(before, 2, "rampart_messages_out_total", "type", "suback");
    }

    @Test
    void publishWithoutSubscribers_isDroppedForNoSubscribers() {
        Mqtt5AsyncClient c = clients.connectedHive5(RawTransport.TCP, id("nosub"));
        Scrape before = scrape();
        await(c.publishWith().topic("met/nobody/" + UUID.randomUUID()).payload(bytes("x")).send());
        awaitGrowth(before, 1, "rampart_publish_dropped_total", "reason", "no-subscribers");
    }

    @Test
    void offlineSession_queuesThenDropsForQueueFullQos0AndExpiry() {
        String clientId = id("offline");
        String topic = "met/offline/" + UUID.randomUUID();
        Mqtt5AsyncClient sub = clients.hive5(RawTransport.TCP, clientId);
        await(sub.connectWith().cleanStart(true).sessionExpiryInterval(60).send());
        await(sub.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send());
        await(sub.disconnect());
        Mqtt5AsyncClient pub = clients.connectedHive5(RawTransport.TCP, id("offpub"));
        Scrape before = scrape();
        await(pub.publishWith().topic(topic).qos(MqttQos.AT_MOST_ONCE).payload(bytes("q0")).send());
        await(pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("short")).messageExpiryInterval(1).send());
        await(pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("two")).send());
        awaitGrowth(before, 1, "rampart_publish_dropped_total", "reason", "qos0-offline");
        Awaitility.await().atMost(WAIT).until(() -> scrape().value("rampart_sessions", "state", "persistent") >= 1
                && scrape().value("rampart_queued_messages") >= 2);
        await(pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("three")).send());
        awaitGrowth(before, 1, "rampart_publish_dropped_total", "reason", "queue-full");
        // max-queued-messages 2 with drop-oldest: the short-lived one went; let the next one expire instead
        await(pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("brief")).messageExpiryInterval(1).send());
        Awaitility.await().pollDelay(Duration.ofMillis(1100)).atMost(WAIT).until(() -> true);
        Mqtt5AsyncClient back = clients.hive5(RawTransport.TCP, clientId);
        await(back.connectWith().cleanStart(false).sessionExpiryInterval(0).send());
        awaitGrowth(before, 1, "rampart_publish_dropped_total", "reason", "expired");
    }

    @Test
    void receiverWithSmallMaximumPacketSize_dropsTooLarge() {
        String topic = "met/large/" + UUID.randomUUID();
        Mqtt5AsyncClient sub = clients.hive5(RawTransport.TCP, id("small"));
        await(sub.connectWith().cleanStart(true).restrictions().maximumPacketSize(64).applyRestrictions().send());
        await(sub.subscribeWith().topicFilter(topic).send());
        Mqtt5AsyncClient pub = clients.connectedHive5(RawTransport.TCP, id("bigpub"));
        Scrape before = scrape();
        await(pub.publishWith().topic(topic).payload(new byte[500]).send());
        awaitGrowth(before, 1, "rampart_publish_dropped_total", "reason", "too-large");
    }

    @Test
    void unacknowledgedQos1_isInflight() {
        String topic = "met/inflight/" + UUID.randomUUID();
        RawMqttClient raw = clients.raw(RawTransport.TCP);
        raw.connect(RawPackets.V5, id("noack"));
        raw.subscribe(1, 1, topic);
        Mqtt5AsyncClient pub = clients.connectedHive5(RawTransport.TCP, id("inpub"));
        Scrape before = scrape();
        await(pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("x")).send());
        raw.expect(RawPacket.PUBLISH);
        awaitGrowth(before, 1, "rampart_inflight_messages");
    }

    // ------------------------------------------------------------------ security

    @Test
    void authentication_isTimedByManagerRealmAndResult_andRefusalsAreCounted() {
        Scrape before = scrape();
        assertThat(connect5(clients.hive5On("secure", id("alice")), "alice", ALICE_PW)).isZero();
        assertThat(connect5(clients.hive5On("secure", id("wrong")), "alice", "wrong")).isEqualTo(0x86);
        awaitGrowth(before, 1, "rampart_auth_decisions_seconds_count", "realm", "local", "result", "allowed");
        awaitGrowth(before, 1, "rampart_auth_decisions_seconds_count", "realm", "local", "result", "bad-credentials");
        assertThat(scrape().value("rampart_auth_decisions_seconds_sum", "realm", "local")).isPositive();
        awaitGrowth(before, 1, "rampart_connect_attempts_total", "result", "bad-credentials");
        awaitGrowth(before, 1, "rampart_connections_closed_total", "reason", "auth-failure");
    }

    @Test
    void deniedPublishSubscribeAndWill_areCountedByAction() {
        Mqtt5AsyncClient alice = clients.hive5On("secure", id("deny"));
        assertThat(connect5(alice, "alice", ALICE_PW)).isZero();
        Scrape before = scrape();
        alice.publishWith().topic("bob/secret").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("x")).send()
                .exceptionally(e -> null).join();
        alice.subscribeWith().topicFilter("bob/#").send().exceptionally(e -> null).join();
        Mqtt5AsyncClient willClient = clients.hive5On("secure", id("will"));
        willClient.connectWith().cleanStart(true).simpleAuth().username("alice").password(bytes(ALICE_PW))
                .applySimpleAuth().willPublish().topic("bob/will").payload(bytes("w")).applyWillPublish().send()
                .exceptionally(e -> null).join();
        awaitGrowth(before, 1, "rampart_authz_denials_total", "action", "publish");
        awaitGrowth(before, 1, "rampart_authz_denials_total", "action", "subscribe");
        awaitGrowth(before, 1, "rampart_authz_denials_total", "action", "will");
        awaitGrowth(before, 1, "rampart_publish_dropped_total", "reason", "not-authorized");
        awaitGrowth(before, 1, "rampart_connect_attempts_total", "result", "not-authorized");
    }

    @Test
    void unreadableMatchAndDisconnectOnDeniedPublish_areCounted() {
        Mqtt5AsyncClient alice = clients.hive5On("secure", id("recv"));
        assertThat(connect5(alice, "alice", ALICE_PW)).isZero();
        await(alice.subscribeWith().topicFilter("alice/#").send());
        Scrape before = scrape();
        await(alice.publishWith().topic("alice/secret").payload(bytes("x")).send());
        awaitGrowth(before, 1, "rampart_authz_denials_total", "action", "receive");

        Mqtt5AsyncClient strict = clients.hive5On("strict", id("strict"));
        assertThat(connect5(strict, "alice", ALICE_PW)).isZero();
        strict.publishWith().topic("bob/x").payload(bytes("x")).send().exceptionally(e -> null).join();
        awaitGrowth(before, 1, "rampart_connections_closed_total", "reason", "not-authorized");
    }

    // ------------------------------------------------------------------ JVM and process

    @Test
    void jvmProcessAndNettyMeters_arePresent() {
        clients.connectedHive5(RawTransport.TCP, id("jvm"));
        System.gc();
        Scrape s = scrape();
        assertThat(s.value("jvm_memory_used_bytes", "area", "heap")).isPositive();
        assertThat(s.value("jvm_buffer_memory_used_bytes", "id", "direct")).isGreaterThanOrEqualTo(0);
        assertThat(s.value("jvm_threads_live_threads")).isPositive();
        assertThat(s.has("process_cpu_usage")).isTrue();
        assertThat(s.value("system_cpu_count")).isPositive();
        assertThat(s.value("process_files_open_files")).isPositive();
        assertThat(s.value("process_uptime_seconds")).isPositive();
        assertThat(s.has("netty_allocator_memory_used")).isTrue();
        assertThat(s.has("netty_allocator_memory_pinned")).isTrue();
        assertThat(s.has("rampart_netty_direct_memory_used_bytes")).isTrue();
        Awaitility.await("a GC pause recorded").atMost(WAIT).until(() -> {
            System.gc();
            return scrape().samples("jvm_gc_pause_seconds_count").stream().mapToDouble(Scrape.Sample::value).sum() > 0;
        });
    }

    @Test
    void scrape_isPrometheusTextFormat() {
        AdminHttp.Answer a = admin.get("/metrics");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).startsWith("text/plain");
        assertThat(a.body()).contains("# TYPE rampart_connections_opened_total counter")
                .contains("# HELP rampart_messages_in_total");
    }
}
