package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawProperties;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.next;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONNECT handling end to end (MQTT 5 §3.1, §4.13; MQTT 3.1.1 §3.1, §3.2): the first packet, the connect
 * timeout, a second CONNECT, client identifiers (assigned, empty, taken over) and protocol names/levels.
 */
class ConnectIT {

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();
    @RegisterExtension
    final Clients clients = new Clients(broker);

    private static String id(String name) {
        return "conn-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // ------------------------------------------------------------------ first packet, timeout, second CONNECT

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void firstPacket_whenNotConnect_closesConnection(RawTransport transport) throws Exception {
        RawMqttClient raw = clients.track(transport.open(broker));

        raw.send(RawPackets.pingreq());

        assertThat(raw.readUntilClosed()).as("nothing is answered to a PINGREQ before CONNECT").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void connectTimeout_whenNoConnectArrives_closesConnection(RawTransport transport) throws Exception {
        try (TestBroker quick = TestBroker.startWithMqtt("connect-timeout: 1");
             RawMqttClient raw = transport.open(quick)) {
            long start = System.nanoTime();

            assertThat(raw.readUntilClosed(Duration.ofSeconds(10))).isEmpty();

            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("closed by the timeout, not at once").isGreaterThan(Duration.ofMillis(500));
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void secondConnect_v5_getsDisconnectProtocolErrorAndClose(RawTransport transport) throws Exception {
        RawPackets.ConnectBuilder connect = RawPackets.connect(RawPackets.V5).clientId(id("second5"));
        RawMqttClient raw = clients.raw(transport, connect);

        raw.send(connect.build());

        List<RawPacket> before = raw.readUntilClosed();
        assertThat(before).hasSize(1);
        assertThat(before.get(0).type()).isEqualTo(RawPacket.DISCONNECT);
        assertThat(before.get(0).reasonCode()).isEqualTo(0x82);
    }

    /** The codec reads the second CONNECT's protocol level; the answer is still in the session's (MQTT 5). */
    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void secondConnect_ofAnotherProtocolLevel_v5_getsDisconnectProtocolError(RawTransport transport) throws Exception {
        RawMqttClient raw = clients.raw(transport, RawPackets.connect(RawPackets.V5).clientId(id("second5to4")));

        raw.send(RawPackets.connect(RawPackets.V3_1_1, id("second5to4")));

        List<RawPacket> before = raw.readUntilClosed();
        assertThat(before).hasSize(1);
        assertThat(before.get(0).type()).isEqualTo(RawPacket.DISCONNECT);
        assertThat(before.get(0).reasonCode()).isEqualTo(0x82);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void secondConnect_v311_closesConnection(RawTransport transport) throws Exception {
        RawPackets.ConnectBuilder connect = RawPackets.connect(RawPackets.V3_1_1).clientId(id("second3"));
        RawMqttClient raw = clients.raw(transport, connect);

        raw.send(connect.build());

        assertThat(raw.readUntilClosed()).isEmpty();
    }

    // ------------------------------------------------------------------ client identifiers

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void emptyClientId_v5_getsAssignedClientIdentifier(RawTransport transport) {
        Mqtt5AsyncClient client = clients.hive5(transport, null);

        Mqtt5ConnAck connAck = await(client.connectWith().cleanStart(true).send());

        assertThat(connAck.getAssignedClientIdentifier()).isPresent();
        String assigned = connAck.getAssignedClientIdentifier().get().toString();
        assertThat(assigned).isNotEmpty();
        assertThat(broker.broker().core().sessions().get(assigned)).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void emptyClientId_v5Raw_connackCarriesAssignedIdentifier(RawTransport transport) throws Exception {
        RawMqttClient raw = clients.raw(transport, RawPackets.connect(RawPackets.V5).clientId(""));

        String assigned = raw.connack().properties().string(RawProperties.ASSIGNED_CLIENT_IDENTIFIER);

        assertThat(assigned).isNotBlank();
        assertThat(broker.broker().core().sessions().get(assigned)).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void emptyClientId_v311WithCleanSession_isAccepted(RawTransport transport) throws Exception {
        MqttClient paho = clients.paho3(transport, "");
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setConnectionTimeout(10);
        paho.connect(options);
        String topic = "conn/empty/" + UUID.randomUUID();
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        paho.subscribe(topic, 1, (t, m) -> got.add(new String(m.getPayload(), StandardCharsets.UTF_8)));

        paho.publish(topic, "hello".getBytes(StandardCharsets.UTF_8), 1, false);

        assertThat(next(got)).isEqualTo("hello");
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void emptyClientId_v311WithoutCleanSession_isRefusedWithIdentifierRejected(RawTransport transport)
            throws Exception {
        RawMqttClient raw = clients.raw(transport).send(
                RawPackets.connect(RawPackets.V3_1_1).clientId("").cleanStart(false).build());

        List<RawPacket> packets = raw.readUntilClosed();

        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).type()).isEqualTo(RawPacket.CONNACK);
        assertThat(packets.get(0).reasonCode()).isEqualTo(0x02);
        assertThat(packets.get(0).sessionPresent()).isFalse();
    }

    @Test
    void connect_rawV311_connackHasNoSessionForNewClient() throws Exception {
        RawMqttClient raw = clients.raw(RawTransport.TCP, RawPackets.connect(RawPackets.V3_1_1).clientId(id("fresh")).cleanStart(false));

        assertThat(raw.connack().sessionPresent()).isFalse();
        assertThat(raw.connack().body()).as("an MQTT 3.1.1 CONNACK has no properties").hasSize(2);
    }

    // ------------------------------------------------------------------ protocol name and level

    @ParameterizedTest(name = "[{index}] {0} level {1} over {2}")
    @CsvSource({
            "MQTT, 6, TCP", "MQTT, 6, WEBSOCKET",
            "MQTX, 4, TCP", "MQTX, 4, WEBSOCKET",
            "MQTT, 3, TCP", "MQIsdp, 4, TCP",
    })
    void connect_withUnknownProtocolNameOrLevel_getsUnacceptableProtocolAndClose(String name, int level,
                                                                               RawTransport transport)
            throws Exception {
        RawMqttClient raw = clients.raw(transport).send(
                RawPackets.connect(RawPackets.V3_1_1).clientId(id("proto")).protocol(name, level).build());

        List<RawPacket> packets = raw.readUntilClosed();

        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).type()).isEqualTo(RawPacket.CONNACK);
        assertThat(packets.get(0).reasonCode()).isEqualTo(0x01);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void mqtt31Client_pahoWithMqIsdp_connectsAndExchangesMessages(RawTransport transport) throws Exception {
        MqttClient paho = clients.paho3(transport, id("v31"));
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
        options.setCleanSession(true);
        options.setConnectionTimeout(10);
        paho.connect(options);
        String topic = "conn/v31/" + UUID.randomUUID();
        BlockingQueue<MqttMessage> got = new LinkedBlockingQueue<>();
        paho.subscribe(topic, 2, (t, m) -> got.add(m));

        paho.publish(topic, "three-one".getBytes(StandardCharsets.UTF_8), 2, false);

        MqttMessage m = next(got);
        assertThat(new String(m.getPayload(), StandardCharsets.UTF_8)).isEqualTo("three-one");
        assertThat(m.getQos()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void mqtt31Client_rawMqIsdpLevel3_isAccepted(RawTransport transport) throws Exception {
        RawMqttClient raw = clients.raw(transport, RawPackets.connect(RawPackets.V3_1).clientId(id("raw31")));

        assertThat(raw.connack().reasonCode()).isZero();
        raw.send(RawPackets.pingreq());
        assertThat(raw.read().type()).isEqualTo(RawPacket.PINGRESP);
    }

    // ------------------------------------------------------------------ takeover

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void sameClientId_v5_firstGetsSessionTakenOverAndItsWillFires(RawTransport transport) {
        String clientId = id("takeover5");
        String willTopic = "conn/takeover/" + clientId + "/will";
        Mqtt5AsyncClient watcher = clients.hive5(transport, id("watch"));
        BlockingQueue<Mqtt5Publish> wills = Clients.inbox(watcher);
        await(watcher.connect());
        await(watcher.subscribeWith().topicFilter(willTopic).qos(MqttQos.AT_LEAST_ONCE).send());

        CompletableFuture<MqttClientDisconnectedContext> firstGone = new CompletableFuture<>();
        Mqtt5AsyncClient first = clients.hive5(transport, clientId,
                b -> b.addDisconnectedListener(firstGone::complete));
        await(first.connectWith().willPublish().topic(willTopic).qos(MqttQos.AT_LEAST_ONCE)
                .payload("first is gone".getBytes(StandardCharsets.UTF_8)).applyWillPublish().send());

        Mqtt5AsyncClient second = clients.hive5(transport, clientId);
        assertThat(await(second.connect()).isSessionPresent()).isFalse();

        Throwable cause = await(firstGone).getCause();
        assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
        assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !first.getState().isConnected());
        assertThat(second.getState().isConnected()).isTrue();
        Mqtt5Publish will = next(wills);
        assertThat(will.getTopic().toString()).isEqualTo(willTopic);
        assertThat(new String(will.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("first is gone");
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void sameClientId_rawV5_receivesDisconnect0x8EThenClose(RawTransport transport) throws Exception {
        String clientId = id("takeraw");
        RawMqttClient first = clients.raw(transport, RawPackets.connect(RawPackets.V5).clientId(clientId).sessionExpiry(60));

        RawMqttClient second = clients.raw(transport, RawPackets.connect(RawPackets.V5).clientId(clientId).cleanStart(false).sessionExpiry(60));

        List<RawPacket> packets = first.readUntilClosed();
        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).type()).isEqualTo(RawPacket.DISCONNECT);
        assertThat(packets.get(0).reasonCode()).isEqualTo(0x8E);
        assertThat(second.connack().sessionPresent()).isTrue();
        second.send(RawPackets.pingreq());
        assertThat(second.read().type()).isEqualTo(RawPacket.PINGRESP);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void sameClientId_v311_firstIsClosedAndItsWillFires(RawTransport transport) {
        String clientId = id("takeover3");
        String willTopic = "conn/takeover/" + clientId + "/will";
        Mqtt3AsyncClient watcher = clients.hive3(transport, id("watch3"));
        var wills = Clients.inbox(watcher);
        await(watcher.connect());
        await(watcher.subscribeWith().topicFilter(willTopic).qos(MqttQos.AT_LEAST_ONCE).send());

        CompletableFuture<MqttClientDisconnectedContext> firstGone = new CompletableFuture<>();
        Mqtt3AsyncClient first = clients.hive3(transport, clientId,
                b -> b.addDisconnectedListener(firstGone::complete));
        await(first.connectWith().willPublish().topic(willTopic).qos(MqttQos.AT_LEAST_ONCE)
                .payload("v3 first is gone".getBytes(StandardCharsets.UTF_8)).applyWillPublish().send());

        Mqtt3AsyncClient second = clients.hive3(transport, clientId);
        await(second.connect());

        assertThat(await(firstGone).getSource()).isNotNull();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !first.getState().isConnected());
        assertThat(new String(next(wills).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("v3 first is gone");
    }
}
