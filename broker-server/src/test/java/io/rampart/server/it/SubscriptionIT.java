package io.rampart.server.it;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAck;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAckReasonCode;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.Inbox.Received;
import io.rampart.server.it.support.Inbox;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.PubProps;
import io.rampart.server.it.support.PubRawClient.Publish;
import io.rampart.server.it.support.PubRawClient;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Subscriptions (MQTT 5 §4.7, §3.8, §3.10; MQTT 3.1.1 §4.7, §3.8): wildcards, '$' topics, overlapping
 * subscriptions with identifiers, No Local, UNSUBSCRIBE reason codes, invalid filters and
 * {@code wildcard-subscriptions: false}.
 */
class SubscriptionIT {

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

    private Inbox subscribe(Mqtt5AsyncClient client, String filter) {
        Inbox inbox = new Inbox();
        await(client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).callback(inbox::hive5).send());
        return inbox;
    }

    private static void publish(Mqtt5AsyncClient publisher, String topic, String payload) {
        await(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes(payload)).send());
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void singleAndMultiLevelWildcards_matchPerSpec(RawTransport transport) {
        String p = "wild-" + transport;
        Inbox plus = subscribe(clients.connectedHive5(transport, id("plus")), p + "/+/c");
        Inbox hash = subscribe(clients.connectedHive5(transport, id("hash")), p + "/#");
        Inbox plusHash = subscribe(clients.connectedHive5(transport, id("plushash")), "+/b/#");
        Mqtt5AsyncClient publisher = clients.connectedHive5(transport, id("wild-pub"));

        List<String> topics = List.of(p + "/b/c", p + "/b/d", p + "/c", p + "/x/y/c", p, p + "//c", p + "/end/c");
        for (String t : topics) {
            publish(publisher, t, t);
        }

        assertThat(plus.take(3)).extracting(Received::topic).containsExactly(p + "/b/c", p + "//c", p + "/end/c");
        assertThat(hash.take(topics.size())).extracting(Received::topic).containsExactlyElementsOf(topics);
        assertThat(plusHash.take(2)).extracting(Received::topic).containsExactly(p + "/b/c", p + "/b/d");
        publish(publisher, "after/b", "after");
        assertThat(plusHash.take().topic()).isEqualTo("after/b");
        assertThat(plus.poll(Duration.ofMillis(200))).isNull();
    }

    @Test
    void dollarTopics_areNotMatchedByLeadingWildcards_butByExplicitPrefix() throws Exception {
        org.eclipse.paho.mqttv5.client.MqttClient all = clients.connectedPaho5(RawTransport.TCP, id("all"));
        Inbox allInbox = new Inbox();
        all.setCallback(allInbox.paho5());
        all.subscribe(new String[]{"#", "+/x"}, new int[]{1, 1});
        org.eclipse.paho.mqttv5.client.MqttClient sys = clients.connectedPaho5(RawTransport.TCP, id("sys"));
        Inbox sysInbox = new Inbox();
        sys.setCallback(sysInbox.paho5());
        sys.subscribe("$SYS/#", 1);
        org.eclipse.paho.mqttv5.client.MqttClient sysPlus = clients.connectedPaho5(RawTransport.TCP, id("sysplus"));
        Inbox sysPlusInbox = new Inbox();
        sysPlus.setCallback(sysPlusInbox.paho5());
        sysPlus.subscribe("$SYS/+", 1);

        org.eclipse.paho.mqttv5.client.MqttClient publisher = clients.connectedPaho5(RawTransport.WEBSOCKET, id("dollar-pub"));
        publisher.publish("$SYS/x", bytes("system"), 1, false);
        publisher.publish("plain/x", bytes("plain"), 1, false);

        assertThat(sysInbox.take().topic()).isEqualTo("$SYS/x");
        assertThat(sysPlusInbox.take().topic()).isEqualTo("$SYS/x");
        // '#' and '+/x' both match plain/x: one delivery; '$SYS/x' must not have come first.
        Received first = allInbox.take();
        assertThat(first.topic()).isEqualTo("plain/x");
        assertThat(allInbox.poll(Duration.ofMillis(300))).isNull();
        assertThat(sysInbox.poll(Duration.ofMillis(100))).isNull();
    }

    @Test
    void overlappingSubscriptions_deliverOnceAtHighestQos_withEverySubscriptionIdentifier() throws Exception {
        PubRawClient raw = clients.raw(5, id("overlap"));
        assertThat(raw.subscribeAndWait(1, new PubProps().varInt(PubProps.SUBSCRIPTION_IDENTIFIER, 1), "ov/+", 0))
                .containsExactly(0);
        assertThat(raw.subscribeAndWait(2, new PubProps().varInt(PubProps.SUBSCRIPTION_IDENTIFIER, 2), "ov/#", 1))
                .containsExactly(1);
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, id("ov-pub"));

        await(publisher.publishWith().topic("ov/a").qos(MqttQos.EXACTLY_ONCE).payload(bytes("both")).send());
        Publish p = raw.expect(PubRawClient.PUBLISH).publish();
        assertThat(p.topic()).isEqualTo("ov/a");
        assertThat(p.qos()).isEqualTo(1);
        assertThat(p.values(PubProps.SUBSCRIPTION_IDENTIFIER)).containsExactlyInAnyOrder(1, 2);
        raw.ack(PubRawClient.PUBACK, p.packetId());

        // Only 'ov/#' matches 'ov/a/b': its identifier alone.
        await(publisher.publishWith().topic("ov/a/b").qos(MqttQos.AT_MOST_ONCE).payload(bytes("one")).send());
        Publish next = raw.expect(PubRawClient.PUBLISH).publish();
        assertThat(next.payloadText()).as("no second copy of the first message").isEqualTo("one");
        assertThat(next.qos()).isZero();
        assertThat(next.values(PubProps.SUBSCRIPTION_IDENTIFIER)).containsExactly(2);
    }

    @Test
    void resubscribingTheSameFilter_replacesQosAndSubscriptionIdentifier() throws Exception {
        PubRawClient raw = clients.raw(5, id("resub"));
        raw.subscribeAndWait(1, new PubProps().varInt(PubProps.SUBSCRIPTION_IDENTIFIER, 7), "rs/t", 2);
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, id("rs-pub"));
        await(publisher.publishWith().topic("rs/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("one")).send());
        Publish first = raw.expect(PubRawClient.PUBLISH).publish();
        assertThat(first.qos()).isEqualTo(1);
        assertThat(first.values(PubProps.SUBSCRIPTION_IDENTIFIER)).containsExactly(7);
        raw.ack(PubRawClient.PUBACK, first.packetId());

        // MQTT 5 §3.8.4: the new subscription replaces the old one (QoS 0, no identifier now).
        assertThat(raw.subscribeAndWait(2, null, "rs/t", 0)).containsExactly(0);
        await(publisher.publishWith().topic("rs/t").qos(MqttQos.EXACTLY_ONCE).payload(bytes("two")).send());
        Publish second = raw.expect(PubRawClient.PUBLISH).publish();
        assertThat(second.payloadText()).isEqualTo("two");
        assertThat(second.qos()).isZero();
        assertThat(second.values(PubProps.SUBSCRIPTION_IDENTIFIER)).isEmpty();

        raw.unsubscribe(3, "rs/t");
        assertThat(raw.expect(PubRawClient.UNSUBACK).ackCodes()).containsExactly(0x00);
        raw.subscribeAndWait(4, null, "rs/marker", 0);
        await(publisher.publishWith().topic("rs/t").qos(MqttQos.AT_MOST_ONCE).payload(bytes("gone")).send());
        await(publisher.publishWith().topic("rs/marker").qos(MqttQos.AT_MOST_ONCE).payload(bytes("marker")).send());
        assertThat(raw.expect(PubRawClient.PUBLISH).publish().payloadText()).isEqualTo("marker");
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void noLocal_ownMessagesAreNotReceived(RawTransport transport) {
        String topic = "nolocal/" + transport;
        Mqtt5AsyncClient self = clients.connectedHive5(transport, id("self"));
        Inbox selfInbox = new Inbox();
        await(self.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).noLocal(true)
                .callback(selfInbox::hive5).send());
        Mqtt5AsyncClient other = clients.connectedHive5(transport, id("other"));
        Inbox otherInbox = subscribe(other, topic);

        publish(self, topic, "own");
        publish(other, topic, "from-other");

        assertThat(selfInbox.take().text()).isEqualTo("from-other");
        assertThat(otherInbox.take(2)).extracting(Received::text).containsExactly("own", "from-other");
        assertThat(selfInbox.poll(Duration.ofMillis(200))).isNull();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void mqtt5Unsubscribe_returnsReasonCodePerFilter_andStopsDelivery(RawTransport transport) {
        String topic = "unsub5/" + transport;
        Mqtt5AsyncClient client = clients.connectedHive5(transport, id("unsub5"));
        Inbox inbox = new Inbox();
        client.publishes(MqttGlobalPublishFilter.ALL, inbox::hive5);
        await(client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send());
        await(client.subscribeWith().topicFilter(topic + "/marker").qos(MqttQos.AT_LEAST_ONCE).send());
        Mqtt5AsyncClient publisher = clients.connectedHive5(transport, id("unsub5-pub"));
        publish(publisher, topic, "before");
        assertThat(inbox.take().text()).isEqualTo("before");

        Mqtt5UnsubAck ack = await(client.unsubscribeWith().addTopicFilter(topic).addTopicFilter("unsub5/never").send());
        assertThat(ack.getReasonCodes()).containsExactly(Mqtt5UnsubAckReasonCode.SUCCESS,
                Mqtt5UnsubAckReasonCode.NO_SUBSCRIPTIONS_EXISTED);

        publish(publisher, topic, "after");
        publish(publisher, topic + "/marker", "marker");
        assertThat(inbox.take().text()).isEqualTo("marker");
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void mqtt311Unsubscribe_stopsDelivery(RawTransport transport) throws Exception {
        String topic = "unsub3/" + transport;
        org.eclipse.paho.client.mqttv3.MqttClient client = clients.connectedPaho3(transport, id("unsub3"));
        Inbox inbox = new Inbox();
        client.setCallback(inbox.paho3());
        client.subscribe(new String[]{topic, topic + "/marker"}, new int[]{1, 1});
        org.eclipse.paho.client.mqttv3.MqttClient publisher = clients.connectedPaho3(transport, id("unsub3-pub"));
        publisher.publish(topic, bytes("before"), 1, false);
        assertThat(inbox.take().text()).isEqualTo("before");

        client.unsubscribe(topic);
        publisher.publish(topic, bytes("after"), 1, false);
        publisher.publish(topic + "/marker", bytes("marker"), 1, false);
        assertThat(inbox.take().text()).isEqualTo("marker");
    }

    @Test
    void mqtt311Unsubscribe_unsubackHasNoReasonCodes() throws Exception {
        PubRawClient raw = clients.raw(4, id("unsub-raw3"));
        raw.subscribeAndWait(1, null, "u3/a", 1);
        raw.unsubscribe(2, "u3/a", "u3/never");
        PubRawClient.Packet unsuback = raw.expect(PubRawClient.UNSUBACK);
        assertThat(unsuback.packetId()).isEqualTo(2);
        assertThat(unsuback.body).hasSize(2);
    }

    @Test
    void mqtt5Unsubscribe_rawReasonCodes_successNoSubscriptionAndInvalidFilter() throws Exception {
        PubRawClient raw = clients.raw(5, id("unsub-raw5"));
        raw.subscribeAndWait(1, null, "u5/a", 1, "$share/g/u5/s", 1);
        raw.unsubscribe(2, "u5/a", "u5/never", "u5/#/x", "$share/g/u5/s");
        PubRawClient.Packet unsuback = raw.expect(PubRawClient.UNSUBACK);
        assertThat(unsuback.packetId()).isEqualTo(2);
        assertThat(unsuback.ackCodes()).containsExactly(0x00, 0x11, 0x8F, 0x00);
    }

    @ParameterizedTest(name = "MQTT protocol level {0}")
    @ValueSource(ints = {4, 5})
    void invalidFilters_areRefusedPerFilter_validOnesInTheSameSubscribeSucceed(int version) throws Exception {
        PubRawClient raw = clients.raw(version, id("invalid"));
        int refused = version == 5 ? 0x8F : 0x80;
        String ok = "valid" + version + "/+";

        int[] codes = raw.subscribeAndWait(1, null, "a/#/b", 1, ok, 1, "a+", 2, "#/a", 0);
        assertThat(codes).containsExactly(refused, 1, refused, refused);

        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, id("invalid-pub"));
        publish(publisher, "valid" + version + "/x", "works");
        Publish p = raw.expect(PubRawClient.PUBLISH).publish();
        assertThat(p.topic()).isEqualTo("valid" + version + "/x");
        assertThat(p.payloadText()).isEqualTo("works");
    }

    @ParameterizedTest(name = "MQTT protocol level {0}")
    @ValueSource(ints = {4, 5})
    void wildcardSubscriptionsDisabled_refusesWildcardFilters(int version) throws Exception {
        try (TestBroker limited = TestBroker.startWithMqtt("wildcard-subscriptions: false");
             PubRawClient raw = PubRawClient.open(limited.tcpPort(), version)) {
            raw.sendConnect(id("nowild"), true, 60, new PubProps());
            PubRawClient.Packet connack = raw.expect(PubRawClient.CONNACK);
            if (version == 5) {
                assertThat(connack.connackProperties())
                        .contains(new PubRawClient.Prop(PubProps.WILDCARD_SUBSCRIPTION_AVAILABLE, 0));
            }
            int refused = version == 5 ? 0xA2 : 0x80;
            int[] codes = raw.subscribeAndWait(1, null, "nw/+", 1, "nw/plain", 1, "nw/#", 1, "$share/g/nw/+", 1);
            assertThat(codes).containsExactly(refused, 1, refused, refused);

            try (Clients local = new Clients(limited)) {
                Mqtt5AsyncClient publisher = local.connectedHive5(RawTransport.TCP, id("nowild-pub"));
                publish(publisher, "nw/plain", "exact match still works");
                assertThat(raw.expect(PubRawClient.PUBLISH).publish().topic()).isEqualTo("nw/plain");
            }
        }
    }

    @Test
    void mosquittoSub_multiLevelWildcard_receivesMatchingTopics() throws Exception {
        try (PubMosquitto sub = PubMosquitto.start(broker, "mosquitto_sub", "-V", "mqttv5", "-i", "mosq-wild",
                "-t", "ms/a/#", "-C", "3", "-W", "10", "-v")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.hasSubscriptions("mosq-wild", 1));
            org.eclipse.paho.mqttv5.client.MqttClient publisher = clients.connectedPaho5(RawTransport.TCP, id("ms-pub"));
            for (String t : new String[]{"ms/a/1", "ms/b", "ms/a/2/3", "ms/ab", "ms/a"}) {
                publisher.publish(t, bytes("p" + t.length()), 1, false);
            }
            PubMosquitto.Result result = sub.await();
            assertThat(result.exitCode()).as(result.stderr()).isZero();
            assertThat(result.lines()).containsExactly("ms/a/1 p6", "ms/a/2/3 p8", "ms/a p4");
        }
    }
}
