package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.core.session.DropReason;
import io.rampart.core.session.Session;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawProperties;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.next;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sessions end to end (MQTT 5 §3.1.2.4, §3.1.2.11.2, §4.1, §4.4; MQTT 3.1.1 §3.1.2.4, §4.4): clean start,
 * session present, session expiry (at CONNECT and changed at DISCONNECT), the bounded offline queue and
 * the resending of unacknowledged messages with DUP after a reconnect.
 */
class SessionIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();
    @RegisterExtension
    final Clients clients = new Clients(broker);

    private static String id(String name) {
        return "sess-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String text(Mqtt5Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Session session(TestBroker b, String clientId) {
        return b.broker().core().sessions().get(clientId);
    }

    private static void awaitOffline(TestBroker b, String clientId) {
        await().atMost(WAIT).until(() -> {
            Session s = session(b, clientId);
            return s == null || !s.isConnected();
        });
    }

    private static void awaitGone(TestBroker b, String clientId) {
        await().atMost(WAIT).until(() -> session(b, clientId) == null);
    }

    /** Publishes at QoS 1 from a fresh HiveMQ client over TCP, each PUBLISH acknowledged before the next. */
    private void publish5(String topic, String... payloads) {
        Mqtt5AsyncClient pub = clients.hive5(RawTransport.TCP, id("pub"));
        await(pub.connect());
        for (String p : payloads) {
            await(pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes(p)).send());
        }
        await(pub.disconnect());
    }

    // ------------------------------------------------------------------ persistent sessions

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void persistentSession_v5_resumesWithSubscriptionsAndOfflineMessagesInOrder(RawTransport transport) {
        String clientId = id("persist5");
        String topic = "sess/" + clientId + "/data";
        Mqtt5AsyncClient sub = clients.hive5(transport, clientId);
        assertThat(await(sub.connectWith().cleanStart(true).sessionExpiryInterval(60).send()).isSessionPresent())
                .isFalse();
        await(sub.subscribeWith().topicFilter("sess/" + clientId + "/#").qos(MqttQos.AT_LEAST_ONCE).send());
        await(sub.disconnect());
        awaitOffline(broker, clientId);

        publish5(topic, "m0", "m1", "m2", "m3", "m4");

        Mqtt5AsyncClient again = clients.hive5(transport, clientId);
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(again);
        assertThat(await(again.connectWith().cleanStart(false).sessionExpiryInterval(60).send()).isSessionPresent())
                .isTrue();
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Mqtt5Publish p = next(inbox);
            assertThat(p.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
            got.add(text(p));
        }
        assertThat(got).containsExactly("m0", "m1", "m2", "m3", "m4");

        publish5(topic, "live");
        assertThat(text(next(inbox))).as("the subscription survived").isEqualTo("live");
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void persistentSession_v311Paho_resumesWithSubscriptionsAndOfflineMessagesInOrder(RawTransport transport)
            throws Exception {
        String clientId = id("persist3");
        String topic = "sess/" + clientId + "/data";
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(false);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setConnectionTimeout(10);
        MqttClient sub = clients.paho3(transport, clientId);
        assertThat(sub.connectWithResult(options).getSessionPresent()).isFalse();
        sub.subscribe(topic, 1);
        sub.disconnect(5000);
        awaitOffline(broker, clientId);

        publish5(topic, "a", "b", "c", "d");

        MqttClient again = clients.paho3(transport, clientId);
        BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        again.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                // the test fails on the missing messages instead
            }

            @Override
            public void messageArrived(String t, MqttMessage message) {
                inbox.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // nothing published by this client
            }
        });
        assertThat(again.connectWithResult(options).getSessionPresent()).isTrue();
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(next(inbox));
        }
        assertThat(got).containsExactly("a", "b", "c", "d");
        publish5(topic, "live");
        assertThat(next(inbox)).isEqualTo("live");
    }

    // ------------------------------------------------------------------ clean start

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void cleanStart_v5_discardsSessionAndSubscriptions(RawTransport transport) {
        String clientId = id("clean5");
        Mqtt5AsyncClient first = clients.hive5(transport, clientId);
        await(first.connectWith().cleanStart(false).sessionExpiryInterval(60).send());
        await(first.subscribeWith().topicFilter("sess/" + clientId + "/old").qos(MqttQos.AT_LEAST_ONCE).send());
        await(first.disconnect());
        awaitOffline(broker, clientId);

        Mqtt5AsyncClient again = clients.hive5(transport, clientId);
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(again);
        assertThat(await(again.connectWith().cleanStart(true).sessionExpiryInterval(60).send()).isSessionPresent())
                .isFalse();
        await(again.subscribeWith().topicFilter("sess/" + clientId + "/marker").qos(MqttQos.AT_LEAST_ONCE).send());

        publish5("sess/" + clientId + "/old", "stale");
        publish5("sess/" + clientId + "/marker", "marker");

        assertThat(next(inbox).getTopic().toString()).as("the old subscription is gone").endsWith("/marker");
        assertThat(session(broker, clientId).subscriptionCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void cleanSession_v311_discardsSessionAndSubscriptions(RawTransport transport) {
        String clientId = id("clean3");
        Mqtt3AsyncClient first = clients.hive3(transport, clientId);
        assertThat(await(first.connectWith().cleanSession(false).send()).isSessionPresent()).isFalse();
        await(first.subscribeWith().topicFilter("sess/" + clientId + "/old").qos(MqttQos.AT_LEAST_ONCE).send());
        await(first.disconnect());
        awaitOffline(broker, clientId);

        Mqtt3AsyncClient resumed = clients.hive3(transport, clientId);
        assertThat(await(resumed.connectWith().cleanSession(false).send()).isSessionPresent()).isTrue();
        await(resumed.disconnect());
        awaitOffline(broker, clientId);

        Mqtt3AsyncClient cleaned = clients.hive3(transport, clientId);
        var inbox = Clients.inbox(cleaned);
        assertThat(await(cleaned.connectWith().cleanSession(true).send()).isSessionPresent()).isFalse();
        await(cleaned.subscribeWith().topicFilter("sess/" + clientId + "/marker").qos(MqttQos.AT_LEAST_ONCE).send());
        publish5("sess/" + clientId + "/old", "stale");
        publish5("sess/" + clientId + "/marker", "marker");
        assertThat(next(inbox).getTopic().toString()).endsWith("/marker");

        await(cleaned.disconnect());
        awaitGone(broker, clientId);
    }

    // ------------------------------------------------------------------ session expiry

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void sessionExpiryZero_v5_sessionEndsAtDisconnect(RawTransport transport) {
        String clientId = id("exp0");
        Mqtt5AsyncClient first = clients.hive5(transport, clientId);
        await(first.connectWith().cleanStart(false).sessionExpiryInterval(0).send());
        await(first.subscribeWith().topicFilter("sess/" + clientId).qos(MqttQos.AT_LEAST_ONCE).send());
        await(first.disconnect());

        awaitGone(broker, clientId);
        Mqtt5AsyncClient again = clients.hive5(transport, clientId);
        assertThat(await(again.connectWith().cleanStart(false).sessionExpiryInterval(60).send()).isSessionPresent())
                .isFalse();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void shortSessionExpiry_pahoV5_sessionIsGoneOnceItExpires(RawTransport transport) throws Exception {
        String clientId = id("exp2");
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(2L);
        options.setConnectionTimeout(10);
        var first = clients.paho5(transport, clientId);
        assertThat(first.connectWithResult(options).getSessionPresent()).isFalse();
        first.subscribe("sess/" + clientId, 1);
        long disconnectedAt = System.nanoTime();
        first.disconnect();

        awaitGone(broker, clientId);
        assertThat(Duration.ofNanos(System.nanoTime() - disconnectedAt))
                .as("the session outlived the connection by its expiry interval")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        var again = clients.paho5(transport, clientId);
        assertThat(again.connectWithResult(options).getSessionPresent()).as("after expiry").isFalse();
        assertThat(session(broker, clientId).subscriptionCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void disconnectWithSessionExpiryZero_endsSessionConnectedWith60(RawTransport transport) {
        String clientId = id("disc0");
        Mqtt5AsyncClient first = clients.hive5(transport, clientId);
        await(first.connectWith().cleanStart(false).sessionExpiryInterval(60).send());
        await(first.subscribeWith().topicFilter("sess/" + clientId).qos(MqttQos.AT_LEAST_ONCE).send());

        await(first.disconnectWith().sessionExpiryInterval(0).send());

        awaitGone(broker, clientId);
        Mqtt5AsyncClient again = clients.hive5(transport, clientId);
        assertThat(await(again.connectWith().cleanStart(false).sessionExpiryInterval(60).send()).isSessionPresent())
                .isFalse();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void disconnectWithNonZeroExpiry_afterConnectWithZero_isProtocolError(RawTransport transport) throws Exception {
        String clientId = id("disc-bad");
        RawMqttClient raw = clients.raw(transport, RawPackets.connect(RawPackets.V5).clientId(clientId).sessionExpiry(0));

        raw.send(RawPackets.disconnect(0x00,
                RawProperties.builder().add(RawProperties.SESSION_EXPIRY_INTERVAL, 60).build()));

        List<RawPacket> packets = raw.readUntilClosed();
        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).type()).isEqualTo(RawPacket.DISCONNECT);
        assertThat(packets.get(0).reasonCode()).isEqualTo(0x82);
        awaitGone(broker, clientId);
    }

    // ------------------------------------------------------------------ offline queue bound

    @ParameterizedTest(name = "[{index}] {0} over {1}")
    @CsvSource({"drop-oldest, TCP", "drop-oldest, WEBSOCKET", "drop-newest, TCP", "drop-newest, WEBSOCKET"})
    void offlineQueue_whenFull_dropsPerPolicyAndCountsDrops(String policy, RawTransport transport) {
        try (TestBroker bounded = TestBroker.startWithMqtt("max-queued-messages: 5\nqueue-overflow: " + policy);
             Clients local = new Clients(bounded)) {
            String clientId = id("queue");
            String topic = "sess/" + clientId;
            Mqtt5AsyncClient sub = local.hive5(transport, clientId);
            await(sub.connectWith().cleanStart(true).sessionExpiryInterval(60).send());
            await(sub.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send());
            await(sub.disconnect());
            awaitOffline(bounded, clientId);

            Mqtt5AsyncClient pub = local.hive5(RawTransport.TCP, id("pub"));
            await(pub.connect());
            for (int i = 0; i < 10; i++) {
                await(pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("m" + i)).send());
            }
            await().atMost(WAIT).until(() -> bounded.broker().events().dropped(DropReason.QUEUE_FULL) == 5);
            assertThat(session(bounded, clientId).queuedCount()).isEqualTo(5);

            Mqtt5AsyncClient again = local.hive5(transport, clientId);
            BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(again);
            assertThat(await(again.connectWith().cleanStart(false).sessionExpiryInterval(60).send())
                    .isSessionPresent()).isTrue();
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                got.add(text(next(inbox)));
            }
            await(pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("marker")).send());
            assertThat(text(next(inbox))).as("nothing more than 5 was kept").isEqualTo("marker");

            if (policy.equals("drop-oldest")) {
                assertThat(got).containsExactly("m5", "m6", "m7", "m8", "m9");
            } else {
                assertThat(got).containsExactly("m0", "m1", "m2", "m3", "m4");
            }
            assertThat(bounded.broker().events().dropped(DropReason.QUEUE_FULL)).isEqualTo(5);
        }
    }

    // ------------------------------------------------------------------ redelivery with DUP

    private static RawPackets.ConnectBuilder persistentConnect(int version, String clientId) {
        RawPackets.ConnectBuilder c = RawPackets.connect(version).clientId(clientId).cleanStart(false);
        return version == 5 ? c.sessionExpiry(60) : c;
    }

    @ParameterizedTest(name = "[{index}] version {0} over {1}")
    @CsvSource({"4, TCP", "4, WEBSOCKET", "5, TCP", "5, WEBSOCKET"})
    void unacknowledgedQos1_isResentWithDupAndSamePacketIdAfterReconnect(int version, RawTransport transport)
            throws Exception {
        String clientId = id("dup1");
        String topic = "sess/" + clientId;
        RawMqttClient sub = clients.raw(transport, persistentConnect(version, clientId));
        sub.subscribe(1, 1, topic);
        publish5(topic, "once");
        RawPacket first = sub.expect(RawPacket.PUBLISH);
        assertThat(first.dup()).isFalse();
        assertThat(first.qos()).isEqualTo(1);

        sub.close();
        awaitOffline(broker, clientId);
        RawMqttClient again = clients.raw(transport, persistentConnect(version, clientId));

        assertThat(again.connack().sessionPresent()).isTrue();
        RawPacket resent = again.expect(RawPacket.PUBLISH);
        assertThat(resent.dup()).isTrue();
        assertThat(resent.packetId()).isEqualTo(first.packetId());
        assertThat(resent.payloadUtf8()).isEqualTo("once");
        assertThat(resent.topic()).isEqualTo(topic);
        again.send(RawPackets.puback(resent.packetId()));
        publish5(topic, "twice");
        RawPacket fresh = again.expect(RawPacket.PUBLISH);
        assertThat(fresh.payloadUtf8()).isEqualTo("twice");
        assertThat(fresh.dup()).isFalse();
        await().atMost(WAIT).until(() -> session(broker, clientId).inflightCount() == 1);
        again.send(RawPackets.puback(fresh.packetId()));
        await().atMost(WAIT).until(() -> session(broker, clientId).inflightCount() == 0);
    }

    @ParameterizedTest(name = "[{index}] version {0} over {1}")
    @CsvSource({"4, TCP", "4, WEBSOCKET", "5, TCP", "5, WEBSOCKET"})
    void qos2BeforePubrec_isResentWithDupAndSamePacketIdAfterReconnect(int version, RawTransport transport)
            throws Exception {
        String clientId = id("dup2");
        String topic = "sess/" + clientId;
        RawMqttClient sub = clients.raw(transport, persistentConnect(version, clientId));
        sub.subscribe(1, 2, topic);
        Mqtt5AsyncClient pub = clients.hive5(RawTransport.TCP, id("pub"));
        await(pub.connect());
        await(pub.publishWith().topic(topic).qos(MqttQos.EXACTLY_ONCE).payload(bytes("exactly")).send());
        RawPacket first = sub.expect(RawPacket.PUBLISH);
        assertThat(first.dup()).isFalse();
        assertThat(first.qos()).isEqualTo(2);

        sub.close();
        awaitOffline(broker, clientId);
        RawMqttClient again = clients.raw(transport, persistentConnect(version, clientId));

        RawPacket resent = again.expect(RawPacket.PUBLISH);
        assertThat(resent.dup()).isTrue();
        assertThat(resent.qos()).isEqualTo(2);
        assertThat(resent.packetId()).isEqualTo(first.packetId());
        assertThat(resent.payloadUtf8()).isEqualTo("exactly");
        again.send(RawPackets.pubrec(resent.packetId()));
        RawPacket pubrel = again.expect(RawPacket.PUBREL);
        assertThat(pubrel.packetId()).isEqualTo(first.packetId());
        again.send(RawPackets.pubcomp(resent.packetId()));
        await().atMost(WAIT).until(() -> session(broker, clientId).inflightCount() == 0);
    }

    @ParameterizedTest(name = "[{index}] version {0} over {1}")
    @CsvSource({"4, TCP", "4, WEBSOCKET", "5, TCP", "5, WEBSOCKET"})
    void qos2AfterPubrec_pubrelIsResentAfterReconnect(int version, RawTransport transport) throws Exception {
        String clientId = id("rel");
        String topic = "sess/" + clientId;
        RawMqttClient sub = clients.raw(transport, persistentConnect(version, clientId));
        sub.subscribe(1, 2, topic);
        Mqtt5AsyncClient pub = clients.hive5(RawTransport.TCP, id("pub"));
        await(pub.connect());
        await(pub.publishWith().topic(topic).qos(MqttQos.EXACTLY_ONCE).payload(bytes("release me")).send());
        RawPacket first = sub.expect(RawPacket.PUBLISH);
        sub.send(RawPackets.pubrec(first.packetId()));
        RawPacket pubrel = sub.expect(RawPacket.PUBREL);
        assertThat(pubrel.packetId()).isEqualTo(first.packetId());

        sub.close();
        awaitOffline(broker, clientId);
        RawMqttClient again = clients.raw(transport, persistentConnect(version, clientId));

        RawPacket resent = again.read();
        assertThat(resent.type()).as("PUBREL, not the PUBLISH again").isEqualTo(RawPacket.PUBREL);
        assertThat(resent.flags()).isEqualTo(0x02);
        assertThat(resent.packetId()).isEqualTo(first.packetId());
        again.send(RawPackets.pubcomp(first.packetId()));
        await().atMost(WAIT).until(() -> session(broker, clientId).inflightCount() == 0);
        again.send(RawPackets.pingreq());
        assertThat(again.read().type()).as("no further resend").isEqualTo(RawPacket.PINGRESP);
    }
}
