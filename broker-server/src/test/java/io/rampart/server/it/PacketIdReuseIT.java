package io.rampart.server.it;

import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that reuses a packet identifier while its QoS 2 flow is still open (PUBREC sent, no PUBREL
 * yet): MQTT 5 clients get PUBACK 0x91 (Packet Identifier in use) and the message goes nowhere; MQTT 3
 * clients, which cannot be refused, are disconnected. Either way subscribers never see the message.
 */
class PacketIdReuseIT {

    private static final int PACKET_ID_IN_USE = 0x91;

    private static TestBroker broker;
    private final List<RawMqttClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(RawMqttClient::close);
    }

    private RawMqttClient client(int version, String clientId) {
        RawMqttClient c = RawMqttClient.tcp(broker.tcpPort());
        clients.add(c);
        c.connect(version, clientId);
        return c;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void v5_qos1ReusingAnOpenQos2Identifier_getsPacketIdentifierInUse_andIsNotDelivered() {
        RawMqttClient subscriber = client(RawPackets.V5, "reuse-sub-5");
        assertThat(subscriber.subscribe(1, 1, "reuse5/#").reasonCodes()).containsExactly(1);
        RawMqttClient publisher = client(RawPackets.V5, "reuse-pub-5");

        publisher.send(RawPackets.publish(RawPackets.V5, "reuse5/a", 2, 5, utf8("first")));
        assertThat(publisher.expect(RawPacket.PUBREC).packetId()).isEqualTo(5);

        publisher.send(RawPackets.publish(RawPackets.V5, "reuse5/a", 1, 5, utf8("reused")));
        RawPacket ack = publisher.expect(RawPacket.PUBACK);
        assertThat(ack.packetId()).isEqualTo(5);
        assertThat(ack.reasonCode()).isEqualTo(PACKET_ID_IN_USE);

        publisher.send(RawPackets.pubrel(5));
        assertThat(publisher.expect(RawPacket.PUBCOMP).packetId()).isEqualTo(5);
        publisher.send(RawPackets.publish(RawPackets.V5, "reuse5/a", 1, 5, utf8("after")));
        assertThat(publisher.expect(RawPacket.PUBACK).reasonCode()).isLessThan(0x80);

        List<String> received = new ArrayList<>();
        while (received.size() < 2) {
            RawPacket p = subscriber.expect(RawPacket.PUBLISH);
            received.add(new String(p.payload(), StandardCharsets.UTF_8));
            if (p.packetId() > 0) {
                subscriber.send(RawPackets.puback(p.packetId()));
            }
        }
        assertThat(received).containsExactly("first", "after");
    }

    @Test
    void v3_qos1ReusingAnOpenQos2Identifier_closesTheConnection_andIsNotDelivered() {
        RawMqttClient subscriber = client(RawPackets.V3_1_1, "reuse-sub-3");
        assertThat(subscriber.subscribe(1, 1, "reuse3/#").reasonCodes()).containsExactly(1);
        RawMqttClient publisher = client(RawPackets.V3_1_1, "reuse-pub-3");

        publisher.send(RawPackets.publish(RawPackets.V3_1_1, "reuse3/a", 2, 7, utf8("first")));
        assertThat(publisher.expect(RawPacket.PUBREC).packetId()).isEqualTo(7);
        publisher.send(RawPackets.publish(RawPackets.V3_1_1, "reuse3/a", 1, 7, utf8("reused")));
        assertThat(publisher.readUntilClosed()).noneMatch(p -> p.type() == RawPacket.PUBACK);

        RawMqttClient marker = client(RawPackets.V3_1_1, "reuse-marker-3");
        marker.send(RawPackets.publish(RawPackets.V3_1_1, "reuse3/marker", 1, 1, utf8("marker")));
        marker.expect(RawPacket.PUBACK);

        List<String> received = new ArrayList<>();
        while (received.size() < 2) {
            RawPacket p = subscriber.expect(RawPacket.PUBLISH);
            received.add(new String(p.payload(), StandardCharsets.UTF_8));
            if (p.packetId() > 0) {
                subscriber.send(RawPackets.puback(p.packetId()));
            }
        }
        assertThat(received).containsExactly("first", "marker");
    }
}
