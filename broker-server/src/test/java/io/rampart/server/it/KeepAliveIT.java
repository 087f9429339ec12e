package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawProperties;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
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

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.next;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Keep alive end to end (MQTT 5 §3.1.2.10, §3.2.2.3.14; MQTT 3.1.1 §3.1.2.10): a silent client is
 * disconnected after one and a half keep-alive periods and its will is sent, PINGREQ keeps the connection
 * alive, and the broker's maximum (and its refusal of keep alive 0) shows as Server Keep Alive for MQTT 5
 * and as a refused CONNECT for MQTT 3.1.1.
 */
class KeepAliveIT {

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClassWithMqtt("max-keep-alive: 10\nallow-zero-keep-alive: false");
    @RegisterExtension
    final Clients clients = new Clients(broker);

    private static String id(String name) {
        return "ka-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static BlockingQueue<Mqtt5Publish> watch(Clients c, String filter) {
        Mqtt5AsyncClient watcher = c.hive5(RawTransport.TCP, id("watch"));
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(watcher);
        await(watcher.connect());
        await(watcher.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send());
        return inbox;
    }

    // ------------------------------------------------------------------ silent clients

    @ParameterizedTest(name = "[{index}] version {0} over {1}")
    @CsvSource({"4, TCP", "4, WEBSOCKET", "5, TCP", "5, WEBSOCKET"})
    void silentClient_isDisconnectedAfterOneAndAHalfKeepAlivesAndWillIsSent(int version, RawTransport transport)
            throws Exception {
        String clientId = id("silent");
        String willTopic = "ka/" + clientId + "/will";
        BlockingQueue<Mqtt5Publish> wills = watch(clients, willTopic);
        RawMqttClient raw = clients.raw(transport, RawPackets.connect(version).clientId(clientId).keepAlive(1)
                .will(willTopic, "timed out".getBytes(StandardCharsets.UTF_8), 1, false));
        long connectedAt = System.nanoTime();

        List<RawPacket> beforeClose = raw.readUntilClosed(Duration.ofSeconds(10));

        assertThat(Duration.ofNanos(System.nanoTime() - connectedAt))
                .as("not before the keep alive passed").isGreaterThanOrEqualTo(Duration.ofMillis(1000));
        if (version == 5) {
            assertThat(beforeClose).hasSize(1);
            assertThat(beforeClose.get(0).type()).isEqualTo(RawPacket.DISCONNECT);
            assertThat(beforeClose.get(0).reasonCode()).isEqualTo(0x8D);
        } else {
            assertThat(beforeClose).isEmpty();
        }
        assertThat(new String(next(wills).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("timed out");
    }

    @ParameterizedTest(name = "[{index}] version {0} over {1}")
    @CsvSource({"4, TCP", "4, WEBSOCKET", "5, TCP", "5, WEBSOCKET"})
    void pingreq_isAnsweredWithPingresp(int version, RawTransport transport) throws Exception {
        RawMqttClient raw = clients.raw(transport, RawPackets.connect(version).clientId(id("ping")).keepAlive(5));

        for (int i = 0; i < 3; i++) {
            raw.send(RawPackets.pingreq());
            RawPacket answer = raw.read();
            assertThat(answer.type()).isEqualTo(RawPacket.PINGRESP);
            assertThat(answer.body()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void pingingClient_withKeepAliveOneSecond_staysConnected(RawTransport transport) {
        Mqtt5AsyncClient client = clients.hive5(transport, id("alive"));
        await(client.connectWith().keepAlive(1).send());

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
                .until(() -> client.getState().isConnected());
    }

    // ------------------------------------------------------------------ limits

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void keepAliveAboveMaximum_v5_getsServerKeepAlive(RawTransport transport) throws Exception {
        Mqtt5AsyncClient client = clients.hive5(transport, id("max5"));

        Mqtt5ConnAck connAck = await(client.connectWith().keepAlive(60).send());

        assertThat(connAck.getServerKeepAlive()).hasValue(10);
        RawMqttClient raw = clients.raw(transport, RawPackets.connect(RawPackets.V5).clientId(id("max5raw")).keepAlive(60));
        assertThat(raw.connack().properties().integer(RawProperties.SERVER_KEEP_ALIVE)).isEqualTo(10L);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void keepAliveWithinMaximum_v5_hasNoServerKeepAlive(RawTransport transport) throws Exception {
        RawMqttClient raw = clients.raw(transport, RawPackets.connect(RawPackets.V5).clientId(id("within")).keepAlive(10));

        assertThat(raw.connack().properties().has(RawProperties.SERVER_KEEP_ALIVE)).isFalse();
    }

    /**
     * TCP only: over WebSocket Paho 1.2.5 reports the refusal as a client exception (reason 0) because the
     * broker closes the socket right after the CONNACK frame without a WebSocket close frame; the raw test
     * below shows the CONNACK 0x02 does arrive over WebSocket.
     */
    @Test
    void keepAliveAboveMaximum_v311Paho_isRefusedWithIdentifierRejected() throws Exception {
        MqttClient paho = clients.paho3(RawTransport.TCP, id("max3"));
        MqttConnectOptions options = new MqttConnectOptions();
        options.setKeepAliveInterval(60);
        options.setConnectionTimeout(10);

        MqttException refused = catchThrowableOfType(MqttException.class, () -> paho.connect(options));

        assertThat(refused).isNotNull();
        assertThat(refused.getReasonCode()).isEqualTo(MqttException.REASON_CODE_INVALID_CLIENT_ID);
        assertThat(paho.isConnected()).isFalse();
    }

    @ParameterizedTest(name = "[{index}] keep alive {0} over {1}")
    @CsvSource({"60, TCP", "60, WEBSOCKET", "0, TCP", "0, WEBSOCKET"})
    void keepAliveOutsideLimits_v311Raw_getsReturnCode2AndClose(int keepAlive, RawTransport transport)
            throws Exception {
        RawMqttClient raw = clients.raw(transport).send(
                RawPackets.connect(RawPackets.V3_1_1).clientId(id("raw3")).keepAlive(keepAlive).build());

        List<RawPacket> packets = raw.readUntilClosed();

        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).type()).isEqualTo(RawPacket.CONNACK);
        assertThat(packets.get(0).reasonCode()).isEqualTo(0x02);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void zeroKeepAlive_whenNotAllowed_v5_getsMaximumAsServerKeepAlive(RawTransport transport) {
        Mqtt5AsyncClient client = clients.hive5(transport, id("zero5"));

        Mqtt5ConnAck connAck = await(client.connectWith().keepAlive(0).send());

        assertThat(connAck.getServerKeepAlive()).hasValue(10);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void zeroKeepAlive_whenNotAllowed_isEnforcedAsServerKeepAlive(RawTransport transport) throws Exception {
        try (TestBroker strict = TestBroker.startWithMqtt("max-keep-alive: 1\nallow-zero-keep-alive: false");
             Clients local = new Clients(strict)) {
            String clientId = id("zero-silent");
            BlockingQueue<Mqtt5Publish> wills = watch(local, "ka/" + clientId);
            RawMqttClient raw = local.raw(transport, RawPackets.connect(RawPackets.V5).clientId(clientId).keepAlive(0)
                    .will("ka/" + clientId, new byte[]{1}, 0, false));
            assertThat(raw.connack().properties().integer(RawProperties.SERVER_KEEP_ALIVE)).isEqualTo(1L);

            List<RawPacket> beforeClose = raw.readUntilClosed(Duration.ofSeconds(10));

            assertThat(beforeClose).hasSize(1);
            assertThat(beforeClose.get(0).reasonCode()).isEqualTo(0x8D);
            assertThat(next(wills).getPayloadAsBytes()).containsExactly(1);
        }
    }
}
