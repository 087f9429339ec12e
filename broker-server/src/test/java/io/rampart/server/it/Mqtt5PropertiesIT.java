package io.rampart.server.it;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.rampart.core.session.DropReason;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.Inbox.Received;
import io.rampart.server.it.support.Inbox;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.PubProps;
import io.rampart.server.it.support.PubRawClient.Publish;
import io.rampart.server.it.support.PubRawClient;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * MQTT 5 PUBLISH properties end to end (§3.3.2.3): forwarding unchanged, message expiry, topic aliases
 * both ways, maximum packet size, receive maximum both ways, payload format validation and
 * request/response.
 */
class Mqtt5PropertiesIT {

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

    private static List<String> pairs(Mqtt5UserProperties props) {
        return props.asList().stream().map(p -> p.getName() + "=" + p.getValue()).toList();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void publishProperties_arriveUnchanged_withUserPropertyOrderAndDuplicates(RawTransport transport) {
        String topic = "props/" + transport;
        Inbox inbox = subscribe(clients.connectedHive5(transport, id("props-sub")), topic);
        Mqtt5AsyncClient publisher = clients.connectedHive5(transport, id("props-pub"));
        Mqtt5UserProperties user = Mqtt5UserProperties.builder()
                .add("k", "v1").add("a", "x").add("k", "v2").add("k", "v1").add("ü", "").build();

        await(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("héllo"))
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .contentType("text/plain; charset=utf-8")
                .responseTopic("props/reply")
                .correlationData(new byte[]{0, 1, 2, (byte) 0xFF})
                .userProperties(user)
                .send());

        Mqtt5Publish p = (Mqtt5Publish) inbox.take().original();
        assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("héllo");
        assertThat(p.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(p.getContentType()).hasValueSatisfying(c -> assertThat(c.toString()).isEqualTo("text/plain; charset=utf-8"));
        assertThat(p.getResponseTopic()).hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo("props/reply"));
        assertThat(p.getCorrelationData()).hasValueSatisfying(b -> assertThat(toArray(b)).containsExactly(0, 1, 2, 0xFF));
        assertThat(pairs(p.getUserProperties())).containsExactly("k=v1", "a=x", "k=v2", "k=v1", "ü=");
        assertThat(p.getMessageExpiryInterval()).isEmpty();
    }

    @Test
    void mosquittoPubProperties_reachPahoV5_andHiveMqProperties_reachMosquittoSub() throws Exception {
        org.eclipse.paho.mqttv5.client.MqttClient paho = clients.connectedPaho5(RawTransport.WEBSOCKET, id("paho-props"));
        Inbox inbox = new Inbox();
        paho.setCallback(inbox.paho5());
        paho.subscribe("mp/in", 1);
        PubMosquitto.Result pub = PubMosquitto.run(broker, "mosquitto_pub", "-V", "mqttv5", "-q", "1", "-t", "mp/in",
                "-m", "payload", "-D", "publish", "content-type", "application/x-test",
                "-D", "publish", "response-topic", "mp/reply", "-D", "publish", "correlation-data", "corr-1",
                "-D", "publish", "payload-format-indicator", "1",
                "-D", "publish", "user-property", "k", "v1", "-D", "publish", "user-property", "k", "v2");
        assertThat(pub.exitCode()).as(pub.stderr()).isZero();
        org.eclipse.paho.mqttv5.common.MqttMessage m = (org.eclipse.paho.mqttv5.common.MqttMessage) inbox.take().original();
        assertThat(m.getProperties().getContentType()).isEqualTo("application/x-test");
        assertThat(m.getProperties().getResponseTopic()).isEqualTo("mp/reply");
        assertThat(new String(m.getProperties().getCorrelationData(), StandardCharsets.UTF_8)).isEqualTo("corr-1");
        assertThat(m.getProperties().getPayloadFormat()).isTrue();
        assertThat(m.getProperties().getUserProperties()).extracting(UserProperty::getKey, UserProperty::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("k", "v1"), org.assertj.core.groups.Tuple.tuple("k", "v2"));

        try (PubMosquitto sub = PubMosquitto.start(broker, "mosquitto_sub", "-V", "mqttv5", "-i", "mosq-props",
                "-t", "mp/out", "-C", "1", "-W", "10", "-F", "%t|%C|%R|%D|%F|%P|%p")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.hasSubscriptions("mosq-props", 1));
            Mqtt5AsyncClient hive = clients.connectedHive5(RawTransport.TCP, id("hive-props"));
            await(hive.publishWith().topic("mp/out").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("body"))
                    .contentType("ct").responseTopic("rt").correlationData(bytes("cd"))
                    .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                    .userProperties().add("u", "1").add("u", "2").applyUserProperties().send());
            PubMosquitto.Result result = sub.await();
            assertThat(result.exitCode()).as(result.stderr()).isZero();
            assertThat(result.stdout().strip()).startsWith("mp/out|ct|rt|cd|1|").endsWith("|body");
            String user = result.stdout().split("\\|")[5];
            assertThat(user).contains("u:1").contains("u:2");
            assertThat(user.indexOf("u:1")).isLessThan(user.indexOf("u:2"));
        }
    }

    @Test
    void messageExpiry_forOfflineSession_countsDown_andExpiredMessagesAreNotDelivered() {
        String subId = id("offline");
        Mqtt5Client subscriber = RawTransport.TCP.hiveMq5(broker, subId).build();
        await(subscriber.toAsync().connectWith().cleanStart(true).sessionExpiryInterval(60).send());
        await(subscriber.toAsync().subscribeWith().topicFilter("exp/#").qos(MqttQos.AT_LEAST_ONCE).send());
        await(subscriber.toAsync().disconnect());

        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, id("exp-pub"));
        long expiredBefore = broker.broker().events().dropped(DropReason.EXPIRED);
        await(publisher.publishWith().topic("exp/short").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(1)
                .payload(bytes("short")).send());
        await(publisher.publishWith().topic("exp/long").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(60)
                .payload(bytes("long")).send());
        long queuedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.session(subId).queuedCount() == 2);
        // The scenario needs time to pass: the short message's 1 s must run out while the session is offline.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> System.nanoTime() - queuedAt > 2_100_000_000L);

        Inbox inbox = new Inbox();
        subscriber.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox::hive5);
        await(subscriber.toAsync().connectWith().cleanStart(false).sessionExpiryInterval(60).send());
        clients.track(subscriber);

        Received first = inbox.take();
        assertThat(first.topic()).isEqualTo("exp/long");
        java.util.OptionalLong remaining = ((Mqtt5Publish) first.original()).getMessageExpiryInterval();
        assertThat(remaining).isPresent();
        assertThat(remaining.getAsLong()).isBetween(1L, 58L);
        await(publisher.publishWith().topic("exp/marker").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("m")).send());
        assertThat(inbox.take().topic()).isEqualTo("exp/marker");
        assertThat(broker.broker().events().dropped(DropReason.EXPIRED)).isGreaterThan(expiredBefore);
    }

    @Test
    void clientToServerTopicAlias_isResolvedForSubscribers() throws Exception {
        Inbox inbox = subscribe(clients.connectedHive5(RawTransport.TCP, id("alias-sub")), "alias/#");
        PubRawClient raw = PubRawClient.open(broker.tcpPort(), 5);
        try (raw) {
            raw.sendConnect(id("alias-pub"), true, 60, new PubProps());
            assertThat(raw.expect(PubRawClient.CONNACK).connackProperties())
                    .contains(new PubRawClient.Prop(PubProps.TOPIC_ALIAS_MAXIMUM, 32));

            raw.publish("alias/full", 1, false, false, 1, new PubProps().twoByte(PubProps.TOPIC_ALIAS, 1), bytes("one"));
            raw.expect(PubRawClient.PUBACK);
            raw.publish("", 1, false, false, 2, new PubProps().twoByte(PubProps.TOPIC_ALIAS, 1), bytes("two"));
            raw.expect(PubRawClient.PUBACK);
            raw.publish("", 0, false, false, 0, new PubProps().twoByte(PubProps.TOPIC_ALIAS, 1), bytes("three"));
            // Re-mapping alias 1 to another topic.
            raw.publish("alias/other", 0, false, false, 0, new PubProps().twoByte(PubProps.TOPIC_ALIAS, 1), bytes("four"));
            raw.publish("", 0, false, false, 0, new PubProps().twoByte(PubProps.TOPIC_ALIAS, 1), bytes("five"));

            assertThat(inbox.take(5)).extracting(r -> r.topic() + ":" + r.text()).containsExactly(
                    "alias/full:one", "alias/full:two", "alias/full:three", "alias/other:four", "alias/other:five");
        }
    }

    @ParameterizedTest(name = "alias {0}")
    @ValueSource(ints = {0, 33})
    void topicAliasZeroOrAboveMaximum_isDisconnectedWith0x94(int alias) throws Exception {
        PubRawClient raw = clients.raw(5, id("bad-alias"));
        raw.publish("alias/bad", 0, false, false, 0, new PubProps().twoByte(PubProps.TOPIC_ALIAS, alias), bytes("x"));
        assertThat(raw.expectDisconnect()).isEqualTo(0x94);
    }

    @Test
    void serverToClientTopicAliases_areUsedUpToTheClientsMaximum() throws Exception {
        PubRawClient raw = clients.raw(5, id("alias-recv"), new PubProps().twoByte(PubProps.TOPIC_ALIAS_MAXIMUM, 5));
        raw.subscribeAndWait(1, null, "sa/#", 0);
        PubRawClient noAliases = clients.raw(5, id("alias-none"));
        noAliases.subscribeAndWait(1, null, "sa/#", 0);
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, id("sa-pub"));

        for (String t : new String[]{"sa/one", "sa/one", "sa/one", "sa/two", "sa/one", "sa/two"}) {
            await(publisher.publishWith().topic(t).qos(MqttQos.AT_MOST_ONCE).payload(bytes(t)).send());
        }

        Publish[] p = new Publish[6];
        for (int i = 0; i < 6; i++) {
            p[i] = raw.expect(PubRawClient.PUBLISH).publish();
        }
        Object one = p[0].value(PubProps.TOPIC_ALIAS);
        Object two = p[3].value(PubProps.TOPIC_ALIAS);
        assertThat(one).isNotNull();
        assertThat(two).isNotNull().isNotEqualTo(one);
        assertThat((Integer) one).isBetween(1, 5);
        assertThat((Integer) two).isBetween(1, 5);
        assertThat(p[0].topic()).isEqualTo("sa/one");
        assertThat(p[3].topic()).isEqualTo("sa/two");
        for (int i : new int[]{1, 2, 4}) {
            assertThat(p[i].topic()).isEmpty();
            assertThat(p[i].value(PubProps.TOPIC_ALIAS)).isEqualTo(one);
            assertThat(p[i].payloadText()).isEqualTo("sa/one");
        }
        assertThat(p[5].topic()).isEmpty();
        assertThat(p[5].value(PubProps.TOPIC_ALIAS)).isEqualTo(two);

        for (int i = 0; i < 6; i++) {
            Publish q = noAliases.expect(PubRawClient.PUBLISH).publish();
            assertThat(q.topic()).isEqualTo(q.payloadText());
            assertThat(q.value(PubProps.TOPIC_ALIAS)).isNull();
        }

        // Aliases run out after 5 topics: later topics go out in full, without an alias, every time.
        for (int round = 0; round < 2; round++) {
            for (int t = 3; t <= 6; t++) {
                await(publisher.publishWith().topic("sa/t" + t).qos(MqttQos.AT_MOST_ONCE).payload(bytes("sa/t" + t)).send());
            }
        }
        java.util.Set<Object> used = new java.util.HashSet<>(List.of(one, two));
        for (int i = 0; i < 8; i++) {
            Publish q = raw.expect(PubRawClient.PUBLISH).publish();
            Object alias = q.value(PubProps.TOPIC_ALIAS);
            boolean firstRound = i < 4;
            if (q.payloadText().equals("sa/t6")) {
                assertThat(alias).as("sixth topic has no alias left").isNull();
                assertThat(q.topic()).isEqualTo("sa/t6");
            } else if (firstRound) {
                assertThat(q.topic()).isEqualTo(q.payloadText());
                assertThat(used.add(alias)).as("new alias for " + q.payloadText()).isTrue();
                assertThat((Integer) alias).isBetween(1, 5);
            } else {
                assertThat(q.topic()).isEmpty();
                assertThat(alias).isNotNull();
            }
        }
    }

    @Test
    void serverToClientAlias_isNotLeftBehindByAnExpiredResend() throws Exception {
        String clientId = id("alias-resume");
        PubProps connect = new PubProps().fourByte(PubProps.SESSION_EXPIRY_INTERVAL, 60)
                .twoByte(PubProps.TOPIC_ALIAS_MAXIMUM, 5);
        PubRawClient first = clients.raw(5, clientId, connect);
        first.subscribeAndWait(1, null, "ae/#", 1);
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, id("ae-pub"));
        await(publisher.publishWith().topic("ae/t").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(1)
                .payload(bytes("expires in flight")).send());
        Publish unacked = first.expect(PubRawClient.PUBLISH).publish();
        assertThat(unacked.topic()).isEqualTo("ae/t");
        long sentAt = System.nanoTime();
        first.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !broker.session(clientId).isConnected());
        // The in-flight message's expiry must run out while the client is away.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> System.nanoTime() - sentAt > 2_100_000_000L);

        try (PubRawClient second = PubRawClient.open(broker.tcpPort(), 5)) {
            second.sendConnect(clientId, false, 60, new PubProps().fourByte(PubProps.SESSION_EXPIRY_INTERVAL, 60)
                    .twoByte(PubProps.TOPIC_ALIAS_MAXIMUM, 5));
            assertThat(second.expect(PubRawClient.CONNACK).body[0] & 0x01).as("session present").isEqualTo(1);
            await(publisher.publishWith().topic("ae/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("fresh")).send());

            java.util.Map<Object, String> known = new java.util.HashMap<>();
            while (true) {
                Publish p = second.expect(PubRawClient.PUBLISH).publish();
                Object alias = p.value(PubProps.TOPIC_ALIAS);
                if (!p.topic().isEmpty() && alias != null) {
                    known.put(alias, p.topic());
                }
                if (p.topic().isEmpty()) {
                    assertThat(known).as("PUBLISH with empty topic uses an alias set on this connection")
                            .containsKey(alias);
                }
                second.ack(PubRawClient.PUBACK, p.packetId());
                if (p.payloadText().equals("fresh")) {
                    assertThat(p.topic().isEmpty() ? known.get(alias) : p.topic()).isEqualTo("ae/t");
                    break;
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void maximumPacketSize_largerPublishesAreDroppedForThatClient(RawTransport transport) throws Exception {
        String topic = "mps/" + transport;
        MqttConnectionOptions options = Clients.paho5Options();
        options.setMaximumPacketSize(100L);
        org.eclipse.paho.mqttv5.client.MqttClient small = clients.connectedPaho5(transport, id("mps-small"), options);
        Inbox inbox = new Inbox();
        small.setCallback(inbox.paho5());
        small.subscribe(topic, 1);
        Inbox bigInbox = subscribe(clients.connectedHive5(transport, id("mps-big")), topic);
        Mqtt5AsyncClient publisher = clients.connectedHive5(transport, id("mps-pub"));
        long tooLargeBefore = broker.broker().events().dropped(DropReason.TOO_LARGE);

        await(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("small-1")).send());
        await(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[200]).send());
        await(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("small-2")).send());

        assertThat(inbox.take(2)).extracting(Received::text).containsExactly("small-1", "small-2");
        assertThat(bigInbox.take(3)).extracting(r -> r.payload().length).containsExactly(7, 200, 7);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                broker.broker().events().dropped(DropReason.TOO_LARGE) == tooLargeBefore + 1);
        assertThat(inbox.poll(Duration.ofMillis(200))).isNull();
    }

    /** Size on the wire of a packet read by {@link PubRawClient} (all bodies here are shorter than 128 bytes). */
    private static int wireSize(PubRawClient.Packet p) {
        assertThat(p.body.length).isLessThan(128);
        return 2 + p.body.length;
    }

    @Test
    void maximumPacketSize_pubAckLeavesOutAReasonStringThatWouldNotFit() throws Exception {
        PubRawClient small = clients.raw(5, id("mps-ack"), new PubProps().fourByte(PubProps.MAXIMUM_PACKET_SIZE, 16));
        PubRawClient large = clients.raw(5, id("mps-ack"), new PubProps().fourByte(PubProps.MAXIMUM_PACKET_SIZE, 1000));
        for (PubRawClient raw : List.of(small, large)) {
            raw.publish("mps/reuse", 2, 7, "q2");
            assertThat(raw.expect(PubRawClient.PUBREC).packetId()).isEqualTo(7);
            raw.publish("mps/reuse", 1, 7, "q1 reusing the identifier of an open QoS 2 flow");
        }

        PubRawClient.Packet refused = small.expect(PubRawClient.PUBACK);
        assertThat(refused.reasonCode()).isEqualTo(0x91);
        assertThat(wireSize(refused)).isLessThanOrEqualTo(16);
        PubRawClient.Packet explained = large.expect(PubRawClient.PUBACK);
        assertThat(explained.reasonCode()).isEqualTo(0x91);
        assertThat(wireSize(explained)).as("PUBACK with its reason string").isGreaterThan(16);
    }

    @Test
    void maximumPacketSize_disconnectLeavesOutAReasonStringThatWouldNotFit() throws Exception {
        PubRawClient raw = clients.raw(5, id("mps-disc"), new PubProps().fourByte(PubProps.MAXIMUM_PACKET_SIZE, 16));
        raw.publish("mps/alias", 0, false, false, 0, new PubProps().twoByte(PubProps.TOPIC_ALIAS, 0), bytes("x"));

        PubRawClient.Packet disconnect = raw.expect(PubRawClient.DISCONNECT);
        assertThat(disconnect.body[0] & 0xFF).isEqualTo(0x94);
        assertThat(wireSize(disconnect)).isLessThanOrEqualTo(16);
        raw.expectClosed();
    }

    @Test
    void maximumPacketSize_refusingConnAckLeavesOutAReasonStringThatWouldNotFit() throws Exception {
        try (PubRawClient raw = PubRawClient.open(broker.tcpPort(), 5)) {
            raw.sendConnect("x".repeat(300), true, 60, new PubProps().fourByte(PubProps.MAXIMUM_PACKET_SIZE, 16));

            PubRawClient.Packet connack = raw.expect(PubRawClient.CONNACK);
            assertThat(connack.body[1] & 0xFF).isEqualTo(0x85);
            assertThat(wireSize(connack)).isLessThanOrEqualTo(16);
            raw.expectClosed();
        }
    }

    @Test
    void clientReceiveMaximum_limitsUnacknowledgedPublishes_restFollowAfterAcks() throws Exception {
        String clientId = id("recvmax");
        PubRawClient raw = clients.raw(5, clientId, new PubProps().twoByte(PubProps.RECEIVE_MAXIMUM, 2));
        raw.subscribeAndWait(1, null, "rm/#", 1);
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, id("rm-pub"));
        for (int i = 0; i < 5; i++) {
            await(publisher.publishWith().topic("rm/t").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("r" + i)).send());
        }

        Publish a = raw.expect(PubRawClient.PUBLISH).publish();
        Publish b = raw.expect(PubRawClient.PUBLISH).publish();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                broker.session(clientId).inflightCount() == 2 && broker.session(clientId).queuedCount() == 3);
        assertThat(raw.next(Duration.ofMillis(300))).as("a third unacknowledged PUBLISH").isNull();
        assertThat(List.of(a.payloadText(), b.payloadText())).containsExactly("r0", "r1");

        raw.ack(PubRawClient.PUBACK, a.packetId());
        Publish c = raw.expect(PubRawClient.PUBLISH).publish();
        assertThat(c.payloadText()).isEqualTo("r2");
        assertThat(raw.next(Duration.ofMillis(200))).isNull();
        raw.ack(PubRawClient.PUBACK, b.packetId());
        raw.ack(PubRawClient.PUBACK, c.packetId());
        Publish d = raw.expect(PubRawClient.PUBLISH).publish();
        Publish e = raw.expect(PubRawClient.PUBLISH).publish();
        assertThat(List.of(d.payloadText(), e.payloadText())).containsExactly("r3", "r4");
    }

    @Test
    void clientExceedingServerReceiveMaximum_isDisconnectedWith0x93() throws Exception {
        try (TestBroker limited = TestBroker.startWithMqtt("receive-maximum: 2");
             PubRawClient raw = PubRawClient.open(limited.tcpPort(), 5)) {
            raw.sendConnect(id("flood"), true, 60, new PubProps());
            assertThat(raw.expect(PubRawClient.CONNACK).connackProperties())
                    .contains(new PubRawClient.Prop(PubProps.RECEIVE_MAXIMUM, 2));
            for (int id = 1; id <= 3; id++) {
                raw.publish("flood/t", 2, id, "q2-" + id);
            }
            assertThat(raw.expect(PubRawClient.PUBREC).packetId()).isEqualTo(1);
            assertThat(raw.expect(PubRawClient.PUBREC).packetId()).isEqualTo(2);
            assertThat(raw.expectDisconnect()).isEqualTo(0x93);
        }
    }

    @Test
    void payloadFormatUtf8WithInvalidPayload_isRefusedWithPubAck0x99() throws Exception {
        Inbox inbox = subscribe(clients.connectedHive5(RawTransport.TCP, id("pfi-sub")), "pfi/#");
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, id("pfi-pub"));

        // HiveMQ completes the publish exceptionally when the PUBACK carries an error code.
        assertThatThrownBy(() -> await(publisher.publishWith().topic("pfi/bad").qos(MqttQos.AT_LEAST_ONCE)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .payload(new byte[]{(byte) 0xC3, 0x28, (byte) 0xFF}).send()))
                .cause().isInstanceOfSatisfying(Mqtt5PubAckException.class, e ->
                        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID));

        PubRawClient raw = clients.raw(5, id("pfi-raw"));
        raw.publish("pfi/raw", 1, false, false, 5, new PubProps().byteProp(PubProps.PAYLOAD_FORMAT_INDICATOR, 1),
                new byte[]{(byte) 0xFE});
        PubRawClient.Packet ack = raw.expect(PubRawClient.PUBACK);
        assertThat(ack.packetId()).isEqualTo(5);
        assertThat(ack.reasonCode()).isEqualTo(0x99);

        // QoS 2: PUBREC 0x99 ends the flow, so a PUBREL for that id is unknown.
        raw.publish("pfi/raw", 2, false, false, 6, new PubProps().byteProp(PubProps.PAYLOAD_FORMAT_INDICATOR, 1),
                new byte[]{(byte) 0xC0, (byte) 0x80});
        PubRawClient.Packet rec = raw.expect(PubRawClient.PUBREC);
        assertThat(rec.packetId()).isEqualTo(6);
        assertThat(rec.reasonCode()).isEqualTo(0x99);
        raw.ack(PubRawClient.PUBREL, 6);
        assertThat(raw.expect(PubRawClient.PUBCOMP).reasonCode()).isEqualTo(0x92);

        await(publisher.publishWith().topic("pfi/good").qos(MqttQos.AT_LEAST_ONCE)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).payload(bytes("fine")).send());
        assertThat(inbox.take().topic()).as("refused messages are not forwarded").isEqualTo("pfi/good");

        // QoS 0 has no acknowledgement to carry the reason: the client is disconnected with 0x99.
        raw.publish("pfi/raw", 0, false, false, 0, new PubProps().byteProp(PubProps.PAYLOAD_FORMAT_INDICATOR, 1),
                new byte[]{(byte) 0xFF});
        assertThat(raw.expectDisconnect()).isEqualTo(0x99);
    }

    @Test
    void retainedMessage_keepsItsPropertiesForLaterSubscribers() {
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, id("rp-pub"));
        await(publisher.publishWith().topic("retprops/t").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload(bytes("state")).contentType("application/json").responseTopic("retprops/reply")
                .correlationData(bytes("c")).userProperties().add("z", "1").add("a", "2").add("z", "3")
                .applyUserProperties().send());

        Inbox inbox = subscribe(clients.connectedHive5(RawTransport.WEBSOCKET, id("rp-sub")), "retprops/#");
        Received r = inbox.take();
        assertThat(r.retain()).isTrue();
        Mqtt5Publish p = (Mqtt5Publish) r.original();
        assertThat(p.getContentType().map(Object::toString)).contains("application/json");
        assertThat(p.getResponseTopic().map(Object::toString)).contains("retprops/reply");
        assertThat(pairs(p.getUserProperties())).containsExactly("z=1", "a=2", "z=3");
        await(publisher.publishWith().topic("retprops/t").qos(MqttQos.AT_LEAST_ONCE).retain(true).send());
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void requestResponse_responseTopicAndCorrelationData_roundTrip(RawTransport transport) {
        String service = "svc/" + transport + "/request";
        Mqtt5AsyncClient responder = clients.connectedHive5(transport, id("responder"));
        await(responder.subscribeWith().topicFilter(service).qos(MqttQos.AT_LEAST_ONCE).callback(request ->
                responder.publishWith().topic(request.getResponseTopic().orElseThrow())
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .correlationData(request.getCorrelationData().orElseThrow())
                        .payload(("answer to " + new String(request.getPayloadAsBytes(), StandardCharsets.UTF_8))
                                .getBytes(StandardCharsets.UTF_8))
                        .send()).send());

        String requesterId = id("requester");
        Mqtt5AsyncClient requester = clients.connectedHive5(transport, requesterId);
        String replyTopic = "svc/" + transport + "/reply/" + requesterId;
        Inbox replies = subscribe(requester, replyTopic);
        for (int i = 1; i <= 3; i++) {
            await(requester.publishWith().topic(service).qos(MqttQos.AT_LEAST_ONCE).responseTopic(replyTopic)
                    .correlationData(bytes("req-" + i)).payload(bytes("q" + i)).send());
        }

        for (int i = 1; i <= 3; i++) {
            Mqtt5Publish reply = (Mqtt5Publish) replies.take().original();
            assertThat(new String(reply.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("answer to q" + i);
            assertThat(reply.getCorrelationData()).isPresent();
            assertThat(new String(toArray(reply.getCorrelationData().get()), StandardCharsets.UTF_8))
                    .isEqualTo("req-" + i);
        }
    }

    private static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
