package io.rampart.server.it;

import io.rampart.server.it.support.Bystander;
import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.RawWebSocket;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.rampart.server.it.support.RawPackets.V3_1_1;
import static io.rampart.server.it.support.RawPackets.V5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code mqtt.max-connect-packet-size}: before CONNACK has accepted a client, nothing larger than it is
 * buffered, whatever {@code max-packet-size} allows afterwards. A peer announcing a huge first packet (or
 * WebSocket frame) is refused as soon as the announcement arrives, without the broker waiting for, or
 * holding, the bytes announced.
 */
class PreAuthLimitIT {

    private static final int MAX_PACKET_SIZE = 256 * 1024;
    private static final int MAX_CONNECT_PACKET_SIZE = 4096;
    private static final int PACKET_TOO_LARGE = 0x95;
    /** What the announcements below claim: far more than any test sends. */
    private static final long HUGE = 200L * 1024 * 1024;

    private static TestBroker broker;
    private static Bystander bystander;

    private final AtomicInteger ids = new AtomicInteger();
    private final List<RawMqttClient> raws = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.startWithMqtt("""
                max-packet-size: %d
                max-connect-packet-size: %d
                """.formatted(MAX_PACKET_SIZE, MAX_CONNECT_PACKET_SIZE));
        bystander = Bystander.connect(broker);
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
    void closeRawClients() {
        raws.forEach(RawMqttClient::close);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(broker.broker().connectionCount()).isEqualTo(1));
    }

    static Stream<Arguments> transportsAndVersions() {
        return Stream.of(RawTransport.values())
                .flatMap(t -> Stream.of(Arguments.of(t, V3_1_1), Arguments.of(t, V5)));
    }

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void connectLargerThanTheLimit_isRefusedAsTooLarge(RawTransport transport, int version) {
        RawMqttClient raw = open(transport);
        byte[] connect = RawPackets.connect(version).clientId("big-will-" + ids.incrementAndGet())
                .will("will/pre-auth", new byte[2 * MAX_CONNECT_PACKET_SIZE], 0, false).build();
        raw.version(version).send(connect);

        List<RawPacket> answer = raw.readUntilClosed();
        if (transport == RawTransport.WEBSOCKET) {
            // the frame carrying it is already too large: refused by the WebSocket layer, Close 1009
            assertThat(answer).isEmpty();
            assertThat(raw.webSocket().closeCode()).as("close frame status").isEqualTo(1009);
        } else if (version == V5) {
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
    void connectAtTheLimit_isAccepted(RawTransport transport, int version) {
        byte[] empty = RawPackets.connect(version).clientId("at-limit-" + version + transport)
                .will("will/pre-auth", new byte[0], 0, false).build();
        int payload = MAX_CONNECT_PACKET_SIZE - empty.length;
        byte[] connect = RawPackets.connect(version).clientId("at-limit-" + version + transport)
                .will("will/pre-auth", new byte[payload], 0, false).build();
        if (connect.length > MAX_CONNECT_PACKET_SIZE) { // the remaining length took one more byte
            connect = RawPackets.connect(version).clientId("at-limit-" + version + transport)
                    .will("will/pre-auth", new byte[payload - 1], 0, false).build();
        }
        assertThat(connect.length).isBetween(MAX_CONNECT_PACKET_SIZE - 1, MAX_CONNECT_PACKET_SIZE);

        RawMqttClient raw = open(transport);
        raw.connect(connect);
        assertThat(raw.ping()).isTrue();
    }

    /**
     * Without the limit, the decoder would wait for (and buffer) the 200 MB the header announces, up to
     * max-packet-size; here the connection is closed while the client has sent only a kilobyte.
     */
    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void hugeFirstPacketAnnounced_closesAtOnce(RawTransport transport) {
        byte[][] announcements = {
                RawPackets.concat(new byte[]{0x10}, RawPackets.varInt(HUGE), new byte[1024]),         // CONNECT
                RawPackets.concat(new byte[]{0x30}, RawPackets.varInt(HUGE), RawPackets.utf8("a"),
                        new byte[1024]),                                                               // PUBLISH
        };
        for (byte[] announcement : announcements) {
            RawMqttClient raw = open(transport);
            raw.send(announcement);
            assertThat(raw.readUntilClosed()).isEmpty();
        }
        bystander.assertStillWorks();
    }

    @Test
    void hugeWebSocketFrameAnnounced_beforeConnect_closesWithMessageTooBig() throws IOException {
        RawMqttClient raw = open(RawTransport.WEBSOCKET);
        byte[] header = new byte[14];
        header[0] = (byte) 0x82;         // FIN, binary
        header[1] = (byte) (0x80 | 127); // masked, 64-bit length
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (HUGE >>> (56 - 8 * i));
        }
        raw.webSocket().sendFrames(header, new byte[1024]);

        assertThat(raw.readUntilClosed()).isEmpty();
        assertThat(raw.webSocket().closeCode()).as("close frame status").isEqualTo(1009);
        bystander.assertStillWorks();
    }

    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void afterConnack_packetsUpToMaxPacketSize_areAccepted(RawTransport transport, int version) {
        RawMqttClient raw = open(transport);
        raw.connect(version, "big-after-" + ids.incrementAndGet());
        byte[] payload = payload(100 * 1024);
        raw.send(RawPackets.publish(version, "bystander/big", 1, 9, payload));

        assertThat(raw.expect(RawPacket.PUBACK).packetId()).isEqualTo(9);
        assertThat(bystander.receive()).hasValueSatisfying(p -> assertThat(p.getPayloadAsBytes()).isEqualTo(payload));
    }

    /**
     * §3.1.4: a client may send packets right behind CONNECT. When the CONNECT is accepted at once (here: an
     * anonymous listener), the limit is lifted before the packets behind it in the same read are looked at.
     */
    @ParameterizedTest
    @MethodSource("transportsAndVersions")
    void largePublishPipelinedBehindAnAcceptedConnect_isAccepted(RawTransport transport, int version) {
        RawMqttClient raw = open(transport);
        byte[] payload = payload(20 * 1024);
        byte[] connect = RawPackets.connect(version, "pipelined-" + ids.incrementAndGet());
        byte[] publish = RawPackets.publish(version, "bystander/pipelined", 1, 3, payload);
        if (transport == RawTransport.WEBSOCKET) {
            try { // two frames, one TCP write
                raw.webSocket().sendFrames(RawWebSocket.frame(true, RawWebSocket.OP_BINARY, connect),
                        RawWebSocket.frame(true, RawWebSocket.OP_BINARY, publish));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            raw.version(version);
        } else {
            raw.version(version).send(connect, publish);
        }

        assertThat(raw.expect(RawPacket.CONNACK).reasonCode()).isZero();
        assertThat(raw.expect(RawPacket.PUBACK).packetId()).isEqualTo(3);
        assertThat(bystander.receive()).hasValueSatisfying(p -> assertThat(p.getPayloadAsBytes()).isEqualTo(payload));
    }

    @Test
    void refusal_isInTheEventLog(@TempDir Path dir) {
        long announced = 123_456_789L; // unique among the tests sharing this JVM's event log
        try (EventLogFile events = new EventLogFile(dir.resolve("events.log"))) {
            RawMqttClient raw = open(RawTransport.TCP);
            raw.send(RawPackets.concat(new byte[]{0x30}, RawPackets.varInt(announced), RawPackets.utf8("a")));
            raw.readUntilClosed();

            assertThat(events.await("event=connection-refused", "packet of " + (1 + 4 + announced) + " bytes"))
                    .contains("listener=tcp", "before authentication; the limit is " + MAX_CONNECT_PACKET_SIZE
                            + " bytes (mqtt.max-connect-packet-size)");
        }
    }

    private RawMqttClient open(RawTransport transport) {
        RawMqttClient raw = transport.open(broker);
        raws.add(raw);
        return raw;
    }

    private static byte[] payload(int size) {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) (i * 31);
        }
        return payload;
    }


}
