package io.rampart.server.it;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.RawWebSocket;
import io.rampart.server.it.support.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.rampart.server.it.support.RawPackets.V3_1_1;
import static io.rampart.server.it.support.RawPackets.V5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * MQTT over WebSocket (MQTT 5 §6, 3.1.1 §6): real clients connect with subprotocol {@code mqtt} on the
 * configured path; packets need not align with frames; only binary frames carry MQTT.
 */
class WebSocketIT {

    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    // ------------------------------------------------------------------ real clients

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void hiveMqV5_publishesAndReceivesOverWebSocket(int qos) throws InterruptedException {
        Mqtt5BlockingClient client = RawTransport.WEBSOCKET.hiveMq5(broker, "ws-hive5-" + qos).buildBlocking();
        client.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = client.publishes(MqttGlobalPublishFilter.SUBSCRIBED)) {
            client.subscribeWith().topicFilter("ws/hive5/" + qos).qos(MqttQos.fromCode(qos)).send();
            client.publishWith().topic("ws/hive5/" + qos).qos(MqttQos.fromCode(qos))
                    .payload("hello v5".getBytes(StandardCharsets.UTF_8)).send();
            Optional<Mqtt5Publish> received = inbox.receive(10, TimeUnit.SECONDS);
            assertThat(received).hasValueSatisfying(p -> {
                assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello v5");
                assertThat(p.getQos().getCode()).isEqualTo(qos);
            });
        } finally {
            client.disconnect();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void hiveMqV3_publishesAndReceivesOverWebSocket(int qos) throws InterruptedException {
        Mqtt3BlockingClient client = RawTransport.WEBSOCKET.hiveMq3(broker, "ws-hive3-" + qos).buildBlocking();
        client.connect();
        try (Mqtt3BlockingClient.Mqtt3Publishes inbox = client.publishes(MqttGlobalPublishFilter.SUBSCRIBED)) {
            client.subscribeWith().topicFilter("ws/hive3/" + qos).qos(MqttQos.fromCode(qos)).send();
            client.publishWith().topic("ws/hive3/" + qos).qos(MqttQos.fromCode(qos))
                    .payload("hello v3".getBytes(StandardCharsets.UTF_8)).send();
            Optional<Mqtt3Publish> received = inbox.receive(10, TimeUnit.SECONDS);
            assertThat(received).hasValueSatisfying(p ->
                    assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello v3"));
        } finally {
            client.disconnect();
        }
    }

    @Test
    void pahoV3_withWsUri_publishesAndReceives() throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient client = new org.eclipse.paho.client.mqttv3.MqttClient(
                broker.wsUri(), "ws-paho3", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setConnectionTimeout(10);
        options.setCleanSession(true);
        client.setTimeToWait(10_000);
        client.connect(options);
        try {
            BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
            client.subscribe("ws/paho3", 1, (topic, message) -> inbox.add(topic + "=" + new String(message.getPayload(),
                    StandardCharsets.UTF_8)));
            client.publish("ws/paho3", "hello paho3".getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("ws/paho3=hello paho3");
        } finally {
            client.disconnect(5_000);
            client.close();
        }
    }

    @Test
    void pahoV5_withWsUri_publishesAndReceives() throws Exception {
        org.eclipse.paho.mqttv5.client.MqttClient client = new org.eclipse.paho.mqttv5.client.MqttClient(
                broker.wsUri(), "ws-paho5", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                inbox.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setConnectionTimeout(10);
        options.setCleanStart(true);
        client.setTimeToWait(10_000);
        client.connect(options);
        try {
            client.subscribe("ws/paho5", 2);
            client.publish("ws/paho5", "hello paho5".getBytes(StandardCharsets.UTF_8), 2, false);
            assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("ws/paho5=hello paho5");
        } finally {
            client.disconnect(5_000);
            client.close();
        }
    }

    // ------------------------------------------------------------------ handshake

    @ParameterizedTest
    @ValueSource(strings = {"mqtt", "mqttv3.1"})
    void upgrade_selectsTheOfferedMqttSubprotocol(String subprotocol) throws IOException {
        try (RawWebSocket ws = RawWebSocket.open(TestBroker.HOST, broker.wsPort(), "/mqtt", subprotocol)) {
            assertThat(ws.response().status()).isEqualTo(101);
            assertThat(ws.response().header("Sec-WebSocket-Protocol")).isEqualTo(subprotocol);
            RawMqttClient client = RawMqttClient.over(ws);
            client.connect(V3_1_1, "ws-subprotocol-" + subprotocol);
            assertThat(client.ping()).isTrue();
        }
    }

    @Test
    void upgrade_withSeveralOfferedSubprotocols_picksMqtt() throws IOException {
        try (RawWebSocket ws = RawWebSocket.open(TestBroker.HOST, broker.wsPort(), "/mqtt", "chat, mqtt")) {
            assertThat(ws.response().header("Sec-WebSocket-Protocol")).isEqualTo("mqtt");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/wrong", "/mqtt/extra", "/MQTT"})
    void upgrade_onAnotherPath_isRefused(String path) throws IOException {
        RawWebSocket.HandshakeResponse response =
                RawWebSocket.handshake(TestBroker.HOST, broker.wsPort(), path, "mqtt");
        assertThat(response.status()).as("status for %s: %s", path, response.statusLine()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.broker().connectionCount() == 0);
    }

    @Test
    void hiveMqClient_onAnotherPath_cannotConnect() {
        Mqtt5BlockingClient client = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5()
                .identifier("ws-wrong-path").serverHost(TestBroker.HOST).serverPort(broker.wsPort())
                .webSocketConfig().serverPath("not-mqtt").handshakeTimeout(5, TimeUnit.SECONDS).applyWebSocketConfig()
                .buildBlocking();
        assertThatThrownBy(client::connect).isInstanceOf(RuntimeException.class);
    }

    // ------------------------------------------------------------------ framing

    @Test
    void connect_splitIntoOneByteFrames_isDecoded() throws IOException {
        try (RawWebSocket ws = RawWebSocket.open(TestBroker.HOST, broker.wsPort(), "/mqtt", "mqtt")) {
            RawMqttClient client = RawMqttClient.over(ws).version(V5);
            byte[] connect = RawPackets.connect(V5, "ws-split");
            byte[][] frames = new byte[connect.length][];
            for (int i = 0; i < connect.length; i++) {
                frames[i] = RawWebSocket.frame(true, RawWebSocket.OP_BINARY, new byte[]{connect[i]});
            }
            ws.sendFrames(frames);
            RawPacket connack = client.expect(RawPacket.CONNACK);
            assertThat(connack.reasonCode()).isZero();
            assertThat(client.ping()).isTrue();
        }
    }

    @Test
    void packets_fragmentedIntoContinuationFrames_areDecoded() throws IOException {
        try (RawWebSocket ws = RawWebSocket.open(TestBroker.HOST, broker.wsPort(), "/mqtt", "mqtt")) {
            RawMqttClient client = RawMqttClient.over(ws).version(V5);
            byte[] stream = RawPackets.concat(
                    RawPackets.connect(V5, "ws-fragmented"),
                    RawPackets.subscribe(V5, 1, 1, "ws/fragmented"),
                    RawPackets.publish(V5, "ws/fragmented", 1, 2, new byte[3000]));
            ws.sendFragmented(stream, 7); // one WebSocket message in 7-byte fragments
            assertThat(client.expect(RawPacket.CONNACK).reasonCode()).isZero();
            assertThat(client.expect(RawPacket.SUBACK).reasonCodes()).containsExactly(1);
            RawPacket first = client.read();
            RawPacket second = client.read();
            assertThat(java.util.List.of(first.type(), second.type()))
                    .containsExactlyInAnyOrder(RawPacket.PUBACK, RawPacket.PUBLISH);
            RawPacket publish = first.type() == RawPacket.PUBLISH ? first : second;
            assertThat(publish.topic()).isEqualTo("ws/fragmented");
            assertThat(publish.payload()).hasSize(3000);
        }
    }

    @Test
    void severalPacketsInOneFrame_areAllDecoded() throws IOException {
        try (RawWebSocket ws = RawWebSocket.open(TestBroker.HOST, broker.wsPort(), "/mqtt", "mqtt")) {
            RawMqttClient client = RawMqttClient.over(ws).version(V3_1_1);
            ws.sendBinary(RawPackets.concat(
                    RawPackets.connect(V3_1_1, "ws-batched"),
                    RawPackets.subscribe(V3_1_1, 1, 0, "ws/batched"),
                    RawPackets.publish(V3_1_1, "ws/batched", 0, 0, "one".getBytes(StandardCharsets.UTF_8)),
                    RawPackets.publish(V3_1_1, "ws/batched", 0, 0, "two".getBytes(StandardCharsets.UTF_8)),
                    RawPackets.pingreq()));
            assertThat(client.expect(RawPacket.CONNACK).reasonCode()).isZero();
            assertThat(client.expect(RawPacket.SUBACK).reasonCodes()).containsExactly(0);
            // deliveries and the PINGRESP are independent flows: their relative order is not fixed
            java.util.List<RawPacket> rest = java.util.List.of(client.read(), client.read(), client.read());
            assertThat(rest).filteredOn(p -> p.type() == RawPacket.PINGRESP).hasSize(1);
            assertThat(rest).filteredOn(p -> p.type() == RawPacket.PUBLISH).map(RawPacket::payloadUtf8)
                    .containsExactly("one", "two");
        }
    }

    @Test
    void packetSplitAcrossFramesWithTheNextPacketInTheSameFrame_isDecoded() throws IOException {
        try (RawWebSocket ws = RawWebSocket.open(TestBroker.HOST, broker.wsPort(), "/mqtt", "mqtt")) {
            RawMqttClient client = RawMqttClient.over(ws).version(V5);
            byte[] stream = RawPackets.concat(RawPackets.connect(V5, "ws-straddle"), RawPackets.pingreq(),
                    RawPackets.pingreq());
            int cut = stream.length - 3; // the first PINGREQ straddles the two frames
            ws.sendBinary(java.util.Arrays.copyOfRange(stream, 0, cut));
            ws.sendBinary(java.util.Arrays.copyOfRange(stream, cut, stream.length));
            assertThat(client.expect(RawPacket.CONNACK).reasonCode()).isZero();
            assertThat(client.expect(RawPacket.PINGRESP)).isNotNull();
            assertThat(client.expect(RawPacket.PINGRESP)).isNotNull();
        }
    }

    /** §6: "If any other type of data frame is received the recipient MUST close the Network Connection". */
    @ParameterizedTest
    @ValueSource(ints = {V3_1_1, V5})
    void textFrame_closesTheConnection(int version) throws IOException {
        try (RawWebSocket ws = RawWebSocket.open(TestBroker.HOST, broker.wsPort(), "/mqtt", "mqtt")) {
            RawMqttClient client = RawMqttClient.over(ws);
            client.connect(version, "ws-text-" + version);
            ws.sendText(new String(RawPackets.pingreq(), StandardCharsets.ISO_8859_1));
            assertThat(client.readUntilClosed()).noneMatch(p -> p.type() == RawPacket.PINGRESP);
        }
        try (RawWebSocket ws = RawWebSocket.open(TestBroker.HOST, broker.wsPort(), "/mqtt", "mqtt")) {
            RawMqttClient client = RawMqttClient.over(ws);
            ws.sendText("CONNECT");
            assertThat(client.readUntilClosed()).as("text before CONNECT").isEmpty();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().connectionCount() == 0);
    }
}
