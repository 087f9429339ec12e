package io.rampart.bench.load;

import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;

/** Builders for the control packets the generator sends; the immutable ones are shared constants. */
final class Packets {

    static final int KEEP_ALIVE_SECONDS = 60;

    static final MqttMessage PINGREQ = new MqttMessage(
            new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0));

    /** Without a reason-code header the encoder writes the two-byte form, valid for 3.1.1 and 5. */
    static final MqttMessage DISCONNECT = new MqttMessage(
            new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0));

    private static final MqttFixedHeader PUBACK_HEADER =
            new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 2);

    static final MqttFixedHeader PUBLISH_QOS0 =
            new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_MOST_ONCE, false, 0);

    static final MqttFixedHeader PUBLISH_QOS1 =
            new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0);

    private Packets() {
    }

    static MqttConnectMessage connect(String clientId, MqttVersion version, Login login) {
        return connect(clientId, version, login, true);
    }

    /** With {@code cleanSession} false the session outlives the connection (MQTT 5: the longest expiry). */
    static MqttConnectMessage connect(String clientId, MqttVersion version, Login login, boolean cleanSession) {
        MqttProperties props = new MqttProperties();
        if (!cleanSession && version == MqttVersion.MQTT_5) {
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, -1));
        }
        return MqttMessageBuilders.connect()
                .protocolVersion(version)
                .clientId(clientId)
                .cleanSession(cleanSession)
                .properties(props)
                .keepAlive(KEEP_ALIVE_SECONDS)
                .hasUser(login.username() != null)
                .username(login.username())
                .hasPassword(login.password() != null)
                .password(login.password())
                .build();
    }

    static MqttSubscribeMessage subscribe(String topicFilter, MqttQoS qos, int packetId) {
        return MqttMessageBuilders.subscribe()
                .messageId(packetId)
                .addSubscription(qos, topicFilter)
                .build();
    }

    static MqttMessage pubAck(int packetId) {
        return new MqttMessage(PUBACK_HEADER, MqttMessageIdVariableHeader.from(packetId));
    }
}
