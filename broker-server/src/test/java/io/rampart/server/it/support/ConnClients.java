package io.rampart.server.it.support;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

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
 * Creates real MQTT clients against a {@link TestBroker} for the connection and session tests and closes
 * every one of them at the end of the test. All waits are bounded by {@link #TIMEOUT_SECONDS}.
 */
public final class ConnClients implements AutoCloseable {

    public static final long TIMEOUT_SECONDS = 10;

    private final TestBroker broker;
    private final List<AutoCloseable> closers = new ArrayList<>();

    public ConnClients(TestBroker broker) {
        this.broker = broker;
    }

    /** A HiveMQ MQTT 5 client (not connected yet). */
    public Mqtt5AsyncClient hive5(ConnTransport transport, String clientId) {
        return hive5(transport, clientId, UnaryOperator.identity());
    }

    public Mqtt5AsyncClient hive5(ConnTransport transport, String clientId, UnaryOperator<Mqtt5ClientBuilder> customize) {
        Mqtt5AsyncClient c = customize.apply(transport.hiveMq5(broker, clientId)).buildAsync();
        closers.add(() -> {
            if (c.getState().isConnectedOrReconnect()) {
                c.disconnect().get(5, TimeUnit.SECONDS);
            }
        });
        return c;
    }

    /** A HiveMQ MQTT 3.1.1 client (not connected yet). */
    public Mqtt3AsyncClient hive3(ConnTransport transport, String clientId) {
        return hive3(transport, clientId, UnaryOperator.identity());
    }

    public Mqtt3AsyncClient hive3(ConnTransport transport, String clientId, UnaryOperator<Mqtt3ClientBuilder> customize) {
        Mqtt3AsyncClient c = customize.apply(transport.hiveMq3(broker, clientId)).buildAsync();
        closers.add(() -> {
            if (c.getState().isConnectedOrReconnect()) {
                c.disconnect().get(5, TimeUnit.SECONDS);
            }
        });
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

    /** An Eclipse Paho MQTT 3 client (not connected yet). */
    public MqttClient paho3(ConnTransport transport, String clientId) throws Exception {
        MqttClient c = new MqttClient(transport.pahoUri(broker), clientId, new MemoryPersistence());
        c.setTimeToWait(TIMEOUT_SECONDS * 1000);
        closers.add(() -> {
            if (c.isConnected()) {
                c.disconnect(2000);
            }
            c.close(true);
        });
        return c;
    }

    /** An Eclipse Paho MQTT 5 client (not connected yet). */
    public org.eclipse.paho.mqttv5.client.MqttClient paho5(ConnTransport transport, String clientId) throws Exception {
        var c = new org.eclipse.paho.mqttv5.client.MqttClient(transport.pahoUri(broker), clientId,
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        c.setTimeToWait(TIMEOUT_SECONDS * 1000);
        closers.add(() -> {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close(true);
        });
        return c;
    }

    /** A raw client, connected with {@code connect} and past a successful CONNACK. */
    public ConnRawClient raw(ConnTransport transport, ConnPackets.Connect connect) throws Exception {
        return track(ConnRawClient.connected(transport, broker, connect));
    }

    public <T extends AutoCloseable> T track(T closeable) {
        closers.add(closeable);
        return closeable;
    }

    /** Waits (bounded) for an async client operation; failures come out as the client's own exception. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer within " + TIMEOUT_SECONDS + " s", e);
        }
    }

    /** The next element of an inbox, failing after {@link #TIMEOUT_SECONDS}. */
    public static <T> T next(BlockingQueue<T> inbox) {
        try {
            T t = inbox.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (t == null) {
                throw new AssertionError("nothing received within " + TIMEOUT_SECONDS + " s");
            }
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (int i = closers.size() - 1; i >= 0; i--) {
            try {
                closers.get(i).close();
            } catch (Exception ignored) {
                // best effort: the broker is closed after the clients anyway
            }
        }
        closers.clear();
    }
}
