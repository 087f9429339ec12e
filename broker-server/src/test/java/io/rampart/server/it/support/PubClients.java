package io.rampart.server.it.support;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import io.rampart.core.session.Session;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Real MQTT clients against a {@link TestBroker}, over TCP or WebSocket: HiveMQ (3 and 5), Paho v3 and
 * Paho v5, and the raw client. Every client made here is closed by {@link #close()}.
 */
public final class PubClients implements AutoCloseable {

    /** How a client reaches the broker. */
    public enum Transport { TCP, WEBSOCKET }

    public static final long TIMEOUT_SECONDS = 10;

    /** Paho v5 logs every acknowledgement at INFO; keep a strong reference so the level sticks. */
    private static final java.util.logging.Logger PAHO_LOG = quietPaho();

    private final TestBroker broker;
    private final List<AutoCloseable> open = new ArrayList<>();

    private static java.util.logging.Logger quietPaho() {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("org.eclipse.paho");
        log.setLevel(java.util.logging.Level.WARNING);
        return log;
    }

    public PubClients(TestBroker broker) {
        this.broker = broker;
    }

    public TestBroker broker() {
        return broker;
    }

    // ------------------------------------------------------------------ HiveMQ

    /** A HiveMQ MQTT 5 client builder for this broker and transport (not yet connected). */
    public Mqtt5ClientBuilder hive5Builder(Transport transport, String clientId) {
        Mqtt5ClientBuilder b = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost(TestBroker.HOST);
        if (transport == Transport.WEBSOCKET) {
            b = b.serverPort(broker.wsPort()).webSocketConfig().serverPath("mqtt").applyWebSocketConfig();
        } else {
            b = b.serverPort(broker.tcpPort());
        }
        return b;
    }

    /** Connects a HiveMQ MQTT 5 client with clean start. */
    public Mqtt5AsyncClient hive5(Transport transport, String clientId) {
        Mqtt5AsyncClient c = hive5Builder(transport, clientId).buildAsync();
        within(c.connectWith().cleanStart(true).send());
        return track(c);
    }

    /** Registers a HiveMQ 5 client connected elsewhere so that {@link #close()} disconnects it. */
    public Mqtt5AsyncClient track(Mqtt5Client c) {
        open.add(() -> {
            if (c.getState().isConnected()) {
                c.toAsync().disconnect().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        });
        return c.toAsync();
    }

    /** Connects a HiveMQ MQTT 3.1.1 client with clean session. */
    public Mqtt3AsyncClient hive3(Transport transport, String clientId) {
        Mqtt3ClientBuilder b = MqttClient.builder().useMqttVersion3().identifier(clientId).serverHost(TestBroker.HOST);
        if (transport == Transport.WEBSOCKET) {
            b = b.serverPort(broker.wsPort()).webSocketConfig().serverPath("mqtt").applyWebSocketConfig();
        } else {
            b = b.serverPort(broker.tcpPort());
        }
        Mqtt3Client c = b.build();
        within(c.toAsync().connectWith().cleanSession(true).send());
        open.add(() -> {
            if (c.getState().isConnected()) {
                c.toAsync().disconnect().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        });
        return c.toAsync();
    }

    // ------------------------------------------------------------------ Paho

    public String uri(Transport transport) {
        return transport == Transport.WEBSOCKET ? broker.wsUri() : broker.tcpUri();
    }

    /** A connected Paho v3 (MQTT 3.1.1) client with clean session; blocking calls time out after 10 s. */
    public org.eclipse.paho.client.mqttv3.MqttClient paho3(Transport transport, String clientId) throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient c =
                new org.eclipse.paho.client.mqttv3.MqttClient(uri(transport), clientId, new MemoryPersistence());
        c.setTimeToWait(TIMEOUT_SECONDS * 1000);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout((int) TIMEOUT_SECONDS);
        o.setMaxInflight(1000);
        c.connect(o);
        open.add(() -> {
            if (c.isConnected()) {
                c.disconnect(TIMEOUT_SECONDS * 1000);
            }
            c.close(true);
        });
        return c;
    }

    /** Connection options for Paho v5 with clean start and 10 s timeouts; adjust before {@link #paho5}. */
    public static MqttConnectionOptions paho5Options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout((int) TIMEOUT_SECONDS);
        return o;
    }

    /** A connected Paho v5 client; blocking calls time out after 10 s. */
    public org.eclipse.paho.mqttv5.client.MqttClient paho5(Transport transport, String clientId,
                                                           MqttConnectionOptions options) throws Exception {
        org.eclipse.paho.mqttv5.client.MqttClient c = new org.eclipse.paho.mqttv5.client.MqttClient(uri(transport),
                clientId, new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        c.setTimeToWait(TIMEOUT_SECONDS * 1000);
        c.connect(options);
        open.add(() -> {
            if (c.isConnected()) {
                c.disconnect(TIMEOUT_SECONDS * 1000);
            }
            c.close(true);
        });
        return c;
    }

    public org.eclipse.paho.mqttv5.client.MqttClient paho5(Transport transport, String clientId) throws Exception {
        return paho5(transport, clientId, paho5Options());
    }

    // ------------------------------------------------------------------ raw

    /** A raw client (TCP) that has received a successful CONNACK; {@code version} 4 or 5. */
    public PubRawClient raw(int version, String clientId, PubProps connectProperties) throws Exception {
        PubRawClient c = PubRawClient.connect(broker.tcpPort(), version, clientId, connectProperties);
        open.add(c);
        return c;
    }

    public PubRawClient raw(int version, String clientId) throws Exception {
        return raw(version, clientId, new PubProps());
    }

    // ------------------------------------------------------------------ helpers

    /** Waits (at most 10 s) for an async client operation. */
    public static <T> T within(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The broker's session of {@code clientId}, or {@code null}. */
    public Session session(String clientId) {
        return broker.broker().core().sessions().get(clientId);
    }

    /** Whether {@code clientId} is connected with at least {@code subscriptions} subscriptions. */
    public boolean hasSubscriptions(String clientId, int subscriptions) {
        Session s = session(clientId);
        return s != null && s.isConnected() && s.subscriptionCount() >= subscriptions;
    }

    @Override
    public void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                // best effort: the broker may have closed it already
            }
        }
        open.clear();
    }
}
