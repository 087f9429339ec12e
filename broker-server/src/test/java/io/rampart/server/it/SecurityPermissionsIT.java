package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawProperties;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.failure;
import static io.rampart.server.it.support.Await.next;
import static io.rampart.server.it.support.Connects.connect3;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.connectPaho3;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PUBLISH and SUBSCRIBE authorization end to end: negative acknowledgements per protocol version, denied
 * messages never reaching a subscriber, per-filter SUBACK codes, wildcard subscriptions that overlap a
 * deny, deny over allow, QoS and retain restrictions and shared-subscription groups.
 */
class SecurityPermissionsIT {

    private static final String ADMIN_PW = "admin-Pa55-perm";
    private static final String LIMITED_PW = "limited-Pa55-perm";

    @TempDir
    static Path dir;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void startBroker() {
        Path users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, """
                users:
                  - username: admin
                    password: "%s"
                    permissions:
                      - topic: "#"
                  - username: limited
                    password: "%s"
                    permissions:
                      - topic: "open/#"
                      - topic: "a/#"
                        activity: subscribe
                      - topic: "a/secret/#"
                        effect: deny
                      - topic: "d/#"
                      - topic: "d/forbidden/#"
                        effect: deny
                      - topic: "q/#"
                        qos: [0, 1]
                      - topic: "r/#"
                        activity: publish
                        retain: false
                      - topic: "s/#"
                        activity: subscribe
                        shared-subscription: false
                      - topic: "g/#"
                        activity: subscribe
                        share-groups: [g1]
                """.formatted(SecSetup.hash(ADMIN_PW), SecSetup.hash(LIMITED_PW)));
        broker = SecSetup.start("""
                - {type: tcp, name: strict, bind: 127.0.0.1, port: 0}
                """, """
                realms:
                  - {name: local, type: file, path: "%s"}
                pipelines:
                  - name: default
                    listeners: [tcp, ws]
                    authentication: [{type: password, realm: local}]
                    authorization: [{type: realm, realm: local}]
                  - name: strict
                    listeners: [strict]
                    authentication: [{type: password, realm: local}]
                    authorization: [{type: realm, realm: local}]
                    on-publish-denied: disconnect
                brute-force: {enabled: false}
                """.formatted(users));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static String id(String name) {
        return "sec-perm-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** An admin subscribed to everything: what reaches any subscriber reaches it. */
    private BlockingQueue<Mqtt5Publish> watchEverything() {
        Mqtt5AsyncClient admin = clients.hive5(RawTransport.TCP, id("admin"));
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(admin);
        assertThat(connect5(admin, "admin", ADMIN_PW)).isZero();
        await(admin.subscribeWith().topicFilter("#").qos(MqttQos.EXACTLY_ONCE).send());
        return inbox;
    }

    private RawMqttClient limitedRaw(int version) {
        RawMqttClient raw = clients.raw(RawTransport.TCP);
        raw.connect(RawPackets.connect(version).clientId(id("raw")).credentials("limited", utf8(LIMITED_PW)).build());
        return raw;
    }

    private static int pubAck(RawMqttClient raw, String topic, int qos, boolean retain, int packetId) {
        raw.send(RawPackets.publish(raw.version(), RawPackets.utf8(topic), qos << 1 | (retain ? 1 : 0), packetId,
                RawProperties.none(), utf8("m")));
        RawPacket ack = raw.expect(qos == 1 ? RawPacket.PUBACK : RawPacket.PUBREC);
        assertThat(ack.packetId()).isEqualTo(packetId);
        return ack.reasonCode();
    }

    // ------------------------------------------------------------------ PUBLISH

    @Test
    void publish_whenDenied_v5GetsNotAuthorizedAndNoSubscriberReceivesIt() {
        BlockingQueue<Mqtt5Publish> everything = watchEverything();
        RawMqttClient raw = limitedRaw(RawPackets.V5);

        assertThat(pubAck(raw, "closed/one", 1, false, 1)).isEqualTo(0x87);
        assertThat(pubAck(raw, "closed/two", 2, false, 2)).isEqualTo(0x87);
        raw.send(RawPackets.publish(RawPackets.V5, "closed/zero", 0, 0, utf8("m")));
        assertThat(raw.ping()).as("a denied QoS 0 PUBLISH is dropped, the connection stays").isTrue();

        Mqtt5AsyncClient hive = clients.hive5(RawTransport.WEBSOCKET, id("hive-pub"));
        assertThat(connect5(hive, "limited", LIMITED_PW)).isZero();
        Throwable refused = failure(hive.publishWith().topic("closed/three").qos(MqttQos.AT_LEAST_ONCE)
                .payload(utf8("m")).send());
        assertThat(refused).isInstanceOfSatisfying(Mqtt5PubAckException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87));

        // Same publisher, same order: had any denied message been routed, it would arrive before the marker.
        assertThat(pubAck(raw, "open/marker", 1, false, 3)).isLessThan(0x80);
        assertThat(next(everything).getTopic().toString()).isEqualTo("open/marker");
    }

    @Test
    void publish_whenDeniedAndPipelineSaysDisconnect_v5GetsDisconnectNotAuthorized() {
        CompletableFuture<Throwable> gone = new CompletableFuture<>();
        Mqtt5AsyncClient hive = clients.hive5(RawTransport.TCP, id("strict"),
                b -> b.serverPort(broker.port("strict")).addDisconnectedListener(ctx -> gone.complete(ctx.getCause())));
        assertThat(connect5(hive, "limited", LIMITED_PW)).isZero();
        hive.publishWith().topic("closed/x").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("m")).send();

        assertThat(await(gone)).isInstanceOfSatisfying(Mqtt5DisconnectException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87));
    }

    @Test
    void publish_whenDenied_v3GetsNormalAckButNothingIsDelivered() throws Exception {
        BlockingQueue<Mqtt5Publish> everything = watchEverything();
        MqttClient paho = clients.paho3(RawTransport.TCP, id("paho3"));
        assertThat(connectPaho3(paho, "limited", LIMITED_PW)).isZero();
        paho.publish("closed/paho", utf8("m"), 1, false);
        paho.publish("closed/paho2", utf8("m"), 2, false);

        RawMqttClient raw = limitedRaw(RawPackets.V3_1_1);
        assertThat(pubAck(raw, "closed/raw", 1, false, 1)).isZero();

        paho.publish("open/marker3", utf8("m"), 1, false);
        assertThat(next(everything).getTopic().toString()).isEqualTo("open/marker3");
    }

    // ------------------------------------------------------------------ SUBSCRIBE

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void subscribe_decidesPerFilter(RawTransport transport) {
        RawMqttClient v5 = clients.raw(transport);
        v5.connect(RawPackets.connect(RawPackets.V5).clientId(id("sub5")).credentials("limited", utf8(LIMITED_PW)).build());
        assertThat(v5.subscribe(1, 1, "open/#", "closed/#", "a/#", "a/secret/#", "#").reasonCodes())
                .containsExactly(1, 0x87, 1, 0x87, 0x87);

        RawMqttClient v3 = clients.raw(transport);
        v3.connect(RawPackets.connect(RawPackets.V3_1_1).clientId(id("sub3")).credentials("limited", utf8(LIMITED_PW)).build());
        assertThat(v3.subscribe(1, 1, "open/#", "closed/#", "a/#", "a/secret/#", "#").reasonCodes())
                .containsExactly(1, 0x80, 1, 0x80, 0x80);
    }

    @Test
    void wildcardSubscription_overlappingADeny_neverDeliversTheDeniedTopics() {
        Mqtt5AsyncClient reader5 = clients.hive5(RawTransport.TCP, id("reader5"));
        BlockingQueue<Mqtt5Publish> inbox5 = Clients.inbox(reader5);
        assertThat(connect5(reader5, "limited", LIMITED_PW)).isZero();
        await(reader5.subscribeWith().topicFilter("a/#").qos(MqttQos.AT_LEAST_ONCE).send());
        Mqtt3AsyncClient reader3 = clients.hive3(RawTransport.WEBSOCKET, id("reader3"));
        BlockingQueue<Mqtt3Publish> inbox3 = Clients.inbox(reader3);
        assertThat(connect3(reader3, "limited", LIMITED_PW)).isZero();
        await(reader3.subscribeWith().topicFilter("a/#").qos(MqttQos.AT_LEAST_ONCE).send());

        Mqtt5AsyncClient admin = clients.hive5(RawTransport.TCP, id("writer"));
        assertThat(connect5(admin, "admin", ADMIN_PW)).isZero();
        for (String topic : new String[]{"a/secret/x", "a/secret", "a/open"}) {
            await(admin.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(utf8(topic)).send());
        }

        assertThat(next(inbox5).getTopic().toString()).isEqualTo("a/open");
        assertThat(next(inbox3).getTopic().toString()).isEqualTo("a/open");
    }

    // ------------------------------------------------------------------ rules

    @Test
    void denyRule_winsOverAllow() {
        RawMqttClient raw = limitedRaw(RawPackets.V5);
        assertThat(pubAck(raw, "d/forbidden/x", 1, false, 1)).isEqualTo(0x87);
        assertThat(pubAck(raw, "d/forbidden", 1, false, 2)).isEqualTo(0x87);
        assertThat(pubAck(raw, "d/fine", 1, false, 3)).isLessThan(0x80);
        assertThat(raw.subscribe(4, 1, "d/forbidden/#", "d/forbidden/x", "d/#").reasonCodes())
                .containsExactly(0x87, 0x87, 1);
    }

    @Test
    void qosRestriction_deniesQos2PublishAndSubscribe() {
        RawMqttClient raw = limitedRaw(RawPackets.V5);
        assertThat(pubAck(raw, "q/x", 2, false, 1)).isEqualTo(0x87);
        assertThat(pubAck(raw, "q/x", 1, false, 2)).isLessThan(0x80);
        assertThat(raw.subscribe(3, 2, "q/#").reasonCodes()).containsExactly(0x87);
        assertThat(raw.subscribe(4, 1, "q/#").reasonCodes()).containsExactly(1);
    }

    @Test
    void retainRestriction_deniesRetainedPublishOnly() {
        RawMqttClient raw = limitedRaw(RawPackets.V5);
        assertThat(pubAck(raw, "r/x", 1, true, 1)).isEqualTo(0x87);
        assertThat(pubAck(raw, "r/x", 1, false, 2)).isLessThan(0x80);
    }

    @Test
    void sharedSubscriptions_followSharedSubscriptionAndShareGroups() {
        RawMqttClient raw = limitedRaw(RawPackets.V5);
        assertThat(raw.subscribe(1, 1, "$share/g/s/x", "s/x").reasonCodes()).containsExactly(0x87, 1);
        assertThat(raw.subscribe(2, 1, "$share/g1/g/x", "$share/g2/g/x", "g/x").reasonCodes())
                .containsExactly(1, 0x87, 1);
    }
}
