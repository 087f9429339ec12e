package io.rampart.server.it;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.core.session.DropReason;
import io.rampart.core.session.Session;
import io.rampart.server.it.support.Bystander;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawProperties;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.rampart.server.it.support.RawPackets.V3_1_1;
import static io.rampart.server.it.support.RawPackets.V5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Malformed and hostile input over TCP and WebSocket, MQTT 3.1.1 and 5: the offending connection is
 * answered with the reason code the specification asks for (MQTT 5) or simply closed (3.1.1, which has
 * no DISCONNECT from the server), and a well-behaved client connected beforehand keeps working.
 */
class MalformedInputIT {

    private static final int MAX_PACKET_SIZE = 1024;
    private static final int MAX_TOPIC_LENGTH = 64;
    private static final int MAX_TOPIC_LEVELS = 5;
    private static final int MAX_CLIENT_ID_LENGTH = 30;

    // MQTT 5 reason codes (§2.4)
    private static final int MALFORMED_PACKET = 0x81;
    private static final int PROTOCOL_ERROR = 0x82;
    private static final int CLIENT_ID_NOT_VALID = 0x85;
    private static final int TOPIC_FILTER_INVALID = 0x8F;
    private static final int TOPIC_NAME_INVALID = 0x90;
    private static final int PACKET_TOO_LARGE = 0x95;
    // MQTT 3.1.1 return codes
    private static final int V3_IDENTIFIER_REJECTED = 0x02;
    private static final int V3_SUBACK_FAILURE = 0x80;

    private static TestBroker broker;
    private static Bystander bystander;
    /** Connections open across tests: the bystander's. */
    private static int baselineConnections;

    private final AtomicInteger ids = new AtomicInteger();
    private final List<RawMqttClient> raws = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.startWithMqtt("""
                max-packet-size: %d
                max-topic-length: %d
                max-topic-levels: %d
                max-client-id-length: %d
                """.formatted(MAX_PACKET_SIZE, MAX_TOPIC_LENGTH, MAX_TOPIC_LEVELS, MAX_CLIENT_ID_LENGTH));
        bystander = Bystander.connect(broker);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().connectionCount() == 1);
        baselineConnections = broker.broker().connectionCount();
    }

    @AfterAll
    static void stopBroker() {
        if (bystander != null) {
            bystander.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeRawClientsAndCheckTheBrokerForgotThem() {
        raws.forEach(RawMqttClient::close);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(broker.broker().connectionCount()).isEqualTo(baselineConnections));
    }

    static Stream<Arguments> transportsAndVersions() {
        return Stream.of(RawTransport.values())
                .flatMap(t -> Stream.of(Arguments.of(t, V3_1_1), Arguments.of(t, V5)));
    }

    // ------------------------------------------------------------------ before CONNECT

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void garbageInsteadOfConnect_closesWithoutAnswer(RawTransport transport) {
        List<byte[]> garbage = List.of(
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                new byte[]{(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
                RawPackets.publish(V3_1_1, "a", 0, 0, new byte[]{1})); // a valid packet, but not CONNECT
        for (byte[] bytes : garbage) {
            RawMqttClient raw = open(transport);
            raw.send(bytes);
            assertThat(raw.readUntilClosed()).as("answer to %s", RawPackets.hex(bytes)).isEmpty();
        }
        bystander.assertStillWorks();
    }

    /**
     * An unknown protocol name or level: 3.1.1 §3.1.2.1/§3.1.2.2 allow answering CONNACK 0x01 (unacceptable
     * protocol version) before closing, which is what an MQTT client of another version can understand.
     */
    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void unknownProtocolNameOrLevel_isRefusedAsUnacceptableVersion(RawTransport transport) {
        List<byte[]> connects = List.of(
                new byte[]{0x10, 0x0A, 0, 4, 'A', 'B', 'C', 'D', 4, 2, 0, 60},  // protocol name "ABCD"
                new byte[]{0x10, 0x0C, 0, 4, 'M', 'Q', 'T', 'T', 9, 2, 0, 60, 0, 0}); // level 9
        for (byte[] connect : connects) {
            RawMqttClient raw = open(transport);
            raw.send(connect);
            assertThat(raw.readUntilClosed()).as("answer to %s", RawPackets.hex(connect)).singleElement()
                    .satisfies(p -> {
                        assertThat(p.type()).isEqualTo(RawPacket.CONNACK);
                        assertThat(p.reasonCode()).isEqualTo(0x01);
                    });
        }
        bystander.assertStillWorks();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void remainingLengthLongerThanFourBytes_beforeConnect_closes(RawTransport transport) {
        RawMqttClient raw = open(transport);
        raw.send(new byte[]{0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01});
        assertThat(raw.readUntilClosed()).isEmpty();
        bystander.assertStillWorks();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void halfAPacketThenClose_leavesTheBrokerHealthy(RawTransport transport) {
        byte[] connect = RawPackets.connect(V5, "half");
        RawMqttClient beforeConnect = open(transport);
        beforeConnect.send(Arrays.copyOf(connect, connect.length / 2));
        beforeConnect.close();

        RawMqttClient afterConnect = connected(transport, V5);
        byte[] publish = RawPackets.publish(V5, "bystander/half", 1, 1, new byte[200]);
        afterConnect.send(Arrays.copyOf(publish, publish.length / 2));
        afterConnect.close();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> broker.broker().connectionCount() == baselineConnections);
        bystander.assertStillWorks();
    }

    /**
     * §3.1.4: clients may send packets right behind CONNECT without waiting for CONNACK; they are held while
     * the CONNECT is decided and processed afterwards, in order.
     */
    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void packetsPipelinedBehindConnect_areProcessedInOrder(RawTransport transport, int version) {
        RawMqttClient raw = open(transport);
        raw.version(version).send(
                RawPackets.connect(version, "pipelined-" + ids.incrementAndGet()),
                RawPackets.subscribe(version, 1, 1, "bystander/pipelined"),
                RawPackets.publish(version, "bystander/pipelined", 1, 2, "p".getBytes(StandardCharsets.UTF_8)));
        assertThat(raw.expect(RawPacket.CONNACK).reasonCode()).isZero();
        assertThat(raw.expect(RawPacket.SUBACK).reasonCodes()).containsExactly(1);
        List<RawPacket> next = List.of(raw.read(), raw.read());
        assertThat(next).extracting(RawPacket::type).containsExactlyInAnyOrder(RawPacket.PUBACK, RawPacket.PUBLISH);
        assertThat(bystander.receive()).hasValueSatisfying(p -> assertThat(p.getPayloadAsBytes()).containsExactly('p'));
    }

    // ------------------------------------------------------------------ framing and size

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void remainingLengthLongerThanFourBytes_afterConnect_isMalformed(RawTransport transport, int version) {
        RawMqttClient raw = connected(transport, version);
        raw.send(new byte[]{0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01});
        assertDisconnected(raw, version, MALFORMED_PACKET);
        bystander.assertStillWorks();
    }

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void publishOfExactlyMaxPacketSize_isAccepted(RawTransport transport, int version) {
        RawMqttClient raw = connected(transport, version);
        raw.send(publishOfTotalSize(version, MAX_PACKET_SIZE, 7));
        assertThat(raw.expect(RawPacket.PUBACK).packetId()).isEqualTo(7);
        assertThat(bystander.receive()).hasValueSatisfying(p -> assertThat(p.getTopic().toString()).isEqualTo("bystander/size"));
        assertThat(raw.ping()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void publishOneByteLargerThanMaxPacketSize_isPacketTooLarge(RawTransport transport, int version) {
        RawMqttClient raw = connected(transport, version);
        raw.send(publishOfTotalSize(version, MAX_PACKET_SIZE + 1, 8));
        assertDisconnected(raw, version, PACKET_TOO_LARGE);
        bystander.assertStillWorks();
    }

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void publishMuchLargerThanMaxPacketSize_isPacketTooLarge(RawTransport transport, int version) {
        RawMqttClient raw = connected(transport, version);
        // 60 KB: below the WebSocket frame limit (64 KB), so the MQTT layer is what refuses it
        raw.send(RawPackets.publish(version, "bystander/big", 0, 0, new byte[60 * 1024]));
        assertDisconnected(raw, version, PACKET_TOO_LARGE);
        bystander.assertStillWorks();
    }

    /**
     * A single WebSocket frame above the frame limit (64 KB with this max-packet-size) is refused by the
     * WebSocket layer before MQTT sees it: close frame 1009 (message too big, RFC 6455 §7.4.1), no MQTT answer.
     */
    @ParameterizedTest
    @ValueSource(ints = {V3_1_1, V5})
    void webSocketFrameAboveTheFrameLimit_closesWithMessageTooBig(int version) {
        RawMqttClient raw = connected(RawTransport.WEBSOCKET, version);
        raw.send(RawPackets.publish(version, "bystander/huge", 0, 0, new byte[70_000]));
        assertThat(raw.readUntilClosed()).isEmpty();
        assertThat(raw.webSocket().closeCode()).as("close frame status").isEqualTo(1009);
        bystander.assertStillWorks();
    }

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void connectLargerThanMaxPacketSize_isRefused(RawTransport transport, int version) {
        RawMqttClient raw = open(transport);
        byte[] connect = RawPackets.connect(version).clientId("big-connect")
                .will("bystander/will", new byte[2 * MAX_PACKET_SIZE], 0, false).build();
        raw.version(version).send(connect);
        List<RawPacket> answer = raw.readUntilClosed();
        if (version == V5) {
            // §3.2.2.2: CONNACK 0x95 Packet too large
            assertThat(answer).singleElement().satisfies(p -> {
                assertThat(p.type()).isEqualTo(RawPacket.CONNACK);
                assertThat(p.reasonCode()).isEqualTo(PACKET_TOO_LARGE);
            });
        } else {
            assertThat(answer).as("3.1.1 has no return code for this: close").isEmpty();
        }
        bystander.assertStillWorks();
    }

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void reservedFixedHeaderFlags_areMalformed(RawTransport transport, int version) {
        byte[][] offenders = {
                // SUBSCRIBE, UNSUBSCRIBE and PUBREL must have flags 0010, the others 0000 (§2.1.3)
                RawPackets.subscribeWithPayload(version, 0x80, 1,
                        RawPackets.concat(RawPackets.utf8("bystander/#"), new byte[]{0})),
                RawPackets.packet(0xA0, new byte[]{0, 1},
                        version == V5 ? RawProperties.none() : new byte[0], RawPackets.utf8("a")),
                RawPackets.packet(0x60, new byte[]{0, 1}),
                new byte[]{(byte) 0xC1, 0},
        };
        for (byte[] offender : offenders) {
            RawMqttClient raw = connected(transport, version);
            raw.send(offender);
            assertDisconnected(raw, version, MALFORMED_PACKET);
        }
        bystander.assertStillWorks();
    }

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void publishWithQos3_isMalformed(RawTransport transport, int version) {
        RawMqttClient raw = connected(transport, version);
        raw.send(RawPackets.publish(version, RawPackets.utf8("bystander/qos3"), 0x06, 1, RawProperties.none(),
                "x".getBytes(StandardCharsets.UTF_8)));
        assertDisconnected(raw, version, MALFORMED_PACKET);
        bystander.assertStillWorks();
    }

    /**
     * A client that keeps sending after its offence still reads the DISCONNECT and its reason code, then an
     * orderly end of stream: the broker finishes its side and discards the client's bytes until the client
     * closes. Closing with the client's bytes unread would answer them with a TCP reset: the client's writes
     * fail, and its system may drop the DISCONNECT it had not yet handed to the client.
     */
    @Test
    void clientStillSendingAfterItsOffence_readsTheDisconnect_thenAnOrderlyEnd() throws Exception {
        for (int round = 0; round < 3; round++) {
            RawMqttClient raw = connected(RawTransport.TCP, V5);
            byte[] offence = RawPackets.publish(V5, RawPackets.utf8("bystander/qos3"), 0x06, 1, RawProperties.none(),
                    "x".getBytes(StandardCharsets.UTF_8));
            byte[] pings = new byte[4 * 1024 * 1024];
            for (int i = 0; i < pings.length; i += 2) {
                pings[i] = (byte) 0xC0; // PINGREQ
            }
            CompletableFuture<String> sending = CompletableFuture.supplyAsync(() -> {
                try {
                    raw.socket().getOutputStream().write(RawPackets.concat(offence, pings));
                    return "sent";
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            });
            List<RawPacket> received = raw.readUntilClosed();
            assertThat(received).as("round %d", round).singleElement().satisfies(p -> {
                assertThat(p.type()).isEqualTo(RawPacket.DISCONNECT);
                assertThat(p.reasonCode()).isEqualTo(MALFORMED_PACKET);
            });
            assertThat(sending.get(10, TimeUnit.SECONDS)).as("the client's own writes, round %d", round)
                    .isEqualTo("sent");
            raw.close();
        }
        bystander.assertStillWorks();
    }

    // ------------------------------------------------------------------ strings and topics

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void invalidUtf8InPublishTopic_isMalformed(RawTransport transport, int version) {
        byte[][] invalid = {
                {'b', 'y', (byte) 0xC3, 0x28},                 // broken two-byte sequence
                {'b', (byte) 0xED, (byte) 0xA0, (byte) 0x80},   // an encoded UTF-16 surrogate (§1.5.4)
                {'b', (byte) 0xC0, (byte) 0xAF},               // overlong encoding of '/'
        };
        for (byte[] topic : invalid) {
            RawMqttClient raw = connected(transport, version);
            raw.send(RawPackets.publish(version, RawPackets.lengthPrefixed(topic), 0, 0, RawProperties.none(),
                    new byte[]{1}));
            assertDisconnected(raw, version, MALFORMED_PACKET);
        }
        bystander.assertStillWorks();
    }

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void invalidUtf8InSubscribeFilter_isMalformed(RawTransport transport, int version) {
        RawMqttClient raw = connected(transport, version);
        raw.send(RawPackets.subscribeWithPayload(version, 0x82, 1, RawPackets.concat(
                RawPackets.lengthPrefixed(new byte[]{'a', (byte) 0xFE}), new byte[]{0})));
        assertDisconnected(raw, version, MALFORMED_PACKET);
        bystander.assertStillWorks();
    }

    /** §1.5.4 [MQTT-1.5.4-2]: a string containing U+0000 makes the packet malformed. */
    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void nullCharacterInTopic_isMalformed(RawTransport transport, int version) {
        RawMqttClient publisher = connected(transport, version);
        publisher.send(RawPackets.publish(version, "bystander/a\u0000b", 0, 0, new byte[]{1}));
        assertDisconnected(publisher, version, MALFORMED_PACKET);

        RawMqttClient subscriber = connected(transport, version);
        subscriber.send(RawPackets.subscribe(version, 1, 0, "bystander/\u0000"));
        assertDisconnected(subscriber, version, MALFORMED_PACKET);
        bystander.assertStillWorks();
    }

    /**
     * [MQTT-3.3.2-2]: a topic name MUST NOT contain wildcards, so such a name is not correctly formed.
     * 0x90 (Topic Name invalid) is defined in §3.14.2.1 for a name that "is correctly formed, but is not
     * accepted" (see the limit tests below); a name that breaks the syntax is a Malformed Packet, 0x81,
     * like the other string-content violations of §1.5.4.
     */
    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void wildcardInPublishTopic_isMalformed(RawTransport transport, int version) {
        for (String topic : List.of("bystander/+", "bystander/#", "bystander/a+b", "#")) {
            RawMqttClient raw = connected(transport, version);
            raw.send(RawPackets.publish(version, topic, 1, 3, new byte[]{1}));
            assertDisconnected(raw, version, MALFORMED_PACKET);
        }
        bystander.assertStillWorks();
    }

    /** §3.8.3: "A SUBSCRIBE packet with no Payload is a Protocol Error"; 3.1.1 [MQTT-3.8.3-3]: close. */
    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void subscribeWithoutFilters_isProtocolError(RawTransport transport, int version) {
        RawMqttClient raw = connected(transport, version);
        raw.send(RawPackets.subscribeWithPayload(version, 0x82, 1, new byte[0]));
        assertDisconnected(raw, version, PROTOCOL_ERROR);
        bystander.assertStillWorks();
    }

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void publishTopicBeyondLimits_isTopicNameInvalid(RawTransport transport, int version) {
        String tooLong = "bystander/" + "x".repeat(MAX_TOPIC_LENGTH - "bystander/".length() + 1);
        String tooDeep = "bystander" + "/l".repeat(MAX_TOPIC_LEVELS);
        for (String topic : List.of(tooLong, tooDeep)) {
            RawMqttClient raw = connected(transport, version);
            raw.send(RawPackets.publish(version, topic, 0, 0, new byte[]{1}));
            assertDisconnected(raw, version, TOPIC_NAME_INVALID);
        }
        bystander.assertStillWorks();
    }

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void publishTopicAtTheLimits_isAccepted(RawTransport transport, int version) {
        String longest = "bystander/" + "x".repeat(MAX_TOPIC_LENGTH - "bystander/".length());
        String deepest = "bystander" + "/l".repeat(MAX_TOPIC_LEVELS - 1);
        RawMqttClient raw = connected(transport, version);
        raw.send(RawPackets.publish(version, longest, 1, 1, new byte[]{1}),
                RawPackets.publish(version, deepest, 1, 2, new byte[]{2}));
        assertThat(raw.expect(RawPacket.PUBACK).packetId()).isEqualTo(1);
        assertThat(raw.expect(RawPacket.PUBACK).packetId()).isEqualTo(2);
        assertThat(bystander.receive()).hasValueSatisfying(p -> assertThat(p.getTopic().toString()).isEqualTo(longest));
        assertThat(bystander.receive()).hasValueSatisfying(p -> assertThat(p.getTopic().toString()).isEqualTo(deepest));
    }

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void subscribeFilterBeyondLimits_isRefusedPerFilter(RawTransport transport, int version) {
        String tooLong = "bystander/" + "x".repeat(MAX_TOPIC_LENGTH);
        String tooDeep = "bystander" + "/+".repeat(MAX_TOPIC_LEVELS);
        RawMqttClient raw = connected(transport, version);
        RawPacket suback = raw.subscribe(5, 1, tooLong, "bystander/ok", tooDeep);
        int refused = version == V5 ? TOPIC_FILTER_INVALID : V3_SUBACK_FAILURE;
        assertThat(suback.packetId()).isEqualTo(5);
        assertThat(suback.reasonCodes()).containsExactly(refused, 1, refused);
        assertThat(raw.ping()).as("the connection stays usable").isTrue();

        bystander.client().publishWith().topic("bystander/ok").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[]{9}).send();
        assertThat(raw.expect(RawPacket.PUBLISH).topic()).isEqualTo("bystander/ok");
        assertThat(bystander.receive()).isPresent();
    }

    // ------------------------------------------------------------------ CONNECT

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void clientIdLongerThanTheLimit_isRefused(RawTransport transport, int version) {
        RawMqttClient raw = open(transport);
        RawPacket connack = raw.sendConnect(RawPackets.connect(version, "c".repeat(MAX_CLIENT_ID_LENGTH + 1)));
        assertThat(connack.type()).isEqualTo(RawPacket.CONNACK);
        assertThat(connack.reasonCode()).isEqualTo(version == V5 ? CLIENT_ID_NOT_VALID : V3_IDENTIFIER_REJECTED);
        assertThat(connack.sessionPresent()).isFalse();
        assertThat(raw.readUntilClosed()).isEmpty();

        RawMqttClient atLimit = open(transport);
        atLimit.connect(version, "c".repeat(MAX_CLIENT_ID_LENGTH));
        assertThat(atLimit.ping()).isTrue();
        bystander.assertStillWorks();
    }

    // ------------------------------------------------------------------ load

    @Test
    void manyConnectionsClosedAbruptly_areAllForgotten() {
        for (int i = 0; i < 200; i++) {
            RawTransport transport = i % 2 == 0 ? RawTransport.TCP : RawTransport.WEBSOCKET;
            RawMqttClient raw = transport.open(broker);
            switch (i % 4) {
                case 0 -> { } // nothing sent at all
                case 1 -> raw.send(Arrays.copyOf(RawPackets.connect(V5, "abrupt-" + i), 9));
                case 2 -> raw.connect(V5, "abrupt-" + i);
                default -> {
                    raw.connect(V3_1_1, "abrupt-" + i);
                    raw.send(RawPackets.subscribe(V3_1_1, 1, 1, "bystander/abrupt/#"));
                }
            }
            raw.abort();
        }
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(broker.broker().connectionCount()).isEqualTo(baselineConnections));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(broker.broker().core().sessions().connectedCount()).isEqualTo(1));
        bystander.assertStillWorks();
    }

    /**
     * A subscriber that never reads its socket: the broker writes only while the channel is writable and
     * queues at most max-queued-messages for the session, dropping (and counting) the rest, so neither its
     * memory nor the other clients suffer.
     */
    @Test
    void slowConsumer_isBoundedByItsQueue_andOthersAreUnaffected() throws Exception {
        int maxQueued = 100;
        int flood = 20_000;
        try (TestBroker floodBroker = TestBroker.startWithMqtt("max-queued-messages: " + maxQueued);
             RawMqttClient slow = RawMqttClient.tcp(floodBroker.tcpPort(), s -> receiveBuffer(s, 4096))) {
            slow.connect(V5, "slow");
            assertThat(slow.subscribe(1, 0, "flood/#").reasonCodes()).containsExactly(0);

            Mqtt5BlockingClient other = RawTransport.WEBSOCKET.hiveMq5(floodBroker, "other").buildBlocking();
            other.connect();
            Mqtt5BlockingClient.Mqtt5Publishes otherInbox = other.publishes(MqttGlobalPublishFilter.SUBSCRIBED);
            other.subscribeWith().topicFilter("other/#").qos(MqttQos.AT_LEAST_ONCE).send();

            Mqtt5AsyncClient publisher = RawTransport.TCP.hiveMq5(floodBroker, "publisher").buildAsync();
            publisher.connect().get(10, TimeUnit.SECONDS);
            byte[] kilobyte = new byte[1024];
            List<CompletableFuture<?>> sent = new ArrayList<>(flood);
            for (int i = 0; i < flood; i++) {
                sent.add(publisher.publishWith().topic("flood/data").qos(MqttQos.AT_MOST_ONCE).payload(kilobyte).send());
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            Session slowSession = floodBroker.broker().core().sessions().get("slow");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(floodBroker.broker().events().dropped(DropReason.QUEUE_FULL)).isPositive());
            assertThat(slowSession.queuedCount()).isLessThanOrEqualTo(maxQueued);
            assertThat(slowSession.isConnected()).isTrue();

            other.publishWith().topic("other/check").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[]{42}).send();
            Optional<Mqtt5Publish> received = otherInbox.receive(10, TimeUnit.SECONDS);
            assertThat(received).as("another client is served during the flood")
                    .hasValueSatisfying(p -> assertThat(p.getPayloadAsBytes()).containsExactly(42));

            otherInbox.close();
            other.disconnect();
            publisher.disconnect().get(10, TimeUnit.SECONDS);
        }
        bystander.assertStillWorks();
    }

    // ------------------------------------------------------------------ helpers

    private RawMqttClient open(RawTransport transport) {
        RawMqttClient raw = transport.open(broker);
        raws.add(raw);
        return raw;
    }

    private RawMqttClient connected(RawTransport transport, int version) {
        RawMqttClient raw = open(transport);
        raw.connect(version, "raw-" + ids.incrementAndGet());
        return raw;
    }

    /** MQTT 5: exactly one DISCONNECT with the reason code, then close; 3.1.1: closed without a packet. */
    private static void assertDisconnected(RawMqttClient raw, int version, int v5ReasonCode) {
        List<RawPacket> received = raw.readUntilClosed();
        if (version == V5) {
            assertThat(received).singleElement().satisfies(p -> {
                assertThat(p.type()).as("packet type of %s", p).isEqualTo(RawPacket.DISCONNECT);
                assertThat(p.reasonCode()).as("reason code of %s", p).isEqualTo(v5ReasonCode);
            });
        } else {
            assertThat(received).isEmpty();
        }
    }

    /** A QoS 1 PUBLISH to a bystander topic whose complete encoding is exactly {@code totalSize} bytes. */
    private static byte[] publishOfTotalSize(int version, int totalSize, int packetId) {
        byte[] empty = RawPackets.publish(version, "bystander/size", 1, packetId, new byte[0]);
        int payload = totalSize - empty.length;
        byte[] packet = RawPackets.publish(version, "bystander/size", 1, packetId, new byte[payload]);
        if (packet.length != totalSize) { // the remaining length took one more byte
            packet = RawPackets.publish(version, "bystander/size", 1, packetId, new byte[payload - 1]);
        }
        assertThat(packet).hasSize(totalSize);
        return packet;
    }

    private static void receiveBuffer(Socket s, int size) {
        try {
            s.setReceiveBufferSize(size);
        } catch (SocketException e) {
            throw new IllegalStateException(e);
        }
    }


}
