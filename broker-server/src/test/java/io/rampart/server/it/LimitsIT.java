package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckRestrictions;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawProperties;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static io.rampart.server.it.support.RawPackets.V5;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limits a broker advertises in the MQTT 5 CONNACK (§3.2.2.3) follow its configuration, are omitted
 * where the value equals the protocol default, and are enforced with the reason codes of §3.14.2.1.
 */
class LimitsIT {

    /** The default {@code mqtt.max-packet-size}: 1 MB. */
    private static final int DEFAULT_MAX_PACKET_SIZE = 1_048_576;

    private static TestBroker defaults;
    private static TestBroker tuned;
    private static TestBroker qos0;
    private static TestBroker receiveMax5;

    @BeforeAll
    static void startBrokers() {
        defaults = TestBroker.start();
        tuned = TestBroker.startWithMqtt("""
                receive-maximum: 5
                max-qos: 1
                retain-available: false
                max-packet-size: 2KB
                topic-alias-maximum: 7
                wildcard-subscriptions: false
                shared-subscriptions: false
                """);
        qos0 = TestBroker.startWithMqtt("max-qos: 0\ntopic-alias-maximum: 0\nreceive-maximum: 65535");
        receiveMax5 = TestBroker.startWithMqtt("receive-maximum: 5");
    }

    @AfterAll
    static void stopBrokers() {
        for (TestBroker b : new TestBroker[]{defaults, tuned, qos0, receiveMax5}) {
            if (b != null) {
                b.close();
            }
        }
    }

    // ------------------------------------------------------------------ advertised

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void defaults_areAdvertisedAsTheDocumentedValues(RawTransport transport) {
        Mqtt5ConnAckRestrictions r = connAck(transport, defaults).getRestrictions();
        assertThat(r.getReceiveMaximum()).isEqualTo(1024);
        assertThat(r.getMaximumQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
        assertThat(r.isRetainAvailable()).isTrue();
        assertThat(r.getMaximumPacketSize()).isEqualTo(DEFAULT_MAX_PACKET_SIZE);
        assertThat(r.getTopicAliasMaximum()).isEqualTo(32);
        assertThat(r.isWildcardSubscriptionAvailable()).isTrue();
        assertThat(r.isSharedSubscriptionAvailable()).isTrue();

        // on the wire: only what differs from the protocol defaults (§3.2.2.3)
        try (RawMqttClient raw = transport.open(defaults)) {
            RawProperties p = raw.connect(V5, "limits-raw-defaults").properties();
            assertThat(p.integer(RawProperties.RECEIVE_MAXIMUM)).isEqualTo(1024L);
            assertThat(p.integer(RawProperties.TOPIC_ALIAS_MAXIMUM)).isEqualTo(32L);
            assertThat(p.integer(RawProperties.MAXIMUM_PACKET_SIZE)).isEqualTo((long) DEFAULT_MAX_PACKET_SIZE);
            assertThat(p.ids()).doesNotContain(RawProperties.MAXIMUM_QOS, RawProperties.RETAIN_AVAILABLE,
                    RawProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, RawProperties.SHARED_SUBSCRIPTION_AVAILABLE);
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void tunedLimits_areAdvertised(RawTransport transport) {
        Mqtt5ConnAckRestrictions r = connAck(transport, tuned).getRestrictions();
        assertThat(r.getReceiveMaximum()).isEqualTo(5);
        assertThat(r.getMaximumQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(r.isRetainAvailable()).isFalse();
        assertThat(r.getMaximumPacketSize()).isEqualTo(2048);
        assertThat(r.getTopicAliasMaximum()).isEqualTo(7);
        assertThat(r.isWildcardSubscriptionAvailable()).isFalse();
        assertThat(r.isSharedSubscriptionAvailable()).isFalse();

        try (RawMqttClient raw = transport.open(tuned)) {
            RawProperties p = raw.connect(V5, "limits-raw-tuned").properties();
            assertThat(p.integer(RawProperties.RECEIVE_MAXIMUM)).isEqualTo(5L);
            assertThat(p.integer(RawProperties.MAXIMUM_QOS)).isEqualTo(1L);
            assertThat(p.integer(RawProperties.RETAIN_AVAILABLE)).isEqualTo(0L);
            assertThat(p.integer(RawProperties.MAXIMUM_PACKET_SIZE)).isEqualTo(2048L);
            assertThat(p.integer(RawProperties.TOPIC_ALIAS_MAXIMUM)).isEqualTo(7L);
            assertThat(p.integer(RawProperties.WILDCARD_SUBSCRIPTION_AVAILABLE)).isEqualTo(0L);
            assertThat(p.integer(RawProperties.SHARED_SUBSCRIPTION_AVAILABLE)).isEqualTo(0L);
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void qos0AndNoAliases_areAdvertised(RawTransport transport) {
        Mqtt5ConnAckRestrictions r = connAck(transport, qos0).getRestrictions();
        assertThat(r.getMaximumQos()).isEqualTo(MqttQos.AT_MOST_ONCE);
        assertThat(r.getTopicAliasMaximum()).isZero();
        assertThat(r.getReceiveMaximum()).isEqualTo(65_535);

        try (RawMqttClient raw = transport.open(qos0)) {
            RawProperties p = raw.connect(V5, "limits-raw-qos0").properties();
            assertThat(p.integer(RawProperties.MAXIMUM_QOS)).isEqualTo(0L);
            assertThat(p.ids()).as("0 and 65535 are the protocol defaults")
                    .doesNotContain(RawProperties.TOPIC_ALIAS_MAXIMUM, RawProperties.RECEIVE_MAXIMUM);
        }
    }

    /** MQTT 3.1.1 has no CONNACK properties; it learns the maximum QoS from the SUBACK (§3.9.3). */
    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void v3Subscriber_isGrantedAtMostTheMaximumQos(RawTransport transport) {
        Mqtt3BlockingClient client = transport.hiveMq3(tuned, "limits-v3-" + transport).buildBlocking();
        client.connect();
        try {
            assertThat(client.subscribeWith().topicFilter("limits/v3").qos(MqttQos.EXACTLY_ONCE).send()
                    .getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);
        } finally {
            client.disconnect();
        }
    }

    // ------------------------------------------------------------------ enforced

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void publishAboveMaximumQos_isQosNotSupported(RawTransport transport) {
        try (RawMqttClient raw = transport.open(tuned)) {
            raw.connect(V5, "limits-qos2");
            raw.send(RawPackets.publish(V5, "limits/qos", 2, 1, new byte[]{1}));
            assertDisconnect(raw, 0x9B);
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void retainedPublishWithoutRetainAvailable_isRetainNotSupported(RawTransport transport) {
        try (RawMqttClient raw = transport.open(tuned)) {
            raw.connect(V5, "limits-retain");
            raw.send(RawPackets.publish(V5, RawPackets.utf8("limits/retain"), 0x01, 0, RawProperties.none(),
                    new byte[]{1}));
            assertDisconnect(raw, 0x9A);
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void retainedWillWithoutRetainAvailable_isRefusedInConnack(RawTransport transport) {
        try (RawMqttClient raw = transport.open(tuned)) {
            RawPacket connack = raw.sendConnect(RawPackets.connect(V5).clientId("limits-will")
                    .will("limits/will", new byte[]{1}, 0, true).build());
            assertThat(connack.type()).isEqualTo(RawPacket.CONNACK);
            assertThat(connack.reasonCode()).isEqualTo(0x9A);
            assertThat(raw.readUntilClosed()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void wildcardAndSharedFilters_whenUnavailable_areRefusedPerFilter(RawTransport transport) {
        try (RawMqttClient raw = transport.open(tuned)) {
            raw.connect(V5, "limits-wildcard");
            RawPacket suback = raw.subscribe(3, 1, "limits/+", "limits/#", "$share/g/limits/a", "limits/plain");
            assertThat(suback.reasonCodes()).containsExactly(0xA2, 0xA2, 0x9E, 1);
            assertThat(raw.ping()).isTrue();
        }
    }

    /** Over WebSocket a frame that large is refused by the frame decoder first (close 1009). */
    @Test
    void publishOf2MB_underTheDefaultMaxPacketSize_isRefusedWith0x95() {
        try (RawMqttClient raw = RawTransport.TCP.open(defaults)) {
            raw.connect(V5, "limits-2mb");
            raw.send(RawPackets.publish(V5, "limits/2mb", 1, 1, new byte[2 * 1024 * 1024]));
            assertDisconnect(raw, 0x95);
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void packetAboveAdvertisedMaximum_isPacketTooLarge(RawTransport transport) {
        try (RawMqttClient raw = transport.open(tuned)) {
            raw.connect(V5, "limits-size");
            raw.send(RawPackets.publish(V5, "limits/size", 0, 0, new byte[2048]));
            assertDisconnect(raw, 0x95);
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void topicAliasAboveAdvertisedMaximum_isTopicAliasInvalid(RawTransport transport) {
        try (RawMqttClient raw = transport.open(tuned)) {
            raw.connect(V5, "limits-alias");
            byte[] alias7 = RawProperties.builder().add(RawProperties.TOPIC_ALIAS, 7).build();
            byte[] alias8 = RawProperties.builder().add(RawProperties.TOPIC_ALIAS, 8).build();
            raw.send(RawPackets.publish(V5, RawPackets.utf8("limits/alias"), 0x02, 1, alias7, new byte[]{1}));
            assertThat(raw.expect(RawPacket.PUBACK).packetId()).isEqualTo(1);
            raw.send(RawPackets.publish(V5, RawPackets.utf8("limits/alias"), 0x02, 2, alias8, new byte[]{1}));
            assertDisconnect(raw, 0x94);
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void moreUnacknowledgedQos2ThanReceiveMaximum_isReceiveMaximumExceeded(RawTransport transport) {
        try (RawMqttClient raw = connectFullQos(transport)) {
            // no PUBREL: each QoS 2 flow stays open at the broker
            for (int id = 1; id <= 5; id++) {
                raw.send(RawPackets.publish(V5, "limits/rm", 2, id, new byte[]{1}));
                assertThat(raw.expect(RawPacket.PUBREC).packetId()).isEqualTo(id);
            }
            raw.send(RawPackets.publish(V5, "limits/rm", 2, 6, new byte[]{1}));
            assertDisconnect(raw, 0x93);
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void receiveMaximumWindow_isReusedOnceFlowsComplete(RawTransport transport) {
        try (RawMqttClient raw = connectFullQos(transport)) {
            for (int round = 0; round < 3; round++) {
                for (int id = 1; id <= 5; id++) {
                    raw.send(RawPackets.publish(V5, "limits/rm", 2, id, new byte[]{1}));
                    assertThat(raw.expect(RawPacket.PUBREC).packetId()).isEqualTo(id);
                }
                for (int id = 1; id <= 5; id++) {
                    raw.send(RawPackets.pubrel(id));
                    assertThat(raw.expect(RawPacket.PUBCOMP).packetId()).isEqualTo(id);
                }
            }
            assertThat(raw.ping()).isTrue();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A raw v5 client on a broker with receive-maximum 5 and QoS 2 (the tuned one stops at QoS 1). */
    private static RawMqttClient connectFullQos(RawTransport transport) {
        RawMqttClient raw = transport.open(receiveMax5);
        raw.connect(V5, "limits-rm-" + transport);
        return raw;
    }

    private static Mqtt5ConnAck connAck(RawTransport transport, TestBroker broker) {
        Mqtt5BlockingClient client = transport.hiveMq5(broker, "limits-" + transport + "-" + System.nanoTime())
                .buildBlocking();
        Mqtt5ConnAck ack = client.connect();
        client.disconnect();
        return ack;
    }

    private static void assertDisconnect(RawMqttClient raw, int reasonCode) {
        List<RawPacket> received = raw.readUntilClosed();
        assertThat(received).singleElement().satisfies(p -> {
            assertThat(p.type()).as("type of %s", p).isEqualTo(RawPacket.DISCONNECT);
            assertThat(p.reasonCode()).as("reason code of %s", p).isEqualTo(reasonCode);
        });
    }
}
