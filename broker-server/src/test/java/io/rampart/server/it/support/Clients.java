package io.rampart.server.it.support;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static io.rampart.server.it.support.Await.await;

/**
 * Real MQTT clients against a {@link TestBroker} over TCP or WebSocket (see {@link RawTransport}): HiveMQ
 * 3 and 5, Eclipse Paho v3 and v5 and the raw client. Every client made here is closed by {@link #close()},
 * which also runs after each test when registered as an extension:
 * {@code @RegisterExtension final Clients clients = new Clients(broker);}. Methods named {@code connected…}
 * return clients past a successful CONNACK (clean start); the others return clients not yet connected.
 */
public final class Clients implements AutoCloseable, AfterEachCallback {

    /** Paho v5 logs every acknowledgement at INFO; keep a strong reference so the level sticks. */
    private static final java.util.logging.Logger PAHO_LOG = quietPaho();

    private static final long TIMEOUT_MILLIS = Await.TIMEOUT.toMillis();

    private final TestBroker broker;
    private final List<AutoCloseable> closers = new ArrayList<>();

    public Clients(TestBroker broker) {
        this.broker = broker;
    }

    private static java.util.logging.Logger quietPaho() {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("org.eclipse.paho");
        log.setLevel(java.util.logging.Level.WARNING);
        return log;
    }

    public TestBroker broker() {
        return broker;
    }

    // ------------------------------------------------------------------ HiveMQ

    /** A HiveMQ MQTT 5 client (not connected yet); {@code clientId} may be {@code null} to let the broker assign one. */
    public Mqtt5AsyncClient hive5(RawTransport transport, String clientId) {
        return hive5(transport, clientId, UnaryOperator.identity());
    }

    public Mqtt5AsyncClient hive5(RawTransport transport, String clientId, UnaryOperator<Mqtt5ClientBuilder> customize) {
        return track(customize.apply(transport.hiveMq5(broker, clientId)).build());
    }

    /** A HiveMQ MQTT 5 client on a TCP listener chosen by name (not connected yet). */
    public Mqtt5AsyncClient hive5On(String listener, String clientId) {
        return hive5(RawTransport.TCP, clientId, b -> b.serverPort(broker.port(listener)));
    }

    /** A HiveMQ MQTT 5 client connected with clean start. */
    public Mqtt5AsyncClient connectedHive5(RawTransport transport, String clientId) {
        Mqtt5AsyncClient c = hive5(transport, clientId);
        await(c.connectWith().cleanStart(true).send());
        return c;
    }

    /** Registers a HiveMQ 5 client made elsewhere so that {@link #close()} disconnects it. */
    public Mqtt5AsyncClient track(Mqtt5Client client) {
        Mqtt5AsyncClient c = client.toAsync();
        closers.add(() -> {
            if (c.getState().isConnectedOrReconnect()) {
                c.disconnect().get(5, TimeUnit.SECONDS);
            }
        });
        return c;
    }

    /** A HiveMQ MQTT 3.1.1 client (not connected yet). */
    public Mqtt3AsyncClient hive3(RawTransport transport, String clientId) {
        return hive3(transport, clientId, UnaryOperator.identity());
    }

    public Mqtt3AsyncClient hive3(RawTransport transport, String clientId, UnaryOperator<Mqtt3ClientBuilder> customize) {
        Mqtt3AsyncClient c = customize.apply(transport.hiveMq3(broker, clientId)).buildAsync();
        closers.add(() -> {
            if (c.getState().isConnectedOrReconnect()) {
                c.disconnect().get(5, TimeUnit.SECONDS);
            }
        });
        return c;
    }

    /** A HiveMQ MQTT 3.1.1 client on a TCP listener chosen by name (not connected yet). */
    public Mqtt3AsyncClient hive3On(String listener, String clientId) {
        return hive3(RawTransport.TCP, clientId, b -> b.serverPort(broker.port(listener)));
    }

    /** A HiveMQ MQTT 3.1.1 client connected with clean session. */
    public Mqtt3AsyncClient connectedHive3(RawTransport transport, String clientId) {
        Mqtt3AsyncClient c = hive3(transport, clientId);
        await(c.connectWith().cleanSession(true).send());
        return c;
    }

    /** Collects every PUBLISH the client receives; call before connecting to also catch session messages. */
    public static BlockingQueue<Mqtt5Publish> inbox(Mqtt5AsyncClient client) {
        BlockingQueue<Mqtt5Publish> q = new LinkedBlockingQueue<>();
        client.publishes(MqttGlobalPublishFilter.ALL, q::add);
        return q;
    }

    public static BlockingQueue<Mqtt3Publish> inbox(Mqtt3AsyncClient client) {
        BlockingQueue<Mqtt3Publish> q = new LinkedBlockingQueue<>();
        client.publishes(MqttGlobalPublishFilter.ALL, q::add);
        return q;
    }

    // ------------------------------------------------------------------ Paho

    public String uri(RawTransport transport) {
        return transport == RawTransport.TCP ? broker.tcpUri() : broker.wsUri();
    }

    /** An Eclipse Paho MQTT 3 client (not connected yet); blocking calls time out after {@link Await#TIMEOUT}. */
    public MqttClient paho3(RawTransport transport, String clientId) throws MqttException {
        MqttClient c = new MqttClient(uri(transport), clientId, new MemoryPersistence());
        c.setTimeToWait(TIMEOUT_MILLIS);
        closers.add(() -> {
            if (c.isConnected()) {
                c.disconnectForcibly(1_000, 1_000);
            }
            c.close(true);
        });
        return c;
    }

    /** A Paho v3 client connected with MQTT 3.1.1 and clean session. */
    public MqttClient connectedPaho3(RawTransport transport, String clientId) throws Exception {
        MqttClient c = paho3(transport, clientId);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout((int) Await.TIMEOUT.toSeconds());
        o.setMaxInflight(1000);
        c.connect(o);
        return c;
    }

    /** An Eclipse Paho MQTT 5 client (not connected yet); blocking calls time out after {@link Await#TIMEOUT}. */
    public org.eclipse.paho.mqttv5.client.MqttClient paho5(RawTransport transport, String clientId)
            throws org.eclipse.paho.mqttv5.common.MqttException {
        var c = new org.eclipse.paho.mqttv5.client.MqttClient(uri(transport), clientId,
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        c.setTimeToWait(TIMEOUT_MILLIS);
        closers.add(() -> {
            if (c.isConnected()) {
                c.disconnectForcibly(1_000, 1_000);
            }
            c.close(true);
        });
        return c;
    }

    /** Paho v5 connection options with clean start and bounded timeouts; adjust before {@link #connectedPaho5}. */
    public static MqttConnectionOptions paho5Options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout((int) Await.TIMEOUT.toSeconds());
        return o;
    }

    /** A Paho v5 client connected with {@code options}. */
    public org.eclipse.paho.mqttv5.client.MqttClient connectedPaho5(RawTransport transport, String clientId,
                                                                    MqttConnectionOptions options) throws Exception {
        var c = paho5(transport, clientId);
        c.connect(options);
        return c;
    }

    public org.eclipse.paho.mqttv5.client.MqttClient connectedPaho5(RawTransport transport, String clientId)
            throws Exception {
        return connectedPaho5(transport, clientId, paho5Options());
    }

    // ------------------------------------------------------------------ raw

    /** A raw connection; nothing sent yet. */
    public RawMqttClient raw(RawTransport transport) {
        return track(transport.open(broker));
    }

    /** A raw connection that sent {@code connectPacket} and received a successful CONNACK. */
    public RawMqttClient raw(RawTransport transport, byte[] connectPacket) {
        RawMqttClient c = raw(transport);
        c.connect(connectPacket);
        return c;
    }

    /** {@link #raw(RawTransport, byte[])} with the CONNECT built from {@code connect}. */
    public RawMqttClient raw(RawTransport transport, RawPackets.ConnectBuilder connect) {
        return raw(transport, connect.build());
    }

    /** A {@link PubRawClient} on the TCP listener past a successful CONNACK; {@code version} 4 or 5. */
    public PubRawClient raw(int version, String clientId, PubProps connectProperties) throws IOException {
        return track(PubRawClient.connect(broker.tcpPort(), version, clientId, connectProperties));
    }

    public PubRawClient raw(int version, String clientId) throws IOException {
        return raw(version, clientId, new PubProps());
    }

    /** A raw TCP connection to a listener chosen by name. */
    public RawMqttClient rawOn(String listener) {
        return track(RawMqttClient.tcp(broker.port(listener)));
    }

    public <T extends AutoCloseable> T track(T closeable) {
        closers.add(closeable);
        return closeable;
    }

    // ------------------------------------------------------------------ closing

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        for (int i = closers.size() - 1; i >= 0; i--) {
            try {
                closers.get(i).close();
            } catch (Exception ignored) {
                // best effort: the broker may have closed it already
            }
        }
        closers.clear();
    }
}
