package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.ClusterProcesses;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.TlsPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Three broker processes (the fat JAR) on loopback as one cluster, driven by real clients (HiveMQ, mosquitto). The
 * processes are shared by the tests, which run in order because the last ones change the cluster: a partition that
 * heals, a node that leaves gracefully, a node killed with SIGKILL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static Path dir;
    private static ClusterProcesses cluster;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createTempDirectory("rampart-cluster-it");
        cluster = ClusterProcesses.start(dir, 3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void disconnectClients() {
        for (Mqtt5BlockingClient c : clients) {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
        clients.clear();
    }

    private Mqtt5BlockingClient client(ClusterProcesses.Node node, String id, List<Throwable> serverDisconnects) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(node.mqttPort)
                .addDisconnectedListener(ctx -> {
                    if (ctx.getSource() == MqttDisconnectSource.SERVER && serverDisconnects != null) {
                        serverDisconnects.add(ctx.getCause());
                    }
                })
                .buildBlocking();
        clients.add(c);
        return c;
    }

    private Mqtt5BlockingClient connected(ClusterProcesses.Node node, String id) {
        Mqtt5BlockingClient c = client(node, id, null);
        c.connect();
        return c;
    }

    private static String text(Mqtt5Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    private static List<Mqtt5Publish> receive(Mqtt5BlockingClient.Mqtt5Publishes publishes, int count)
            throws InterruptedException {
        List<Mqtt5Publish> got = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got.size() < count && System.nanoTime() < deadline) {
            Optional<Mqtt5Publish> p = publishes.receive(1, TimeUnit.SECONDS);
            p.ifPresent(got::add);
        }
        return got;
    }

    @Test
    @Order(1)
    void qos0to2_publishedOnNode3_reachTheSubscriberOnNode1_exactlyAsOnOneNode() throws Exception {
        Mqtt5BlockingClient sub = client(cluster.node(1), "qos-sub", null);
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.connect();
            sub.subscribeWith().topicFilter("qos/#").qos(MqttQos.EXACTLY_ONCE).send();
            Mqtt5BlockingClient pub = connected(cluster.node(3), "qos-pub");
            for (MqttQos qos : MqttQos.values()) {
                pub.publishWith().topic("qos/" + qos.getCode()).qos(qos).payload(("m" + qos.getCode()).getBytes())
                        .send();
            }
            List<Mqtt5Publish> got = receive(inbox, 3);
            assertThat(got).extracting(ClusterIT::text).containsExactly("m0", "m1", "m2");
            assertThat(got).extracting(Mqtt5Publish::getQos).containsExactly(MqttQos.AT_MOST_ONCE,
                    MqttQos.AT_LEAST_ONCE, MqttQos.EXACTLY_ONCE);
            assertThat(inbox.receive(1, TimeUnit.SECONDS)).as("nothing twice").isEmpty();
        }
    }

    @Test
    @Order(2)
    void mosquittoClients_subscribeOnNode1_publishOnNode3() throws Exception {
        try (PubMosquitto sub = PubMosquitto.startOn(cluster.node(1).mqttPort, "mosquitto_sub", "-t", "mosq/#",
                "-q", "2", "-C", "3", "-v", "-W", "30", "-i", "mosq-sub")) {
            await().atMost(WAIT).until(() -> cluster.node(1).events().contains("client=\"mosq-sub\" filter=\"mosq/#\""));
            for (int qos = 0; qos <= 2; qos++) {
                assertThat(PubMosquitto.runOn(cluster.node(3).mqttPort, "mosquitto_pub", "-t", "mosq/" + qos, "-q",
                        Integer.toString(qos), "-m", "hello-" + qos).exitCode()).isZero();
            }
            PubMosquitto.Result result = sub.await();
            assertThat(result.lines()).containsExactly("mosq/0 hello-0", "mosq/1 hello-1", "mosq/2 hello-2");
        }
    }

    @Test
    @Order(3)
    void aSharedSubscription_spreadsOverTheNodes_eachMessageOnce() throws Exception {
        List<Mqtt5BlockingClient.Mqtt5Publishes> inboxes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Mqtt5BlockingClient member = client(cluster.node(i), "worker-" + i, null);
            inboxes.add(member.publishes(MqttGlobalPublishFilter.ALL));
            member.connect();
            member.subscribeWith().topicFilter("$share/workers/jobs/#").qos(MqttQos.AT_LEAST_ONCE).send();
        }
        Mqtt5BlockingClient pub = connected(cluster.node(2), "jobs-pub");
        for (int i = 0; i < 30; i++) {
            pub.publishWith().topic("jobs/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(Integer.toString(i).getBytes())
                    .send();
        }
        List<String> all = new ArrayList<>();
        Map<Integer, Integer> perNode = new HashMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (all.size() < 30 && System.nanoTime() < deadline) {
            for (int i = 0; i < 3; i++) {
                Optional<Mqtt5Publish> p = inboxes.get(i).receive(100, TimeUnit.MILLISECONDS);
                if (p.isPresent()) {
                    all.add(text(p.get()));
                    perNode.merge(i + 1, 1, Integer::sum);
                }
            }
        }
        inboxes.forEach(Mqtt5BlockingClient.Mqtt5Publishes::close);
        assertThat(all).hasSize(30).doesNotHaveDuplicates();
        assertThat(perNode).as("members on every node get a share").containsOnlyKeys(1, 2, 3);
    }

    @Test
    @Order(4)
    void aRetainedMessage_setOnNode1_isReadOnNode2() throws Exception {
        connected(cluster.node(1), "retain-pub").publishWith().topic("config/site-1").retain(true)
                .qos(MqttQos.AT_LEAST_ONCE).payload("v42".getBytes()).send();
        Mqtt5BlockingClient sub = client(cluster.node(2), "retain-sub", null);
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.connect();
            sub.subscribeWith().topicFilter("config/#").qos(MqttQos.AT_LEAST_ONCE).send();
            List<Mqtt5Publish> got = receive(inbox, 1);
            assertThat(got).extracting(ClusterIT::text).containsExactly("v42");
            assertThat(got.get(0).isRetain()).isTrue();
        }
    }

    @Test
    @Order(5)
    void aSessionOnNode1_movesToNode2_withItsQueuedMessages_andALiveConnectionIsTakenOver() throws Exception {
        Mqtt5BlockingClient first = client(cluster.node(1), "mover", null);
        first.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
        first.subscribeWith().topicFilter("move/#").qos(MqttQos.AT_LEAST_ONCE).send();
        first.disconnect();
        Mqtt5BlockingClient pub = connected(cluster.node(3), "move-pub");
        for (int i = 0; i < 5; i++) {
            pub.publishWith().topic("move/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(("q" + i).getBytes()).send();
        }

        List<Throwable> kicked = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient second = client(cluster.node(2), "mover", kicked);
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = second.publishes(MqttGlobalPublishFilter.ALL)) {
            Mqtt5ConnAck ack = second.connectWith().cleanStart(false).sessionExpiryInterval(300).send();
            assertThat(ack.isSessionPresent()).isTrue();
            assertThat(receive(inbox, 5)).extracting(ClusterIT::text).containsExactly("q0", "q1", "q2", "q3", "q4");
        }

        Mqtt5BlockingClient third = client(cluster.node(3), "mover", null);
        assertThat(third.connectWith().cleanStart(false).sessionExpiryInterval(300).send().isSessionPresent()).isTrue();
        await().atMost(WAIT).until(() -> !kicked.isEmpty());
        assertThat(kicked.get(0)).isInstanceOfSatisfying(Mqtt5DisconnectException.class, e -> assertThat(
                e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER));
        third.disconnectWith().sessionExpiryInterval(0).send();
    }

    @Test
    @Order(6)
    void trafficBetweenNodes_isTls13WithCertificates_andAnUntrustedNodeCannotJoin() throws Exception {
        JsonNode view = cluster.node(1).cluster();
        assertThat(view.get("nodes")).hasSize(3);
        JsonNode transport = view.get("transport");
        assertThat(transport.get("protocol").asText()).isEqualTo("TLSv1.3");
        assertThat(transport.get("handshakes").asLong()).isPositive();
        Set<String> peers = new HashSet<>();
        for (JsonNode peer : transport.get("peers")) {
            assertThat(peer.get("protocol").asText()).isEqualTo("TLSv1.3");
            assertThat(peer.get("cipherSuite").asText()).startsWith("TLS_");
            peers.add(peer.get("certificate").asText().replaceAll(".*CN=([^,]+).*", "$1"));
        }
        assertThat(peers).containsAnyOf("node-2", "node-3");

        Process probe = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + cluster.node(1).clusterPort,
                "-tls1_3").redirectErrorStream(true).start();
        probe.getOutputStream().close();
        assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String handshake = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(handshake).as("the cluster port speaks TLS 1.3 and asks for a certificate of the cluster CA")
                .contains("New, TLSv1.3").contains("Acceptable client certificate CA names")
                .contains("CN = Rampart development cluster CA");

        TlsPki foreign = TlsPki.create(dir.resolve("foreign-pki"), "foreign");
        TlsPki.Issued impostor = foreign.client("node-9");
        Process intruder = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:"
                + cluster.node(1).clusterPort, "-tls1_3", "-cert", impostor.certPem().toString(), "-key",
                impostor.keyPem().toString()).redirectErrorStream(true).start();
        intruder.getOutputStream().close();
        assertThat(intruder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(WAIT).until(() -> cluster.node(1).console().contains("refused a node connecting from"));
        assertThat(cluster.node(1).console()).contains("CN=node-9").contains("it cannot join");
        assertThat(cluster.node(1).cluster().get("transport").get("refused").asLong()).isPositive();

        ClusterProcesses.Node misissued = cluster.startWithTls("node-5",
                "{certificate: %s, private-key: %s, trust: {certificates: %s}}"
                .formatted(impostor.certPem(), impostor.keyPem(), cluster.caCertificate()));
        assertThat(misissued.awaitExit()).as("a node whose certificate the cluster does not vouch for").isEqualTo(2);
        assertThat(misissued.console()).contains("cluster.tls.certificate")
                .contains("is not vouched for by the cluster's trust");

        ClusterProcesses.Node stranger = cluster.startStranger("node-4");
        await().atMost(ClusterProcesses.STARTUP).until(() -> stranger.console().contains("refused the node at")
                && stranger.console().contains("not vouched for by cluster.tls.trust"));
        await().atMost(WAIT).until(() -> stranger.readyStatus() == 503);
        assertThat(cluster.node(1).cluster().get("nodes")).hasSize(3);
        assertThat(cluster.node(2).cluster().get("nodes")).hasSize(3);
        stranger.kill();
    }

    @Test
    @Order(7)
    void aCutOffNode_refusesClients_andServesAgainOnceThePartitionHeals() throws Exception {
        ClusterProcesses.Node cut = cluster.node(3);
        List<Throwable> sentAway = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient before = client(cut, "cut-before", sentAway);
        before.connect();

        cut.isolate(true);
        await().atMost(WAIT).until(() -> cut.readyStatus() == 503);
        await().atMost(WAIT).until(() -> !sentAway.isEmpty());
        assertThat(sentAway.get(0)).isInstanceOfSatisfying(Mqtt5DisconnectException.class, e -> assertThat(
                e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.USE_ANOTHER_SERVER));
        assertThat(cut.cluster().get("state").asText()).isEqualTo("minority");
        assertThatThrownBy(() -> client(cut, "cut-during", null).connect())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE));
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> cluster.node(1).cluster().get("nodes").size() == 2);
        assertThat(cluster.node(1).cluster().get("state").asText()).isEqualTo("majority");
        assertThat(cluster.node(1).readyStatus()).isEqualTo(200);

        cut.isolate(false);
        await().atMost(WAIT).until(() -> cut.readyStatus() == 200);
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> cluster.node(1).cluster().get("nodes").size() == 3);
        Mqtt5BlockingClient sub = client(cut, "healed-sub", null);
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.connect();
            sub.subscribeWith().topicFilter("healed/#").qos(MqttQos.AT_LEAST_ONCE).send();
            connected(cluster.node(1), "healed-pub").publishWith().topic("healed/1").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("again".getBytes()).send();
            assertThat(receive(inbox, 1)).extracting(ClusterIT::text).containsExactly("again");
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(cut.events())
                .contains("event=cluster-minority state=entered").contains("event=cluster-minority state=left"));
        for (ClusterProcesses.Node n : List.of(cluster.node(1), cut)) {
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(n.cluster()
                    .get("nodes").findValuesAsText("clientAddress")).as("after the heal %s knows every node", n)
                    .containsExactlyInAnyOrder("127.0.0.1:" + cluster.node(1).mqttPort,
                            "127.0.0.1:" + cluster.node(2).mqttPort, "127.0.0.1:" + cut.mqttPort));
        }
    }

    @Test
    @Order(8)
    void aNodeThatLeaves_sendsItsClientsToAnotherNode_whichCarriesTheirSessionsOn() throws Exception {
        ClusterProcesses.Node leaving = cluster.node(3);
        List<Throwable> sentAway = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient c = client(leaving, "roaming", sentAway);
        c.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
        c.subscribeWith().topicFilter("roam/#").qos(MqttQos.AT_LEAST_ONCE).send();

        assertThat(leaving.stop()).as("exit status").isZero();

        await().atMost(WAIT).until(() -> !sentAway.isEmpty());
        assertThat(sentAway.get(0)).isInstanceOfSatisfying(Mqtt5DisconnectException.class, e -> {
            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.USE_ANOTHER_SERVER);
            assertThat(e.getMqttMessage().getServerReference().map(Object::toString).orElse(""))
                    .contains("127.0.0.1:" + cluster.node(1).mqttPort).contains("127.0.0.1:" + cluster.node(2).mqttPort);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.node(1).events())
                .contains("event=cluster-node-left node=node-3 how=graceful"));
        Mqtt5BlockingClient again = client(cluster.node(1), "roaming", null);
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = again.publishes(MqttGlobalPublishFilter.ALL)) {
            Mqtt5ConnAck ack = await().atMost(WAIT).ignoreExceptions().until(() -> again.connectWith().cleanStart(false)
                    .sessionExpiryInterval(300).send(), a -> true);
            assertThat(ack.isSessionPresent()).as("the session was carried on").isTrue();
            connected(cluster.node(2), "roam-pub").publishWith().topic("roam/1").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("still here".getBytes()).send();
            assertThat(receive(inbox, 1)).extracting(ClusterIT::text).containsExactly("still here");
        }
        assertThat(cluster.node(1).cluster().get("state").asText()).isEqualTo("majority");
    }

    @Test
    @Order(9)
    void killingTheNodeOfAnOfflineSession_losesNoQueuedMessage_deliversNoQos2MessageTwice_andFiresWillsOnce() throws Exception {
        Mqtt5BlockingClient willWatcher = client(cluster.node(2), "will-watcher", null);
        Mqtt5BlockingClient.Mqtt5Publishes wills = willWatcher.publishes(MqttGlobalPublishFilter.ALL);
        willWatcher.connect();
        willWatcher.subscribeWith().topicFilter("wills/#").qos(MqttQos.AT_LEAST_ONCE).send();
        client(cluster.node(1), "doomed", null).connectWith().sessionExpiryInterval(60).willPublish()
                .topic("wills/doomed").qos(MqttQos.AT_LEAST_ONCE).payload("gone".getBytes()).delayInterval(1)
                .applyWillPublish().send();
        Mqtt5BlockingClient owner = client(cluster.node(1), "survivor", null);
        owner.connectWith().cleanStart(true).sessionExpiryInterval(600).send();
        owner.subscribeWith().topicFilter("at-least-once/#").qos(MqttQos.AT_LEAST_ONCE).send();
        owner.subscribeWith().topicFilter("exactly-once/#").qos(MqttQos.EXACTLY_ONCE).send();
        owner.disconnect();
        Mqtt5BlockingClient pub = connected(cluster.node(2), "survivor-pub");
        for (int i = 0; i < 50; i++) {
            pub.publishWith().topic("at-least-once/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(("a" + i).getBytes())
                    .send();
            pub.publishWith().topic("exactly-once/" + i).qos(MqttQos.EXACTLY_ONCE).payload(("e" + i).getBytes())
                    .send();
        }
        await().atMost(WAIT).until(() -> cluster.node(1).cluster().get("replicationLag").asInt() == 0);

        cluster.node(1).kill();

        Mqtt5BlockingClient back = client(cluster.node(2), "survivor", null);
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = back.publishes(MqttGlobalPublishFilter.ALL)) {
            Mqtt5ConnAck ack = await().atMost(WAIT).ignoreExceptions().until(() -> back.connectWith().cleanStart(false)
                    .sessionExpiryInterval(600).send(), a -> true);
            assertThat(ack.isSessionPresent()).isTrue();
            List<String> got = new ArrayList<>();
            for (Mqtt5Publish p : receive(inbox, 100)) {
                got.add(text(p));
            }
            assertThat(inbox.receive(2, TimeUnit.SECONDS)).isEmpty();
            List<String> qos1 = got.stream().filter(s -> s.startsWith("a")).toList();
            List<String> qos2 = got.stream().filter(s -> s.startsWith("e")).toList();
            assertThat(new HashSet<>(qos1)).as("every QoS 1 message").hasSize(50);
            assertThat(qos2).as("every QoS 2 message, once").hasSize(50).doesNotHaveDuplicates();
        }
        assertThat(receive(wills, 1)).as("the will of a client of the dead node, published by a survivor")
                .extracting(ClusterIT::text).containsExactly("gone");
        assertThat(wills.receive(3, TimeUnit.SECONDS)).as("the will once").isEmpty();
        wills.close();
    }
}
