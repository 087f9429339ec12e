package io.rampart.server.it.support;

import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import static io.rampart.server.it.support.Await.await;

/**
 * CONNECT with optional credentials for each client library (clean start, no reconnect), for the
 * authentication tests: every helper returns the CONNACK reason code (MQTT 5) or return code (3.1.1),
 * 0 = accepted, instead of throwing when the broker refuses.
 */
public final class Connects {

    private Connects() {
    }

    /** Connects (clean start) with optional credentials and returns the CONNACK reason code. */
    public static int connect5(Mqtt5AsyncClient c, String user, String password) {
        CompletableFuture<Mqtt5ConnAck> f;
        if (user == null) {
            f = c.connectWith().cleanStart(true).send();
        } else if (password == null) {
            f = c.connectWith().cleanStart(true).simpleAuth().username(user).applySimpleAuth().send();
        } else {
            f = c.connectWith().cleanStart(true).simpleAuth().username(user).password(utf8(password))
                    .applySimpleAuth().send();
        }
        try {
            return await(f).getReasonCode().getCode();
        } catch (AssertionError e) {
            if (e.getCause() instanceof Mqtt5ConnAckException refused) {
                return refused.getMqttMessage().getReasonCode().getCode();
            }
            throw e;
        }
    }

    public static int connect3(Mqtt3AsyncClient c, String user, String password) {
        CompletableFuture<Mqtt3ConnAck> f = user == null
                ? c.connectWith().cleanSession(true).send()
                : c.connectWith().cleanSession(true).simpleAuth().username(user)
                        .password(utf8(password == null ? "" : password)).applySimpleAuth().send();
        try {
            return await(f).getReturnCode().getCode();
        } catch (AssertionError e) {
            if (e.getCause() instanceof Mqtt3ConnAckException refused) {
                return refused.getMqttMessage().getReturnCode().getCode();
            }
            throw e;
        }
    }

    public static int connectPaho3(MqttClient c, String user, String password) {
        MqttConnectOptions o = new MqttConnectOptions();
        // Pinned: Paho's default retries a refused 3.1.1 CONNECT as 3.1, which breaks on its WebSocket transport.
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(password.toCharArray());
        }
        try {
            c.connect(o);
            return 0;
        } catch (MqttException e) {
            if (e.getReasonCode() == MqttException.REASON_CODE_CLIENT_EXCEPTION) {
                throw new AssertionError("Paho failed without a CONNACK: " + e.getCause(), e);
            }
            return e.getReasonCode();
        }
    }

    public static int connectPaho5(org.eclipse.paho.mqttv5.client.MqttClient c, String user, String password) {
        org.eclipse.paho.mqttv5.client.MqttConnectionOptions o = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(utf8(password));
        }
        try {
            c.connect(o);
            return 0;
        } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
            if (e.getReasonCode() == 0) {
                throw new AssertionError("Paho failed without a CONNACK: " + e.getCause(), e);
            }
            return e.getReasonCode();
        }
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
