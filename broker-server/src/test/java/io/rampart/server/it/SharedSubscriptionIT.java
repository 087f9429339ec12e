package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.Inbox.Received;
import io.rampart.server.it.support.Inbox;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.PubProps;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shared subscriptions (MQTT 5 §4.8.2): one member per message, balanced, failover to the remaining
 * members including unacknowledged QoS 1 messages, {@code shared-subscriptions: false} and No Local.
 */
class SharedSubscriptionIT {

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

    private Inbox member(Mqtt5AsyncClient client, String sharedFilter) {
        Inbox inbox = new Inbox();
        await(client.subscribeWith().topicFilter(sharedFilter).qos(MqttQos.AT_LEAST_ONCE)
                .callback(inbox::hive5).send());
        return inbox;
    }

    private static void publishNumbered(Mqtt5AsyncClient publisher, String topicPrefix, int from, int to) {
        for (int i = from; i < to; i++) {
            await(publisher.publishWith().topic(topicPrefix + "/" + (i % 3)).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(bytes(Integer.toString(i))).send());
        }
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void eachMessageGoesToExactlyOneMember_roughlyBalanced_andLeaversStopReceiving(RawTransport transport) {
        String topic = "shared-" + transport;
        String filter = "$share/g/" + topic + "/#";
        Mqtt5AsyncClient[] members = new Mqtt5AsyncClient[3];
        Inbox[] inboxes = new Inbox[3];
        for (int i = 0; i < 3; i++) {
            members[i] = clients.connectedHive5(transport, id("member"));
            inboxes[i] = member(members[i], filter);
        }
        Mqtt5AsyncClient publisher = clients.connectedHive5(transport, id("shared-pub"));

        int n = 90;
        publishNumbered(publisher, topic, 0, n);
        List<String> all = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> inboxes[0].size() + inboxes[1].size() + inboxes[2].size() >= n);
        int[] counts = new int[3];
        for (int i = 0; i < 3; i++) {
            List<Received> got = inboxes[i].drain();
            counts[i] = got.size();
            got.forEach(r -> all.add(r.text()));
        }
        assertThat(all).hasSize(n).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, n).mapToObj(Integer::toString).toList());
        assertThat(IntStream.of(counts).boxed().toList()).allSatisfy(c -> assertThat(c).isBetween(n / 3 - 10, n / 3 + 10));

        // One member leaves: the other two get everything from now on, the leaver nothing.
        await(members[2].disconnect());
        publishNumbered(publisher, topic, n, n + 40);
        await().atMost(Duration.ofSeconds(10)).until(() -> inboxes[0].size() + inboxes[1].size() >= 40);
        List<String> after = new ArrayList<>();
        inboxes[0].drain().forEach(r -> after.add(r.text()));
        inboxes[1].drain().forEach(r -> after.add(r.text()));
        assertThat(after).containsExactlyInAnyOrderElementsOf(
                IntStream.range(n, n + 40).mapToObj(Integer::toString).toList());
        assertThat(inboxes[2].size()).isZero();
    }

    @Test
    void unacknowledgedAndQueuedQos1Messages_ofALeavingMember_areRedeliveredToARemainingMember() throws Exception {
        String filter = "$share/redeliver/rd/#";
        String lazyId = id("lazy");
        PubRawClient lazy = clients.raw(5, lazyId, new PubProps().twoByte(PubProps.RECEIVE_MAXIMUM, 2));
        assertThat(lazy.subscribeAndWait(1, null, filter, 1)).containsExactly(1);
        Mqtt5AsyncClient worker = clients.connectedHive5(RawTransport.TCP, id("worker"));
        Inbox workerInbox = member(worker, filter);
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, id("rd-pub"));

        int n = 12;
        for (int i = 0; i < n; i++) {
            await(publisher.publishWith().topic("rd/x").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("m" + i)).send());
        }
        // Round robin: 6 each. The lazy member (session expiry 0) never acknowledges: 2 PUBLISHes in flight
        // (its receive maximum), 4 queued.
        Set<String> lazyGot = new HashSet<>();
        lazyGot.add(lazy.expect(PubRawClient.PUBLISH).publish().payloadText());
        lazyGot.add(lazy.expect(PubRawClient.PUBLISH).publish().payloadText());
        await().atMost(Duration.ofSeconds(10)).until(() -> workerInbox.size() >= n / 2
                && broker.session(lazyId).inflightCount() == 2 && broker.session(lazyId).queuedCount() == n / 2 - 2);

        lazy.close();

        List<String> workerGot = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            workerInbox.drain().forEach(r -> workerGot.add(r.text()));
            assertThat(workerGot).hasSize(n);
        });
        assertThat(workerGot).containsExactlyInAnyOrderElementsOf(IntStream.range(0, n).mapToObj(i -> "m" + i).toList());
        assertThat(workerGot).containsAll(lazyGot);
        assertThat(workerInbox.poll(Duration.ofMillis(300))).as("no message twice").isNull();
    }

    @ParameterizedTest(name = "MQTT protocol level {0}")
    @ValueSource(ints = {4, 5})
    void sharedSubscriptionsDisabled_refusesSharedFilters(int version) throws Exception {
        try (TestBroker limited = TestBroker.startWithMqtt("shared-subscriptions: false");
             PubRawClient raw = PubRawClient.open(limited.tcpPort(), version)) {
            raw.sendConnect(id("noshare"), true, 60, new PubProps());
            PubRawClient.Packet connack = raw.expect(PubRawClient.CONNACK);
            if (version == 5) {
                assertThat(connack.connackProperties())
                        .contains(new PubRawClient.Prop(PubProps.SHARED_SUBSCRIPTION_AVAILABLE, 0));
            }
            int[] codes = raw.subscribeAndWait(1, null, "$share/g/ns/#", 1, "ns/plain", 1);
            assertThat(codes).containsExactly(version == 5 ? 0x9E : 0x80, 1);
        }
    }

    @Test
    void malformedShareNames_areInvalidFilters() throws Exception {
        PubRawClient raw = clients.raw(5, id("bad-share"));
        int[] codes = raw.subscribeAndWait(1, null, "$share/g+/t", 1, "$share/g", 1, "$share//t", 1,
                "$share/g#/t", 1, "$share/ok/t/#", 1);
        assertThat(codes).containsExactly(0x8F, 0x8F, 0x8F, 0x8F, 1);
    }

    @Test
    void noLocalOnSharedSubscription_isAProtocolError() throws Exception {
        PubRawClient raw = clients.raw(5, id("nolocal-shared"));
        raw.subscribe(1, null, "$share/g/nl/#", 0x01 | 0x04);
        assertThat(raw.expectDisconnect()).isEqualTo(0x82);
    }

    @Test
    void mosquittoSubAndPahoV3_shareOneGroup() throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient paho = clients.connectedPaho3(RawTransport.WEBSOCKET, id("paho-member"));
        Inbox pahoInbox = new Inbox();
        paho.setCallback(pahoInbox.paho3());
        paho.subscribe("$share/mixed/mx/#", 1);
        try (PubMosquitto sub = PubMosquitto.start(broker, "mosquitto_sub", "-V", "mqttv5", "-i", "mosq-member",
                "-t", "$share/mixed/mx/#", "-q", "1", "-C", "5", "-W", "10")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.hasSubscriptions("mosq-member", 1));
            org.eclipse.paho.client.mqttv3.MqttClient publisher = clients.connectedPaho3(RawTransport.TCP, id("mx-pub"));
            for (int i = 0; i < 10; i++) {
                publisher.publish("mx/t", bytes("n" + i), 1, false);
            }
            PubMosquitto.Result result = sub.await();
            assertThat(result.exitCode()).as(result.stderr()).isZero();
            List<String> pahoGot = pahoInbox.take(5).stream().map(Received::text).toList();
            List<String> everything = new ArrayList<>(result.lines());
            everything.addAll(pahoGot);
            assertThat(everything).containsExactlyInAnyOrderElementsOf(
                    IntStream.range(0, 10).mapToObj(i -> "n" + i).toList());
        }
    }
}
