package io.rampart.server.it;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.Inbox.Received;
import io.rampart.server.it.support.Inbox;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.PubProps;
import io.rampart.server.it.support.PubRawClient;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retained messages (MQTT 3.1.1 §3.3.1.3, MQTT 5 §3.3.1.3, §3.8.3.1): set, replace, clear, RETAIN flag on
 * delivery, Retain Handling, Retain As Published, expiry, wildcards and {@code retain-available: false}.
 */
class RetainedIT {

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();
    private static final AtomicInteger IDS = new AtomicInteger();
    @RegisterExtension
    final Clients clients = new Clients(broker);

    private static String id(String prefix) {
        return prefix + "-" + IDS.incrementAndGet();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void publish(Mqtt5AsyncClient publisher, String topic, String payload, boolean retain) {
        await(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(retain)
                .payload(bytes(payload)).send());
    }

    /**
     * A new HiveMQ client subscribes to {@code topic}; then a non-retained marker is published. Returns the
     * first message the client received: the retained one, or the marker if there is none.
     */
    private Received firstAfterFreshSubscribe(RawTransport transport, Mqtt5AsyncClient publisher, String topic) {
        Mqtt5AsyncClient probe = clients.connectedHive5(transport, id("probe"));
        Inbox inbox = new Inbox();
        probe.publishes(MqttGlobalPublishFilter.ALL, inbox::hive5);
        await(probe.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send());
        publish(publisher, topic, "marker", false);
        Received first = inbox.take();
        await(probe.disconnect());
        return first;
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void retainedMessage_isSetReplacedAndClearedWithEmptyPayload(RawTransport transport) {
        String topic = "retained/lifecycle/" + transport;
        Mqtt5AsyncClient publisher = clients.connectedHive5(transport, id("publisher"));

        publish(publisher, topic, "first", true);
        Received first = firstAfterFreshSubscribe(transport, publisher, topic);
        assertThat(first.text()).isEqualTo("first");
        assertThat(first.retain()).isTrue();

        publish(publisher, topic, "second", true);
        Received second = firstAfterFreshSubscribe(transport, publisher, topic);
        assertThat(second.text()).isEqualTo("second");
        assertThat(second.retain()).isTrue();

        await(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(true).send());
        Received afterClear = firstAfterFreshSubscribe(transport, publisher, topic);
        assertThat(afterClear.text()).isEqualTo("marker");
        assertThat(afterClear.retain()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void mqtt311_newSubscriberGetsRetainedWithRetainFlag_liveMessagesWithout(RawTransport transport) throws Exception {
        String topic = "retained/v3/" + transport;
        org.eclipse.paho.client.mqttv3.MqttClient publisher = clients.connectedPaho3(transport, id("v3pub"));
        publisher.publish(topic, bytes("kept"), 1, true);

        org.eclipse.paho.client.mqttv3.MqttClient subscriber = clients.connectedPaho3(transport, id("v3sub"));
        Inbox inbox = new Inbox();
        subscriber.setCallback(inbox.paho3());
        subscriber.subscribe(topic, 1);
        Received retained = inbox.take();
        assertThat(retained.text()).isEqualTo("kept");
        assertThat(retained.retain()).isTrue();

        // MQTT 3.1.1 §3.3.1.3: to an established subscription the RETAIN flag is 0.
        publisher.publish(topic, bytes("live"), 1, true);
        Received live = inbox.take();
        assertThat(live.text()).isEqualTo("live");
        assertThat(live.retain()).isFalse();
        publisher.publish(topic, new byte[0], 1, true);
    }

    @Test
    void mosquittoPubRetained_reachesLaterSubscribers_andMosquittoSubGetsAllMatchingRetained() throws Exception {
        for (String t : new String[]{"wr/a", "wr/b", "wr/c/d", "other/x"}) {
            PubMosquitto.Result r = PubMosquitto.run(broker, "mosquitto_pub", "-V", "mqttv5", "-r", "-q", "1",
                    "-t", t, "-m", "value-" + t);
            assertThat(r.exitCode()).as(r.stderr()).isZero();
        }

        PubMosquitto.Result sub = PubMosquitto.run(broker, "mosquitto_sub", "-V", "mqttv5", "-t", "wr/#",
                "-C", "3", "-W", "10", "-F", "%r %t %p");
        assertThat(sub.exitCode()).as(sub.stderr()).isZero();
        assertThat(sub.lines()).containsExactlyInAnyOrder("1 wr/a value-wr/a", "1 wr/b value-wr/b",
                "1 wr/c/d value-wr/c/d");

        org.eclipse.paho.client.mqttv3.MqttClient paho = clients.connectedPaho3(RawTransport.TCP, id("paho-wild"));
        Inbox inbox = new Inbox();
        paho.setCallback(inbox.paho3());
        paho.subscribe("+/x", 0);
        Received r = inbox.take();
        assertThat(r.topic()).isEqualTo("other/x");
        assertThat(r.retain()).isTrue();
        for (String t : new String[]{"wr/a", "wr/b", "wr/c/d", "other/x"}) {
            assertThat(PubMosquitto.run(broker, "mosquitto_pub", "-r", "-t", t, "-n").exitCode()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void retainHandling0_sendsRetainedOnEverySubscribe(RawTransport transport) {
        String topic = "retained/rh0/" + transport;
        Mqtt5AsyncClient publisher = clients.connectedHive5(transport, id("rh0pub"));
        publish(publisher, topic, "kept", true);
        Mqtt5AsyncClient subscriber = clients.connectedHive5(transport, id("rh0sub"));
        Inbox inbox = new Inbox();
        subscriber.publishes(MqttGlobalPublishFilter.ALL, inbox::hive5);

        for (int i = 0; i < 2; i++) {
            await(subscriber.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.SEND).send());
            Received r = inbox.take();
            assertThat(r.text()).isEqualTo("kept");
            assertThat(r.retain()).isTrue();
        }
        clearRetained(publisher, topic);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void retainHandling1_sendsRetainedOnlyForNewSubscription(RawTransport transport) {
        String topic = "retained/rh1/" + transport;
        Mqtt5AsyncClient publisher = clients.connectedHive5(transport, id("rh1pub"));
        publish(publisher, topic, "kept", true);
        Mqtt5AsyncClient subscriber = clients.connectedHive5(transport, id("rh1sub"));
        Inbox inbox = new Inbox();
        subscriber.publishes(MqttGlobalPublishFilter.ALL, inbox::hive5);

        await(subscriber.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE)
                .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST).send());
        assertThat(inbox.take().text()).isEqualTo("kept");

        await(subscriber.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE)
                .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST).send());
        publish(publisher, topic, "marker", false);
        Received next = inbox.take();
        assertThat(next.text()).isEqualTo("marker");
        assertThat(next.retain()).isFalse();
        clearRetained(publisher, topic);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void retainHandling2_neverSendsRetained(RawTransport transport) {
        String topic = "retained/rh2/" + transport;
        Mqtt5AsyncClient publisher = clients.connectedHive5(transport, id("rh2pub"));
        publish(publisher, topic, "kept", true);
        Mqtt5AsyncClient subscriber = clients.connectedHive5(transport, id("rh2sub"));
        Inbox inbox = new Inbox();
        subscriber.publishes(MqttGlobalPublishFilter.ALL, inbox::hive5);

        await(subscriber.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE)
                .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).send());
        publish(publisher, topic, "marker", false);
        assertThat(inbox.take().text()).isEqualTo("marker");
        clearRetained(publisher, topic);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void retainAsPublished_keepsRetainFlagOnLiveMessages_otherwiseCleared(RawTransport transport) throws Exception {
        String topic = "retained/rap/" + transport;
        org.eclipse.paho.mqttv5.client.MqttClient withRap = clients.connectedPaho5(transport, id("rap-on"));
        Inbox rapInbox = new Inbox();
        withRap.setCallback(rapInbox.paho5());
        MqttSubscription rap = new MqttSubscription(topic, 1);
        rap.setRetainAsPublished(true);
        withRap.subscribe(new MqttSubscription[]{rap});

        org.eclipse.paho.mqttv5.client.MqttClient withoutRap = clients.connectedPaho5(transport, id("rap-off"));
        Inbox plainInbox = new Inbox();
        withoutRap.setCallback(plainInbox.paho5());
        withoutRap.subscribe(new MqttSubscription[]{new MqttSubscription(topic, 1)});

        org.eclipse.paho.mqttv5.client.MqttClient publisher = clients.connectedPaho5(transport, id("rap-pub"));
        publisher.publish(topic, bytes("live-retained"), 1, true);
        publisher.publish(topic, bytes("live-plain"), 1, false);

        Received r1 = rapInbox.take();
        Received r2 = rapInbox.take();
        assertThat(r1.text()).isEqualTo("live-retained");
        assertThat(r1.retain()).isTrue();
        assertThat(r2.text()).isEqualTo("live-plain");
        assertThat(r2.retain()).isFalse();
        Received p1 = plainInbox.take();
        assertThat(p1.text()).isEqualTo("live-retained");
        assertThat(p1.retain()).isFalse();
        assertThat(plainInbox.take().retain()).isFalse();
        publisher.publish(topic, new byte[0], 1, true);
    }

    @Test
    void retainedMessageWithExpiry_isNotDeliveredAfterItExpired() {
        String topic = "retained/expiry";
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, id("exp-pub"));
        await(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .messageExpiryInterval(2).payload(bytes("short-lived")).send());

        Received fresh = firstAfterFreshSubscribe(RawTransport.TCP, publisher, topic);
        assertThat(fresh.text()).isEqualTo("short-lived");
        assertThat(fresh.retain()).isTrue();
        Mqtt5Publish original = (Mqtt5Publish) fresh.original();
        assertThat(original.getMessageExpiryInterval()).isPresent();
        assertThat(original.getMessageExpiryInterval().getAsLong()).isBetween(1L, 2L);

        // Once expired, a new subscriber gets the marker first: the retained message is gone.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).until(() ->
                firstAfterFreshSubscribe(RawTransport.TCP, publisher, topic).text().equals("marker"));
    }

    @Test
    void retainNotAvailable_mqtt5PublishWithRetain_isDisconnectedWith0x9A() throws Exception {
        try (TestBroker limited = TestBroker.startWithMqtt("retain-available: false");
             PubRawClient raw = PubRawClient.open(limited.tcpPort(), 5)) {
            raw.sendConnect(id("noretain"), true, 60, new PubProps());
            PubRawClient.Packet connack = raw.expect(PubRawClient.CONNACK);
            assertThat(connack.connackProperties()).contains(new PubRawClient.Prop(PubProps.RETAIN_AVAILABLE, 0));
            raw.publish("noretain/a", 1, 1, "not retained");
            assertThat(raw.expect(PubRawClient.PUBACK).packetId()).isEqualTo(1);

            raw.publish("noretain/a", 1, false, true, 2, null, bytes("retained"));
            assertThat(raw.expectDisconnect()).isEqualTo(0x9A);
        }
    }

    private static void clearRetained(Mqtt5AsyncClient publisher, String topic) {
        await(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(true).send());
    }
}
