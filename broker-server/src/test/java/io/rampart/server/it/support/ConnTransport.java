package io.rampart.server.it.support;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;

/** The two plain listeners of {@link TestBroker}, with the client settings each needs. */
public enum ConnTransport {
    TCP,
    WEBSOCKET;

    public int port(TestBroker broker) {
        return this == TCP ? broker.tcpPort() : broker.wsPort();
    }

    /** Server URI for Paho (v3 and v5). */
    public String pahoUri(TestBroker broker) {
        return this == TCP ? broker.tcpUri() : broker.wsUri();
    }

    /** A HiveMQ MQTT 5 client builder pointed at this listener. */
    public Mqtt5ClientBuilder hiveMq5(TestBroker broker, String clientId) {
        Mqtt5ClientBuilder b = MqttClient.builder().useMqttVersion5()
                .serverHost(TestBroker.HOST).serverPort(port(broker));
        if (clientId != null) {
            b = b.identifier(clientId);
        }
        if (this == WEBSOCKET) {
            b = b.webSocketConfig().serverPath("mqtt").applyWebSocketConfig();
        }
        return b;
    }

    /** A HiveMQ MQTT 3.1.1 client builder pointed at this listener. */
    public Mqtt3ClientBuilder hiveMq3(TestBroker broker, String clientId) {
        Mqtt3ClientBuilder b = MqttClient.builder().useMqttVersion3()
                .serverHost(TestBroker.HOST).serverPort(port(broker));
        if (clientId != null) {
            b = b.identifier(clientId);
        }
        if (this == WEBSOCKET) {
            b = b.webSocketConfig().serverPath("mqtt").applyWebSocketConfig();
        }
        return b;
    }
}
