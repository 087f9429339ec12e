package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.Inbox.Received;
import io.rampart.server.it.support.Inbox;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.PubProps;
import io.rampart.server.it.support.PubRawClient.Packet;
import io.rampart.server.it.support.PubRawClient;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * QoS 0/1/2 end to end (MQTT 3.1.1 §4.3, MQTT 5 §4.3): delivered QoS is the minimum of publish and
 * subscription QoS, order per publisher is kept, QoS 2 is delivered exactly once, and the broker's
 * {@code max-qos} is enforced.
 */
class PublishQosIT {

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();
    @RegisterExtension
    final Clients clients = new Clients(broker);

    static Stream<Arguments> qosMatrix() {
        List<Arguments> args = new ArrayList<>();
        for (RawTransport t : RawTransport.values()) {
            for (int pub = 0; pub <= 2; pub++) {
                for (int sub = 0; sub <= 2; sub++) {
                    args.add(Arguments.of(t, pub, sub));
                }
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} publish QoS {1} subscription QoS {2}")
    @MethodSource("qosMatrix")
    void mqtt5_deliveredQos_isMinimumOfPublishAndSubscriptionQos(RawTransport transport, int pubQos, int subQos) {
        String topic = "qos5/" + transport + "/" + pubQos + "/" + subQos;
        Mqtt5AsyncClient subscriber = clients.connectedHive5(transport, "sub5-" + transport + pubQos + subQos);
        Inbox inbox = new Inbox();
        Mqtt5SubAck ack = await(subscriber.subscribeWith().topicFilter(topic).qos(MqttQos.fromCode(subQos))
                .callback(inbox::hive5).send());
        assertThat(ack.getReasonCodes()).extracting(Mqtt5SubAckReasonCode::getCode).containsExactly(subQos);
        Mqtt5AsyncClient publisher = clients.connectedHive5(transport, "pub5-" + transport + pubQos + subQos);

        await(publisher.publishWith().topic(topic).qos(MqttQos.fromCode(pubQos))
                .payload("m".getBytes(StandardCharsets.UTF_8)).send());

        Received r = inbox.take();
        assertThat(r.topic()).isEqualTo(topic);
        assertThat(r.text()).isEqualTo("m");
        assertThat(r.qos()).isEqualTo(Math.min(pubQos, subQos));
    }

    @ParameterizedTest(name = "{0} publish QoS {1} subscription QoS {2}")
    @MethodSource("qosMatrix")
    void mqtt311_deliveredQos_isMinimumOfPublishAndSubscriptionQos(RawTransport transport, int pubQos, int subQos)
            throws Exception {
        String topic = "qos3/" + transport + "/" + pubQos + "/" + subQos;
        org.eclipse.paho.client.mqttv3.MqttClient subscriber = clients.connectedPaho3(transport, "sub3-" + transport + pubQos + subQos);
        Inbox inbox = new Inbox();
        subscriber.setCallback(inbox.paho3());
        org.eclipse.paho.client.mqttv3.IMqttToken token = subscriber.subscribeWithResponse(topic, subQos);
        assertThat(token.getGrantedQos()).containsExactly(subQos);
        org.eclipse.paho.client.mqttv3.MqttClient publisher = clients.connectedPaho3(transport, "pub3-" + transport + pubQos + subQos);

        publisher.publish(topic, "m".getBytes(StandardCharsets.UTF_8), pubQos, false);

        Received r = inbox.take();
        assertThat(r.topic()).isEqualTo(topic);
        assertThat(r.text()).isEqualTo("m");
        assertThat(r.qos()).isEqualTo(Math.min(pubQos, subQos));
    }

    static Stream<Arguments> transportsAndQos12() {
        return Stream.of(RawTransport.values()).flatMap(t -> Stream.of(Arguments.of(t, 1), Arguments.of(t, 2)));
    }

    @ParameterizedTest(name = "{0} QoS {1}")
    @MethodSource("transportsAndQos12")
    void orderOfOnePublisher_isPreserved(RawTransport transport, int qos) {
        String topic = "order/" + transport + "/" + qos;
        Mqtt5AsyncClient subscriber = clients.connectedHive5(transport, "order-sub-" + transport + qos);
        Inbox inbox = new Inbox();
        await(subscriber.subscribeWith().topicFilter(topic).qos(MqttQos.fromCode(qos)).callback(inbox::hive5).send());
        Mqtt5AsyncClient publisher = clients.connectedHive5(transport, "order-pub-" + transport + qos);

        int n = 300;
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(publisher.publishWith().topic(topic).qos(MqttQos.fromCode(qos))
                    .payload(Integer.toString(i).getBytes(StandardCharsets.UTF_8)).send());
        }
        await(CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)));

        List<String> payloads = inbox.take(n).stream().map(Received::text).toList();
        assertThat(payloads).containsExactlyElementsOf(IntStream.range(0, n).mapToObj(Integer::toString).toList());
    }

    @Test
    void thousandQos2Messages_areDeliveredExactlyOnce() throws Exception {
        String topic = "exactly-once/bulk";
        org.eclipse.paho.mqttv5.client.MqttClient subscriber = clients.connectedPaho5(RawTransport.TCP, "bulk-sub");
        Inbox inbox = new Inbox();
        subscriber.setCallback(inbox.paho5());
        subscriber.subscribe(topic, 2);
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, "bulk-pub");

        int n = 1000;
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(publisher.publishWith().topic(topic).qos(MqttQos.EXACTLY_ONCE)
                    .payload(Integer.toString(i).getBytes(StandardCharsets.UTF_8)).send());
        }
        await(CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)));

        List<Received> received = inbox.take(n);
        Map<String, Integer> counts = new HashMap<>();
        for (Received r : received) {
            assertThat(r.qos()).isEqualTo(2);
            counts.merge(r.text(), 1, Integer::sum);
        }
        assertThat(counts).hasSize(n).allSatisfy((payload, count) -> assertThat(count).isEqualTo(1));
        // Nothing beyond the thousand: a QoS 0 marker on the same topic is the very next message.
        await(publisher.publishWith().topic(topic).qos(MqttQos.AT_MOST_ONCE).payload("end".getBytes()).send());
        assertThat(inbox.take().text()).isEqualTo("end");
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void mqtt311_hiveMqQos2Publisher_reachesPahoV3Subscriber(RawTransport transport) throws Exception {
        String topic = "mixed/" + transport;
        org.eclipse.paho.client.mqttv3.MqttClient subscriber = clients.connectedPaho3(transport, "mixed-sub-" + transport);
        Inbox inbox = new Inbox();
        subscriber.setCallback(inbox.paho3());
        subscriber.subscribe(topic, 2);
        Mqtt3AsyncClient publisher = clients.connectedHive3(transport, "mixed-pub-" + transport);

        for (int i = 0; i < 20; i++) {
            await(publisher.publishWith().topic(topic).qos(MqttQos.EXACTLY_ONCE).payload(("x" + i).getBytes()).send());
        }

        assertThat(inbox.take(20)).extracting(Received::text)
                .containsExactlyElementsOf(IntStream.range(0, 20).mapToObj(i -> "x" + i).toList());
    }

    @Test
    void mosquittoSubscriberAndPublisher_useEveryQos() throws Exception {
        try (PubMosquitto sub = PubMosquitto.start(broker, "mosquitto_sub", "-V", "mqttv5", "-i", "mosq-qos-sub",
                "-t", "mosq/qos/#", "-q", "2", "-C", "3", "-W", "10", "-F", "%t %q %p")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.hasSubscriptions("mosq-qos-sub", 1));
            for (int qos = 0; qos <= 2; qos++) {
                PubMosquitto.Result pub = PubMosquitto.run(broker, "mosquitto_pub", "-V", "mqttv311",
                        "-t", "mosq/qos/" + qos, "-q", Integer.toString(qos), "-m", "via-" + qos);
                assertThat(pub.exitCode()).as(pub.stderr()).isZero();
            }
            PubMosquitto.Result result = sub.await();
            assertThat(result.exitCode()).as(result.stderr()).isZero();
            assertThat(result.lines()).containsExactly("mosq/qos/0 0 via-0", "mosq/qos/1 1 via-1", "mosq/qos/2 2 via-2");
        }
    }

    @Test
    void mqtt5_qos2DuplicateBeforePubrel_isAcknowledgedTwiceAndDeliveredOnce() throws Exception {
        exactlyOnceWithRawPublisher(5);
    }

    @Test
    void mqtt311_qos2DuplicateBeforePubrel_isAcknowledgedTwiceAndDeliveredOnce() throws Exception {
        exactlyOnceWithRawPublisher(4);
    }

    private void exactlyOnceWithRawPublisher(int version) throws Exception {
        String topic = "raw-qos2/v" + version;
        Mqtt5AsyncClient subscriber = clients.connectedHive5(RawTransport.TCP, "raw-qos2-sub-" + version);
        Inbox inbox = new Inbox();
        await(subscriber.subscribeWith().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).callback(inbox::hive5).send());
        PubRawClient raw = clients.raw(version, "raw-qos2-pub-" + version);
        byte[] payload = "once".getBytes(StandardCharsets.UTF_8);

        raw.publish(topic, 2, false, false, 7, null, payload);
        Packet first = raw.expect(PubRawClient.PUBREC);
        raw.publish(topic, 2, true, false, 7, null, payload);
        Packet second = raw.expect(PubRawClient.PUBREC);

        assertThat(first.packetId()).isEqualTo(7);
        assertThat(second.packetId()).isEqualTo(7);
        assertThat(second.reasonCode()).isLessThan(0x80);
        assertThat(inbox.take().text()).isEqualTo("once");

        raw.ack(PubRawClient.PUBREL, 7);
        Packet comp = raw.expect(PubRawClient.PUBCOMP);
        assertThat(comp.packetId()).isEqualTo(7);
        assertThat(comp.reasonCode()).isZero();

        raw.ack(PubRawClient.PUBREL, 99);
        Packet unknown = raw.expect(PubRawClient.PUBCOMP);
        assertThat(unknown.packetId()).isEqualTo(99);
        if (version == 5) {
            assertThat(unknown.reasonCode()).isEqualTo(0x92);
        } else {
            assertThat(unknown.body).hasSize(2);
        }

        // After PUBCOMP the id is free again: a new PUBLISH with id 7 is a new message.
        raw.publish(topic, 2, false, false, 7, null, "again".getBytes(StandardCharsets.UTF_8));
        raw.expect(PubRawClient.PUBREC);
        raw.ack(PubRawClient.PUBREL, 7);
        raw.expect(PubRawClient.PUBCOMP);
        assertThat(inbox.take().text()).isEqualTo("again");
        assertThat(inbox.poll(Duration.ofMillis(300))).isNull();
    }

    @Test
    void outboundQos2Flow_pubrecPubrelPubcomp_andReceiveMaximumCountsUntilPubcomp() throws Exception {
        String clientId = "raw-q2-receiver";
        PubRawClient raw = clients.raw(5, clientId, new PubProps().twoByte(PubProps.RECEIVE_MAXIMUM, 1));
        raw.subscribeAndWait(1, null, "out-q2/#", 2);
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, "out-q2-pub");
        for (int i = 0; i < 3; i++) {
            await(publisher.publishWith().topic("out-q2/t").qos(MqttQos.EXACTLY_ONCE).payload(("q" + i).getBytes()).send());
        }

        PubRawClient.Publish first = raw.expect(PubRawClient.PUBLISH).publish();
        assertThat(first.qos()).isEqualTo(2);
        assertThat(first.payloadText()).isEqualTo("q0");
        raw.ack(PubRawClient.PUBREC, first.packetId());
        Packet pubrel = raw.expect(PubRawClient.PUBREL);
        assertThat(pubrel.packetId()).isEqualTo(first.packetId());
        assertThat(pubrel.flags).isEqualTo(0x02);
        // Still in flight until PUBCOMP: with Receive Maximum 1 nothing else may come yet.
        assertThat(raw.next(Duration.ofMillis(300))).isNull();
        raw.ack(PubRawClient.PUBCOMP, first.packetId());

        PubRawClient.Publish second = raw.expect(PubRawClient.PUBLISH).publish();
        assertThat(second.payloadText()).isEqualTo("q1");
        // A PUBREC with an error code ends the flow (MQTT 5 §4.3.3): no PUBREL, the next message follows.
        raw.sendRaw(new byte[]{0x50, 0x03, (byte) (second.packetId() >> 8), (byte) second.packetId(), (byte) 0x80});
        PubRawClient.Publish third = raw.expect(p -> p.type != PubRawClient.PUBREL, "no PUBREL after PUBREC 0x80")
                .publish();
        assertThat(third.payloadText()).isEqualTo("q2");
        raw.ack(PubRawClient.PUBREC, third.packetId());
        assertThat(raw.expect(PubRawClient.PUBREL).packetId()).isEqualTo(third.packetId());
        raw.ack(PubRawClient.PUBCOMP, third.packetId());
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.session(clientId).inflightCount() == 0);

        raw.ack(PubRawClient.PUBREC, 4242);
        Packet unknown = raw.expect(PubRawClient.PUBREL);
        assertThat(unknown.packetId()).isEqualTo(4242);
        assertThat(unknown.reasonCode()).isEqualTo(0x92);
    }

    @Test
    void maxQos1_grantsQos1ForQos2SubscriptionAndDisconnectsQos2Publisher() throws Exception {
        try (TestBroker limited = TestBroker.startWithMqtt("max-qos: 1");
             Clients local = new Clients(limited)) {
            Mqtt5AsyncClient subscriber = local.connectedHive5(RawTransport.TCP, "maxqos-sub");
            Inbox inbox = new Inbox();
            Mqtt5SubAck ack = await(subscriber.subscribeWith().topicFilter("maxqos/#").qos(MqttQos.EXACTLY_ONCE)
                    .callback(inbox::hive5).send());
            assertThat(ack.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);

            try (PubRawClient raw = PubRawClient.open(limited.tcpPort(), 5)) {
                raw.sendConnect("maxqos-raw", true, 60, new PubProps());
                Packet connack = raw.expect(PubRawClient.CONNACK);
                assertThat(connack.connackProperties())
                        .contains(new PubRawClient.Prop(PubProps.MAXIMUM_QOS, 1));
                raw.publish("maxqos/a", 1, 1, "qos1 is fine");
                assertThat(raw.expect(PubRawClient.PUBACK).reasonCode()).isZero();
                assertThat(inbox.take().qos()).isEqualTo(1);

                raw.publish("maxqos/a", 2, 2, "qos2 is not");
                assertThat(raw.expectDisconnect()).isEqualTo(0x9B);
            }
            assertThat(inbox.poll(Duration.ofMillis(300))).isNull();
        }
    }
}
