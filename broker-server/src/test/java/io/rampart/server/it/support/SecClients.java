package io.rampart.server.it.support;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * Clients for the security end-to-end tests (HiveMQ 5 and 3, Paho 3 and 5, the raw client) on the
 * {@code tcp} or {@code ws} listener of a {@link SecSetup} broker (or any listener by name), closed with
 * the test. CONNECT helpers return the CONNACK reason code (MQTT 5) or return code (3.1.1), 0 = accepted.
 */
public final class SecClients implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final TestBroker broker;
    private final List<AutoCloseable> closers = new ArrayList<>();

    public SecClients(TestBroker broker) {
        this.broker = broker;
    }

    public Mqtt5AsyncClient hive5(RawTransport transport, String clientId) {
        return hive5(transport, clientId, UnaryOperator.identity());
    }

    public Mqtt5AsyncClient hive5(RawTransport transport, String clientId, UnaryOperator<Mqtt5ClientBuilder> customize) {
        Mqtt5AsyncClient c = customize.apply(transport.hiveMq5(broker, clientId)).buildAsync();
        closers.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect().get(5, TimeUnit.SECONDS);
            }
        });
        return c;
    }

    /** A HiveMQ MQTT 5 client on a TCP listener chosen by name. */
    public Mqtt5AsyncClient hive5On(String listener, String clientId) {
        return hive5(RawTransport.TCP, clientId, b -> b.serverPort(broker.port(listener)));
    }

    public Mqtt3AsyncClient hive3(RawTransport transport, String clientId) {
        return hive3(transport, clientId, UnaryOperator.identity());
    }

    public Mqtt3AsyncClient hive3(RawTransport transport, String clientId, UnaryOperator<Mqtt3ClientBuilder> customize) {
        Mqtt3AsyncClient c = customize.apply(transport.hiveMq3(broker, clientId)).buildAsync();
        closers.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect().get(5, TimeUnit.SECONDS);
            }
        });
        return c;
    }

    public Mqtt3AsyncClient hive3On(String listener, String clientId) {
        return hive3(RawTransport.TCP, clientId, b -> b.serverPort(broker.port(listener)));
    }

    public String uri(RawTransport transport) {
        return transport == RawTransport.TCP ? broker.tcpUri() : broker.wsUri();
    }

    public MqttClient paho3(RawTransport transport, String clientId) throws MqttException {
        MqttClient c = new MqttClient(uri(transport), clientId, new MemoryPersistence());
        closers.add(() -> {
            if (c.isConnected()) {
                c.disconnectForcibly(1_000, 1_000);
            }
            c.close(true);
        });
        return c;
    }

    public org.eclipse.paho.mqttv5.client.MqttClient paho5(RawTransport transport, String clientId)
            throws org.eclipse.paho.mqttv5.common.MqttException {
        org.eclipse.paho.mqttv5.client.MqttClient c = new org.eclipse.paho.mqttv5.client.MqttClient(uri(transport),
                clientId, new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        closers.add(() -> {
            if (c.isConnected()) {
                c.disconnectForcibly(1_000, 1_000);
            }
            c.close(true);
        });
        return c;
    }

    /** A raw connection; nothing sent yet. */
    public RawMqttClient raw(RawTransport transport) {
        return track(transport.open(broker));
    }

    /** A raw TCP connection to a listener chosen by name. */
    public RawMqttClient rawOn(String listener) {
        return track(RawMqttClient.tcp(broker.port(listener)));
    }

    public <T extends AutoCloseable> T track(T closeable) {
        closers.add(closeable);
        return closeable;
    }

    // ------------------------------------------------------------------ CONNECT helpers

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

    // ------------------------------------------------------------------ waiting

    /** The value of a future within {@link #TIMEOUT}; an exceptional completion becomes an AssertionError with the cause. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("completed exceptionally: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no result within " + TIMEOUT.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The cause of a future's exceptional completion; fails if it completes normally. */
    public static Throwable failure(CompletableFuture<?> future) {
        Object value;
        try {
            value = future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("no result within " + TIMEOUT.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        throw new AssertionError("expected a failure but got " + value);
    }

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

    /** The next element within {@link #TIMEOUT}. */
    public static <T> T next(BlockingQueue<T> queue) {
        try {
            T t = queue.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (t == null) {
                throw new AssertionError("nothing received within " + TIMEOUT.toMillis() + " ms");
            }
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (int i = closers.size() - 1; i >= 0; i--) {
            try {
                closers.get(i).close();
            } catch (Exception ignored) {
                // best effort: the broker is stopped after the class anyway
            }
        }
        closers.clear();
    }
}
