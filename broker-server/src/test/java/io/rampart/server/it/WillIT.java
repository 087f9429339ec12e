package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.core.session.Session;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawProperties;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.next;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Will messages end to end (MQTT 5 §3.1.2.5, §3.1.3.2, §3.14.2.1; MQTT 3.1.1 §3.1.2.5): published on an
 * abnormal close with their QoS, retain flag and properties, suppressed by a normal DISCONNECT, forced by
 * DISCONNECT 0x04, delayed by the Will Delay Interval and cut short by the session's end.
 */
class WillIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();
    @RegisterExtension
    final Clients clients = new Clients(broker);

    private static String id(String name) {
        return "will-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String text(Mqtt5Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A subscriber on {@code filter} that keeps the retain flag as published (to see the will's flag). */
    private BlockingQueue<Mqtt5Publish> watch(RawTransport transport, String filter) {
        Mqtt5AsyncClient watcher = clients.hive5(transport, id("watch"));
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(watcher);
        await(watcher.connect());
        await(watcher.subscribeWith().topicFilter(filter).qos(MqttQos.EXACTLY_ONCE).retainAsPublished(true).send());
        return inbox;
    }

    private static void awaitOffline(String clientId) {
        await().atMost(WAIT).until(() -> {
            Session s = broker.broker().core().sessions().get(clientId);
            return s == null || !s.isConnected();
        });
    }

    /** Publishes a marker on {@code topic} and returns what the watcher receives next. */
    private Mqtt5Publish nextAfterMarker(BlockingQueue<Mqtt5Publish> inbox, String topic) {
        Mqtt5AsyncClient pub = clients.hive5(RawTransport.TCP, id("marker"));
        await(pub.connect());
        await(pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("marker")).send());
        return next(inbox);
    }

    // ------------------------------------------------------------------ abnormal close

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void abnormalClose_v5_publishesWillWithQosRetainAndProperties(RawTransport transport) throws Exception {
        String clientId = id("abrupt5");
        String willTopic = "will/" + clientId;
        BlockingQueue<Mqtt5Publish> inbox = watch(transport, willTopic);
        byte[] willProps = RawProperties.builder()
                .add(RawProperties.PAYLOAD_FORMAT_INDICATOR, 1)
                .add(RawProperties.CONTENT_TYPE, "text/plain")
                .add(RawProperties.RESPONSE_TOPIC, "will/reply/" + clientId)
                .add(RawProperties.CORRELATION_DATA, new byte[]{1, 2, 3})
                .user("reason", "power cut")
                .user("site", "north")
                .build();
        RawMqttClient raw = clients.raw(transport, RawPackets.connect(RawPackets.V5).clientId(clientId)
                .will(willTopic, bytes("gone away"), 2, true).willProperties(willProps));

        raw.close();

        Mqtt5Publish will = next(inbox);
        assertThat(will.getTopic().toString()).isEqualTo(willTopic);
        assertThat(text(will)).isEqualTo("gone away");
        assertThat(will.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
        assertThat(will.isRetain()).isTrue();
        assertThat(will.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(will.getContentType().map(Object::toString)).contains("text/plain");
        assertThat(will.getResponseTopic().map(Object::toString)).contains("will/reply/" + clientId);
        assertThat(will.getCorrelationData().map(b -> {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            return a;
        })).hasValueSatisfying(a -> assertThat(a).containsExactly(1, 2, 3));
        assertThat(will.getUserProperties().asList().stream().map(u -> u.getName() + "=" + u.getValue()))
                .containsExactly("reason=power cut", "site=north");

        Mqtt5AsyncClient late = clients.hive5(transport, id("late"));
        BlockingQueue<Mqtt5Publish> lateInbox = Clients.inbox(late);
        await(late.connect());
        await(late.subscribeWith().topicFilter(willTopic).qos(MqttQos.AT_LEAST_ONCE).send());
        Mqtt5Publish retained = next(lateInbox);
        assertThat(retained.isRetain()).as("the retained will became a retained message").isTrue();
        assertThat(text(retained)).isEqualTo("gone away");
        assertThat(retained.getContentType().map(Object::toString)).contains("text/plain");
        await(late.publishWith().topic(willTopic).retain(true).payload(new byte[0]).send());
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void abnormalClose_v311_publishesWillWithQos(RawTransport transport) throws Exception {
        String clientId = id("abrupt3");
        String willTopic = "will/" + clientId;
        BlockingQueue<Mqtt5Publish> inbox = watch(transport, willTopic);
        RawMqttClient raw = clients.raw(transport, RawPackets.connect(RawPackets.V3_1_1).clientId(clientId)
                .will(willTopic, bytes("v3 gone"), 1, false));

        raw.close();

        Mqtt5Publish will = next(inbox);
        assertThat(text(will)).isEqualTo("v3 gone");
        assertThat(will.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(will.isRetain()).isFalse();
    }

    // ------------------------------------------------------------------ DISCONNECT

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void normalDisconnect_v5_discardsWill(RawTransport transport) {
        String clientId = id("normal5");
        String willTopic = "will/" + clientId;
        BlockingQueue<Mqtt5Publish> inbox = watch(transport, willTopic);
        Mqtt5AsyncClient client = clients.hive5(transport, clientId);
        await(client.connectWith().willPublish().topic(willTopic).payload(bytes("should not")).applyWillPublish().send());

        await(client.disconnect());
        awaitOffline(clientId);

        assertThat(text(nextAfterMarker(inbox, willTopic))).isEqualTo("marker");
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void normalDisconnect_v311Paho_discardsWill(RawTransport transport) throws Exception {
        String clientId = id("normal3");
        String willTopic = "will/" + clientId;
        BlockingQueue<Mqtt5Publish> inbox = watch(transport, willTopic);
        MqttClient paho = clients.paho3(transport, clientId);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setWill(willTopic, bytes("should not"), 1, false);
        options.setConnectionTimeout(10);
        paho.connect(options);

        paho.disconnect(5000);
        awaitOffline(clientId);

        assertThat(text(nextAfterMarker(inbox, willTopic))).isEqualTo("marker");
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void disconnectWithWillMessage_v5_publishesWill(RawTransport transport) {
        String clientId = id("with-will");
        String willTopic = "will/" + clientId;
        BlockingQueue<Mqtt5Publish> inbox = watch(transport, willTopic);
        Mqtt5AsyncClient client = clients.hive5(transport, clientId);
        await(client.connectWith().willPublish().topic(willTopic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(bytes("asked for it")).applyWillPublish().send());

        await(client.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send());

        assertThat(text(next(inbox))).isEqualTo("asked for it");
    }

    // ------------------------------------------------------------------ will delay

    private static RawPackets.ConnectBuilder delayedWillConnect(String clientId, String willTopic, long delay, long expiry) {
        return RawPackets.connect(RawPackets.V5).clientId(clientId).cleanStart(false).sessionExpiry(expiry)
                .will(willTopic, bytes("delayed"), 1, false)
                .willProperties(RawProperties.builder().add(RawProperties.WILL_DELAY_INTERVAL, delay).build());
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void willDelay_whenClientReconnectsInTime_willIsNotSent(RawTransport transport) throws Exception {
        String clientId = id("delay-back");
        String willTopic = "will/" + clientId;
        BlockingQueue<Mqtt5Publish> inbox = watch(transport, willTopic);
        RawMqttClient raw = clients.raw(transport, delayedWillConnect(clientId, willTopic, 2, 60));

        raw.close();
        awaitOffline(clientId);
        RawMqttClient back = clients.raw(transport, RawPackets.connect(RawPackets.V5).clientId(clientId).cleanStart(false).sessionExpiry(60));
        assertThat(back.connack().sessionPresent()).isTrue();

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(inbox::isEmpty);
        assertThat(text(nextAfterMarker(inbox, willTopic))).isEqualTo("marker");
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void willDelay_whenClientStaysAway_willIsSentAfterTheDelay(RawTransport transport) throws Exception {
        String clientId = id("delay-away");
        String willTopic = "will/" + clientId;
        BlockingQueue<Mqtt5Publish> inbox = watch(transport, willTopic);
        RawMqttClient raw = clients.raw(transport, delayedWillConnect(clientId, willTopic, 2, 60));
        long closedAt = System.nanoTime();

        raw.close();

        Mqtt5Publish will = next(inbox);
        assertThat(text(will)).isEqualTo("delayed");
        assertThat(Duration.ofNanos(System.nanoTime() - closedAt))
                .as("not before the will delay").isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        assertThat(broker.broker().core().sessions().get(clientId)).as("the session outlives the will").isNotNull();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void willDelayLongerThanSessionExpiry_willIsSentWhenSessionExpires(RawTransport transport) throws Exception {
        String clientId = id("delay-expiry");
        String willTopic = "will/" + clientId;
        BlockingQueue<Mqtt5Publish> inbox = watch(transport, willTopic);
        RawMqttClient raw = clients.raw(transport, delayedWillConnect(clientId, willTopic, 300, 2));
        long closedAt = System.nanoTime();

        raw.close();

        Mqtt5Publish will = next(inbox);
        assertThat(text(will)).isEqualTo("delayed");
        assertThat(Duration.ofNanos(System.nanoTime() - closedAt))
                .as("not before the session expiry").isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        await().atMost(WAIT).until(() -> broker.broker().core().sessions().get(clientId) == null);
    }

    @ParameterizedTest(name = "[{index}] version {0} over {1}")
    @CsvSource({"4, TCP", "4, WEBSOCKET", "5, TCP", "5, WEBSOCKET"})
    void retainedWill_becomesRetainedMessage(int version, RawTransport transport) throws Exception {
        String clientId = id("retained");
        String willTopic = "will/" + clientId;
        BlockingQueue<Mqtt5Publish> inbox = watch(RawTransport.TCP, willTopic);
        RawMqttClient raw = clients.raw(transport, RawPackets.connect(version).clientId(clientId)
                .will(willTopic, bytes("last words"), 1, true));

        raw.close();
        assertThat(text(next(inbox))).as("the will was published").isEqualTo("last words");

        RawMqttClient late = clients.raw(transport, RawPackets.connect(version).clientId(id("late")));
        late.subscribe(1, 1, willTopic);
        RawPacket retained = late.expect(RawPacket.PUBLISH);
        assertThat(retained.retain()).isTrue();
        assertThat(retained.payloadUtf8()).isEqualTo("last words");
        late.send(RawPackets.puback(retained.packetId()));
        late.send(RawPackets.publish(late.version(), RawPackets.utf8(willTopic), 0x01, 0, RawProperties.none(),
                new byte[0]));
    }
}
