package io.rampart.server.protocol;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;

/** Builders for the packets the broker sends besides PUBLISH, for MQTT 3.1/3.1.1 and 5. */
final class Replies {

    static final MqttMessage PINGRESP = new MqttMessage(
            new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0));

    /** Bytes before the properties in the variable header of a CONNACK: flags and reason code. */
    static final int CONNACK_HEAD = 2;
    /** Bytes before the properties in PUBACK, PUBREC, PUBREL and PUBCOMP: packet identifier and reason code. */
    static final int PUB_REPLY_HEAD = 3;
    /** Bytes before the properties in a DISCONNECT: the reason code. */
    static final int DISCONNECT_HEAD = 1;

    private Replies() {
    }

    /**
     * Whether a reply with {@code headBytes} of variable header before its properties, and a Reason String of
     * {@code reason} as its only property, fits into the client's Maximum Packet Size. MQTT 5 forbids the
     * property when it would make the packet larger than that (§3.1.2.11.4, and the Reason String of CONNACK
     * §3.2.2.3.9, PUBACK §3.4.2.2.2, PUBREC §3.5.2.2.2 and DISCONNECT §3.14.2.2.3): the reply goes without it.
     */
    static boolean reasonStringFits(int headBytes, String reason, long maximumPacketSize) {
        int properties = 1 + 2 + ByteBufUtil.utf8Bytes(reason);
        int remaining = headBytes + PublishEncoder.varIntSize(properties) + properties;
        return 1L + PublishEncoder.varIntSize(remaining) + remaining <= maximumPacketSize;
    }

    static MqttConnAckMessage connack(int code, boolean sessionPresent, MqttProperties properties) {
        MqttConnectReturnCode rc = MqttConnectReturnCode.valueOf((byte) code);
        return new MqttConnAckMessage(
                new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttConnAckVariableHeader(rc, sessionPresent, properties));
    }

    static MqttMessage disconnect(int reasonCode, String reasonString) {
        return disconnect(reasonCode, reasonString, null);
    }

    /** DISCONNECT (MQTT 5) with a reason string and a server reference (another server to use), each when given. */
    static MqttMessage disconnect(int reasonCode, String reasonString, String serverReference) {
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (reasonString != null || serverReference != null) {
            props = new MqttProperties();
        }
        if (reasonString != null) {
            props.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, reasonString));
        }
        if (serverReference != null) {
            props.add(new MqttProperties.StringProperty(MqttProperties.SERVER_REFERENCE, serverReference));
        }
        return new MqttMessage(
                new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonCode, props));
    }

    /** AUTH (MQTT 5 only) with the authentication method and, when given, a reason string. */
    static MqttMessage auth(int reasonCode, String method, String reasonString) {
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.AUTHENTICATION_METHOD, method));
        if (reasonString != null) {
            props.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, reasonString));
        }
        return new MqttMessage(
                new MqttFixedHeader(MqttMessageType.AUTH, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonCode, props));
    }

    /** PUBACK, PUBREC, PUBREL or PUBCOMP; the reason code is only encoded for MQTT 5. */
    static MqttMessage pubReply(MqttMessageType type, int packetId, int reasonCode, String reasonString) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (reasonString != null) {
            props = new MqttProperties();
            props.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, reasonString));
        }
        return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0),
                new MqttPubReplyMessageVariableHeader(packetId, (byte) reasonCode, props));
    }

    static MqttSubAckMessage suback(int packetId, int[] codes) {
        return new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(codes));
    }

    /** UNSUBACK; the encoder drops the reason codes for MQTT 3. */
    static MqttUnsubAckMessage unsuback(int packetId, short[] codes) {
        return new MqttUnsubAckMessage(
                new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttUnsubAckPayload(codes));
    }
}
