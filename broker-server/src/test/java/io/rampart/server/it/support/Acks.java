package io.rampart.server.it.support;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What the broker answers a HiveMQ MQTT 5 client's PUBLISH (QoS 1: PUBACK, QoS 2: PUBREC) and SUBSCRIBE (SUBACK),
 * as a reason code: below 0x80 accepted, 0x87 not authorized.
 */
public final class Acks {

    private Acks() {
    }

    /** The PUBACK (QoS 1) or PUBREC (QoS 2) reason code of a PUBLISH; 0 when accepted without a reason. */
    public static int pubAck(Mqtt5AsyncClient c, String topic, int qos, boolean retain) {
        if (qos == 0) {
            throw new IllegalArgumentException("QoS 0 has no acknowledgement");
        }
        try {
            Mqtt5PublishResult result = c.publishWith().topic(topic).qos(MqttQos.fromCode(qos)).retain(retain)
                    .payload("m".getBytes(StandardCharsets.UTF_8)).send().get(Await.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (result.getError().isPresent()) {
                throw new AssertionError(result.getError().get());
            }
            return 0;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5PubAckException refused) {
                return refused.getMqttMessage().getReasonCode().getCode();
            }
            if (e.getCause() instanceof Mqtt5PubRecException refused) {
                return refused.getMqttMessage().getReasonCode().getCode();
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The SUBACK reason code of one filter: the granted QoS, or 0x80 and above when refused. */
    public static int subAck(Mqtt5AsyncClient c, String filter, int qos) {
        try {
            return c.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).send()
                    .get(Await.TIMEOUT.toSeconds(), TimeUnit.SECONDS).getReasonCodes().get(0).getCode();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5SubAckException refused) {
                return refused.getMqttMessage().getReasonCodes().get(0).getCode();
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
