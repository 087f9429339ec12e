package io.rampart.server.it.support;

import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The inbox of the end-to-end tests: messages received by any client library, in arrival order, as {@link Received} values; adapters
 * for HiveMQ (callback), Paho v3 and Paho v5 ({@code setCallback}).
 */
public final class Inbox {

    /** One received message; {@code original} is the library's own object (for MQTT 5 properties). */
    public record Received(String topic, byte[] payload, int qos, boolean retain, Object original) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>();

    public void hive5(Mqtt5Publish p) {
        queue.add(new Received(p.getTopic().toString(), p.getPayloadAsBytes(), p.getQos().getCode(), p.isRetain(), p));
    }

    public void hive3(Mqtt3Publish p) {
        queue.add(new Received(p.getTopic().toString(), p.getPayloadAsBytes(), p.getQos().getCode(), p.isRetain(), p));
    }

    /** A Paho v3 callback that records messages. */
    public org.eclipse.paho.client.mqttv3.MqttCallback paho3() {
        return new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                queue.add(new Received(topic, m.getPayload(), m.getQos(), m.isRetained(), m));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }

    /** A Paho v5 callback that records messages. */
    public org.eclipse.paho.mqttv5.client.MqttCallback paho5() {
        return new org.eclipse.paho.mqttv5.client.MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) {
                queue.add(new Received(topic, m.getPayload(), m.getQos(), m.isRetained(), m));
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
        };
    }

    /** The next message; fails after 10 s. */
    public Received take() {
        Received r = poll(Await.TIMEOUT);
        if (r == null) {
            throw new AssertionError("no message within " + Await.TIMEOUT.toSeconds() + " s");
        }
        return r;
    }

    /** The next {@code n} messages; fails when they do not all arrive within 10 s of each other. */
    public List<Received> take(int n) {
        List<Received> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Received r = poll(Await.TIMEOUT);
            if (r == null) {
                throw new AssertionError("only " + i + " of " + n + " messages arrived: " + list);
            }
            list.add(r);
        }
        return list;
    }

    public Received poll(Duration wait) {
        try {
            return queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Messages received and not taken yet. */
    public int size() {
        return queue.size();
    }

    /** Removes and returns everything received so far. */
    public List<Received> drain() {
        List<Received> all = new ArrayList<>();
        queue.drainTo(all);
        return all;
    }
}
