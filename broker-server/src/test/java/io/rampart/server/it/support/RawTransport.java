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

    public Mqtt5ClientBuilder hiveMq5(TestBroker broker, String clientId) {
        Mqtt5ClientBuilder b = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost(TestBroker.HOST).serverPort(port(broker));
        return this == WEBSOCKET ? b.webSocketConfig().serverPath("mqtt").applyWebSocketConfig() : b;
    }

    public Mqtt3ClientBuilder hiveMq3(TestBroker broker, String clientId) {
        Mqtt3ClientBuilder b = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost(TestBroker.HOST).serverPort(port(broker));
        return this == WEBSOCKET ? b.webSocketConfig().serverPath("mqtt").applyWebSocketConfig() : b;
    }
}
