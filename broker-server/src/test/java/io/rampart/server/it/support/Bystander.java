package io.rampart.server.it.support;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A well-behaved MQTT 5 client connected before hostile input arrives, subscribed to {@code bystander/#}:
 * {@link #assertStillWorks()} shows the broker kept serving everyone else.
 */
public final class Bystander implements AutoCloseable {

    private final Mqtt5BlockingClient client;
    private final Mqtt5BlockingClient.Mqtt5Publishes inbox;
    private final AtomicInteger checks = new AtomicInteger();

    private Bystander(Mqtt5BlockingClient client, Mqtt5BlockingClient.Mqtt5Publishes inbox) {
        this.client = client;
        this.inbox = inbox;
    }

    /** Connects over TCP as client id {@code bystander} and subscribes to {@code bystander/#} with QoS 1. */
    public static Bystander connect(TestBroker broker) {
        Mqtt5BlockingClient client = RawTransport.TCP.hiveMq5(broker, "bystander").buildBlocking();
        client.connect();
        Mqtt5BlockingClient.Mqtt5Publishes inbox = client.publishes(MqttGlobalPublishFilter.SUBSCRIBED);
        client.subscribeWith().topicFilter("bystander/#").qos(MqttQos.AT_LEAST_ONCE).send();
        return new Bystander(client, inbox);
    }

    public Mqtt5BlockingClient client() {
        return client;
    }

    /** The next message on {@code bystander/#}, waiting at most 10 s. */
    public Optional<Mqtt5Publish> receive() {
        try {
            return inbox.receive(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Publishes to itself and receives it. Had an offending packet been routed to a {@code bystander/} topic, it
     * would arrive first and fail the payload check.
     */
    public void assertStillWorks() {
        String payload = "alive-" + checks.incrementAndGet();
        client.publishWith().topic("bystander/check").qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
        assertThat(receive()).as("the bystander receives its own message")
                .hasValueSatisfying(p -> assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .isEqualTo(payload));
    }

    @Override
    public void close() {
        inbox.close();
        client.disconnect();
    }
}
