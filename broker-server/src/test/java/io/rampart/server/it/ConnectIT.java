package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.ConnClients;
import io.rampart.server.it.support.ConnPackets;
import io.rampart.server.it.support.ConnProps;
import io.rampart.server.it.support.ConnRawClient;
import io.rampart.server.it.support.ConnTransport;
import io.rampart.server.it.support.TestBroker;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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

import static io.rampart.server.it.support.ConnClients.await;
import static io.rampart.server.it.support.ConnClients.next;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONNECT handling end to end (MQTT 5 §3.1, §4.13; MQTT 3.1.1 §3.1, §3.2): the first packet, the connect
 * timeout, a second CONNECT, client identifiers (assigned, empty, taken over) and protocol names/levels.
 */
class ConnectIT {

    private static TestBroker broker;
    private ConnClients clients;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void setUp() {
        clients = new ConnClients(broker);
    }

    @AfterEach
    void tearDown() {
        clients.close();
    }

    private static String id(String name) {
        return "conn-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // ------------------------------------------------------------------ first packet, timeout, second CONNECT

    @ParameterizedTest
    @EnumSource(ConnTransport.class)
    void firstPacket_whenNotConnect_closesConnection(ConnTransport transport) throws Exception {
        ConnRawClient raw = clients.track(ConnRawClient.open(transport, broker));

        raw.send(ConnPackets.pingreq());

        assertThat(raw.awaitClose()).as("nothing is answered to a PINGREQ before CONNECT").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(ConnTransport.class)
    void connectTimeout_whenNoConnectArrives_closesConnection(ConnTransport transport) throws Exception {
        try (TestBroker quick = TestBroker.startWithMqtt("connect-timeout: 1");
             ConnRawClient raw = ConnRawClient.open(transport, quick)) {
            long start = System.nanoTime();

            assertThat(raw.awaitClose(Duration.ofSeconds(10))).isEmpty();

            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("closed by the timeout, not at once").isGreaterThan(Duration.ofMillis(500));
        }
    }

    @ParameterizedTest
    @EnumSource(ConnTransport.class)
    void secondConnect_v5_getsDisconnectProtocolErrorAndClose(ConnTransport transport) throws Exception {
        ConnPackets.Connect connect = ConnPackets.Connect.v5(id("second5"));
        ConnRawClient raw = clients.raw(transport, connect);

        raw.send(connect);

        List<ConnPackets.Packet> before = raw.awaitClose();
        assertThat(before).hasSize(1);
        assertThat(before.get(0).type()).isEqualTo(ConnPackets.DISCONNECT);
        assertThat(before.get(0).disconnectReason()).isEqualTo(0x82);
    }

    @ParameterizedTest
    @EnumSource(ConnTransport.class)
    void secondConnect_v311_closesConnection(ConnTransport transport) throws Exception {
        ConnPackets.Connect connect = ConnPackets.Connect.v311(id("second3"));
        ConnRawClient raw = clients.raw(transport, connect);

        raw.send(connect);

        assertThat(raw.awaitClose()).isEmpty();
    }

    // ------------------------------------------------------------------ client identifiers

    @ParameterizedTest
    @EnumSource(ConnTransport.class)
    void emptyClientId_v5_getsAssignedClientIdentifier(ConnTransport transport) {
        Mqtt5AsyncClient client = clients.hive5(transport, null);

        Mqtt5ConnAck connAck = await(client.connectWith().cleanStart(true).send());

        assertThat(connAck.getAssignedClientIdentifier()).isPresent();
        String assigned = connAck.getAssignedClientIdentifier().get().toString();
        assertThat(assigned).isNotEmpty();
        assertThat(broker.broker().core().sessions().get(assigned)).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(ConnTransport.class)
    void emptyClientId_v5Raw_connackCarriesAssignedIdentifier(ConnTransport transport) throws Exception {
        ConnRawClient raw = clients.raw(transport, ConnPackets.Connect.v5(""));

        String assigned = raw.connack().connackProperties().string(ConnProps.ASSIGNED_CLIENT_ID);

        assertThat(assigned).isNotBlank();
        assertThat(broker.broker().core().sessions().get(assigned)).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(ConnTransport.class)
    void emptyClientId_v311WithCleanSession_isAccepted(ConnTransport transport) throws Exception {
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
    @EnumSource(ConnTransport.class)
    void emptyClientId_v311WithoutCleanSession_isRefusedWithIdentifierRejected(ConnTransport transport)
            throws Exception {
        ConnRawClient raw = clients.track(ConnRawClient.connect(transport, broker,
                ConnPackets.Connect.v311("").clean(false)));

        List<ConnPackets.Packet> packets = raw.awaitClose();

        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).type()).isEqualTo(ConnPackets.CONNACK);
        assertThat(packets.get(0).connackCode()).isEqualTo(0x02);
        assertThat(packets.get(0).sessionPresent()).isFalse();
    }

    @Test
    void connect_rawV311_connackHasNoSessionForNewClient() throws Exception {
        ConnRawClient raw = clients.raw(ConnTransport.TCP, ConnPackets.Connect.v311(id("fresh")).clean(false));

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
                                                                               ConnTransport transport)
            throws Exception {
        ConnRawClient raw = clients.track(ConnRawClient.connect(transport, broker,
                ConnPackets.Connect.v311(id("proto")).protocol(name, level)));

        List<ConnPackets.Packet> packets = raw.awaitClose();

        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).type()).isEqualTo(ConnPackets.CONNACK);
        assertThat(packets.get(0).connackCode()).isEqualTo(0x01);
    }

    @ParameterizedTest
    @EnumSource(ConnTransport.class)
    void mqtt31Client_pahoWithMqIsdp_connectsAndExchangesMessages(ConnTransport transport) throws Exception {
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
    @EnumSource(ConnTransport.class)
    void mqtt31Client_rawMqIsdpLevel3_isAccepted(ConnTransport transport) throws Exception {
        ConnRawClient raw = clients.raw(transport, ConnPackets.Connect.v31(id("raw31")));

        assertThat(raw.connack().connackCode()).isZero();
        raw.send(ConnPackets.pingreq());
        assertThat(raw.read().type()).isEqualTo(ConnPackets.PINGRESP);
    }

    // ------------------------------------------------------------------ takeover

    @ParameterizedTest
    @EnumSource(ConnTransport.class)
    void sameClientId_v5_firstGetsSessionTakenOverAndItsWillFires(ConnTransport transport) {
        String clientId = id("takeover5");
        String willTopic = "conn/takeover/" + clientId + "/will";
        Mqtt5AsyncClient watcher = clients.hive5(transport, id("watch"));
        BlockingQueue<Mqtt5Publish> wills = ConnClients.inbox(watcher);
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
    @EnumSource(ConnTransport.class)
    void sameClientId_rawV5_receivesDisconnect0x8EThenClose(ConnTransport transport) throws Exception {
        String clientId = id("takeraw");
        ConnRawClient first = clients.raw(transport, ConnPackets.Connect.v5(clientId).sessionExpiry(60));

        ConnRawClient second = clients.raw(transport, ConnPackets.Connect.v5(clientId).clean(false).sessionExpiry(60));

        List<ConnPackets.Packet> packets = first.awaitClose();
        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).type()).isEqualTo(ConnPackets.DISCONNECT);
        assertThat(packets.get(0).disconnectReason()).isEqualTo(0x8E);
        assertThat(second.connack().sessionPresent()).isTrue();
        second.send(ConnPackets.pingreq());
        assertThat(second.read().type()).isEqualTo(ConnPackets.PINGRESP);
    }

    @ParameterizedTest
    @EnumSource(ConnTransport.class)
    void sameClientId_v311_firstIsClosedAndItsWillFires(ConnTransport transport) {
        String clientId = id("takeover3");
        String willTopic = "conn/takeover/" + clientId + "/will";
        Mqtt3AsyncClient watcher = clients.hive3(transport, id("watch3"));
        var wills = ConnClients.inbox(watcher);
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
