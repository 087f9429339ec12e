package io.rampart.server.protocol;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.message.UserProperty;
import io.rampart.core.topic.Topics;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the application properties of an inbound PUBLISH or will into the core's form, and checks them. */
final class MessagePropertiesCodec {

    private MessagePropertiesCodec() {
    }

    static MessageProperties fromMqtt(MqttProperties props) {
        if (props == null || props.isEmpty()) {
            return MessageProperties.NONE;
        }
        Integer pfi = ConnectProcessor.intProperty(props, MqttProperties.PAYLOAD_FORMAT_INDICATOR);
        String contentType = stringProperty(props, MqttProperties.CONTENT_TYPE);
        String responseTopic = stringProperty(props, MqttProperties.RESPONSE_TOPIC);
        MqttProperties.MqttProperty<?> corr = props.getProperty(MqttProperties.CORRELATION_DATA);
        byte[] correlation = corr == null ? null : (byte[]) corr.value();
        List<? extends MqttProperties.MqttProperty> ups = props.getProperties(MqttProperties.USER_PROPERTY);
        List<UserProperty> userProperties = List.of();
        if (!ups.isEmpty()) {
            userProperties = new ArrayList<>(ups.size());
            for (MqttProperties.MqttProperty<?> up : ups) {
                MqttProperties.StringPair pair = (MqttProperties.StringPair) up.value();
                userProperties.add(new UserProperty(pair.key, pair.value));
            }
        }
        if (pfi == null && contentType == null && responseTopic == null && correlation == null && userProperties.isEmpty()) {
            return MessageProperties.NONE;
        }
        return new MessageProperties(pfi, contentType, responseTopic, correlation, userProperties);
    }

    /** Returns a problem description, or {@code null} when the properties are acceptable. */
    static String validate(MqttProperties props, byte[] payload) {
        if (props == null) {
            return null;
        }
        Integer pfi = ConnectProcessor.intProperty(props, MqttProperties.PAYLOAD_FORMAT_INDICATOR);
        if (pfi != null) {
            if (pfi > 1) {
                return "payload format indicator must be 0 or 1";
            }
            if (pfi == 1 && !isUtf8(payload)) {
                return "payload is not valid UTF-8 although its payload format indicator says so";
            }
        }
        String responseTopic = stringProperty(props, MqttProperties.RESPONSE_TOPIC);
        if (responseTopic != null && Topics.validateTopicName(responseTopic, 65_535, 65_535) != null) {
            return "response topic '" + responseTopic + "' is not a valid topic name";
        }
        return null;
    }

    private static boolean isUtf8(byte[] payload) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static String stringProperty(MqttProperties props, int id) {
        MqttProperties.MqttProperty<?> p = props.getProperty(id);
        return p == null ? null : (String) p.value();
    }
}
