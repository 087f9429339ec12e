package io.rampart.server.it.support;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;

/** The two listeners of {@link TestBroker} as seen by the raw client and by the HiveMQ client. */
public enum RawTransport {
    TCP,
    WEBSOCKET;

    public int port(TestBroker broker) {
        return this == TCP ? broker.tcpPort() : broker.wsPort();
    }

    /** A raw connection (WebSocket: upgraded on {@code /mqtt}, each send one binary frame); nothing sent yet. */
    public RawMqttClient open(TestBroker broker) {
        return this == TCP ? RawMqttClient.tcp(broker.tcpPort()) : RawMqttClient.webSocket(broker.wsPort(), "/mqtt");
    }

    /** A HiveMQ MQTT 5 client builder for this listener; a {@code null} client id is left for the broker to assign. */
    public Mqtt5ClientBuilder hiveMq5(TestBroker broker, String clientId) {
        Mqtt5ClientBuilder b = MqttClient.builder().useMqttVersion5()
                .serverHost(TestBroker.HOST).serverPort(port(broker));
        if (clientId != null) {
            b = b.identifier(clientId);
        }
        return this == WEBSOCKET ? b.webSocketConfig().serverPath("mqtt").applyWebSocketConfig() : b;
    }

    /** A HiveMQ MQTT 3.1.1 client builder for this listener. */
    public Mqtt3ClientBuilder hiveMq3(TestBroker broker, String clientId) {
        Mqtt3ClientBuilder b = MqttClient.builder().useMqttVersion3()
                .serverHost(TestBroker.HOST).serverPort(port(broker));
        if (clientId != null) {
            b = b.identifier(clientId);
        }
        return this == WEBSOCKET ? b.webSocketConfig().serverPath("mqtt").applyWebSocketConfig() : b;
    }
}
