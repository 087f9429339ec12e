package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.Scrape;
import io.rampart.server.it.support.TestBroker;
import io.rampart.server.it.support.TlsPki;
import io.rampart.server.it.support.TlsTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Security detections on scripted attacks with real clients: wrong passwords from several source addresses in
 * 127.0.0.0/8 ({@code mosquitto_pub -A}), a device looping on a denied topic, a flapping client; each fires (event
 * log line, metric, entry in {@code GET /api/v1/detections}) and a normal workload of the same volume does not; the
 * automatic ban refuses the attacker and lets others in.
 */
class DetectionsIT {

    private static final String DETECTIONS = """
            detections:
              auth-failures-per-address: {threshold: 5, window: 5m, ipv4-prefix: 32, ban: 10m}
              auth-failures-per-user: {threshold: 3, window: 5m}
              probing-client: {threshold: 10, window: 5m, ban: 10m}
              connection-flapping: {threshold: 5, window: 5m}
              many-new-topics: {threshold: 100, window: 5m, ban: 10m}
            """;

    @TempDir
    Path dir;

    private TestBroker start() {
        return AdminSetup.in(dir).devices(TraceRecordingIT.DEVICES).sections(DETECTIONS).start();
    }

    private static PubMosquitto.Result pub(TestBroker broker, String from, String clientId, String user,
                                           String password) throws Exception {
        return PubMosquitto.run(broker, "mosquitto_pub", "-V", "mqttv5", "-A", from, "-i", clientId, "-u", user,
                "-P", password, "-t", "dev/" + clientId + "/t", "-m", "x");
    }

    private static List<JsonNode> detections(AdminClient admin, String rule) {
        JsonNode items = admin.get("/api/v1/detections?rule=" + rule).json().path("items");
        List<JsonNode> out = new java.util.ArrayList<>();
        items.forEach(out::add);
        return out;
    }

    @Test
    void wrongPasswordsFromOneAddress_andAgainstOneUserFromManyAddresses_areDetected_andTheAttackerIsBanned()
            throws Exception {
        try (TestBroker broker = start(); EventLogFile events = new EventLogFile(dir.resolve("events.log"))) {
            int port = broker.port(AdminSetup.ADMIN_LISTENER);
            AdminClient sam = AdminClient.http(port).as("sam");
            AdminClient vera = AdminClient.http(port).as("vera");

            // The same volume of CONNECTs with the right password, and fewer failures than the threshold.
            for (int i = 0; i < 5; i++) {
                assertThat(pub(broker, "127.0.0.9", "normal-" + i, "device-1", AdminSetup.PASSWORD).exitCode())
                        .isZero();
            }
            for (int i = 0; i < 4; i++) {
                assertThat(pub(broker, "127.0.0.8", "typo-" + i, "device-2", "wrong").exitCode()).isEqualTo(0x86);
            }

            for (int i = 0; i < 5; i++) {
                assertThat(pub(broker, "127.0.0.7", "attack-" + i, "device-2", "guess-" + i).exitCode())
                        .isEqualTo(0x86);
            }
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    !detections(sam, "auth-failures-per-address").isEmpty());
            List<JsonNode> found = detections(sam, "auth-failures-per-address");
            assertThat(found).hasSize(1);
            JsonNode d = found.get(0);
            assertThat(d.path("keyKind").asText()).isEqualTo("address");
            assertThat(d.path("key").asText()).isEqualTo("127.0.0.7");
            assertThat(d.path("count").asInt()).isEqualTo(5);
            assertThat(d.path("addresses")).extracting(JsonNode::asText).containsExactly("127.0.0.7");
            assertThat(d.path("banId").asText()).isNotEmpty();
            assertThat(vera.get("/api/v1/detections").json().path("items").get(0).path("key").isNull())
                    .as("no address without data:address").isTrue();

            assertThat(pub(broker, "127.0.0.7", "attack-9", "device-1", AdminSetup.PASSWORD).exitCode())
                    .as("the banned address is refused even with the right password").isEqualTo(0x8A);
            assertThat(pub(broker, "127.0.0.9", "normal-9", "device-1", AdminSetup.PASSWORD).exitCode())
                    .as("others still get in").isZero();
            JsonNode ban = null;
            for (JsonNode b : sam.get("/api/v1/bans").json().path("items")) {
                if (b.path("id").asText().equals(d.path("banId").asText())) {
                    ban = b;
                }
            }
            assertThat(ban).as("the detection's ban is listed").isNotNull();
            assertThat(ban.path("value").asText()).isEqualTo("127.0.0.7");
            assertThat(ban.path("createdBy").asText()).isEqualTo("detections");
            assertThat(ban.path("reason").asText()).startsWith("detection auth-failures-per-address");
            assertThat(ban.path("expiresAt").asText()).isNotEmpty();

            // One user's password tried from three addresses.
            for (String from : List.of("127.0.0.2", "127.0.0.3", "127.0.0.4")) {
                assertThat(pub(broker, from, "spray-" + from, "device-1", "wrong").exitCode()).isEqualTo(0x86);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> !detections(sam, "auth-failures-per-user").isEmpty());
            JsonNode user = detections(sam, "auth-failures-per-user").get(0);
            assertThat(user.path("key").asText()).isEqualTo("device-1");
            assertThat(user.path("addresses")).extracting(JsonNode::asText)
                    .containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.4");
            assertThat(user.path("banId").isNull()).isTrue();
            assertThat(pub(broker, "127.0.0.5", "after-spray", "device-1", AdminSetup.PASSWORD).exitCode())
                    .as("no ban configured for this rule").isZero();

            assertThat(events.await("event=detection", "rule=auth-failures-per-address", "key=\"127.0.0.7\""))
                    .contains("count=5", "ban=" + d.path("banId").asText());
            Scrape metrics = Scrape.parse(broker.broker().metrics().scrape());
            assertThat(metrics.value("rampart_detections_total", "rule", "auth-failures-per-address")).isEqualTo(1.0);
            assertThat(metrics.value("rampart_detections_total", "rule", "auth-failures-per-user")).isEqualTo(1.0);
            assertThat(metrics.value("rampart_detections_total", "rule", "connection-flapping")).isZero();
            assertThat(sam.get("/api/v1/detections").json().path("items")).hasSize(2);
        }
    }

    @Test
    void deviceLoopingOnADeniedTopic_isDetected_bannedAndDisconnected_whileADeviceOnItsOwnTopicsIsNot() {
        try (TestBroker broker = start(); Clients clients = new Clients(broker)) {
            AdminClient sam = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("sam");
            Mqtt5AsyncClient worker = TraceRecordingIT.device(clients, "worker-1", "device-2");
            for (int i = 0; i < 10; i++) {
                TraceRecordingIT.publish(worker, "dev/worker-1/data", "reading " + i);
            }
            CompletableFuture<MqttClientDisconnectedContext> gone = new CompletableFuture<>();
            Mqtt5AsyncClient prober = clients.hive5(RawTransport.TCP, "prober-1",
                    b -> b.addDisconnectedListener(gone::complete));
            await(prober.connectWith().simpleAuth().username("device-1")
                    .password(AdminSetup.PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
            for (int i = 0; i < 10; i++) {
                TraceRecordingIT.publish(prober, "dev/worker-1/cmd-" + i, "probe");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> !detections(sam, "probing-client").isEmpty());
            JsonNode d = detections(sam, "probing-client").get(0);
            assertThat(d.path("keyKind").asText()).isEqualTo("client-id");
            assertThat(d.path("key").asText()).isEqualTo("prober-1");
            assertThat(d.path("summary").asText()).contains("denied 10 times", "dev/worker-1/cmd-9");
            assertThat(await(gone)).isNotNull();
            assertThat(detections(sam, "probing-client")).hasSize(1);
            assertThat(worker.getState().isConnected()).isTrue();

            Throwable refused = failure(clients.hive5(RawTransport.TCP, "prober-1").connectWith().simpleAuth()
                    .username("device-1").password(AdminSetup.PASSWORD.getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().send());
            assertThat(refused).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e ->
                    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BANNED));

            AdminClient.Answer ack = sam.post("/api/v1/detections/" + d.path("id").asText() + "/acknowledge",
                    "{\"note\":\"device reflashed\"}");
            assertThat(ack.status()).isEqualTo(200);
            assertThat(ack.json().path("acknowledgedBy").asText()).isEqualTo("sam");
            assertThat(ack.json().path("note").asText()).isEqualTo("device reflashed");
            assertThat(AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("vera")
                    .post("/api/v1/detections/" + d.path("id").asText() + "/acknowledge", "").status())
                    .isEqualTo(403);
        }
    }

    @Test
    void flappingClient_isDetected_whileAsManyConnectsOfDifferentClientsAreNot() {
        try (TestBroker broker = start(); Clients clients = new Clients(broker)) {
            AdminClient sam = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("sam");
            for (int i = 0; i < 5; i++) {
                Mqtt5AsyncClient steady = clients.hive5(RawTransport.TCP, "steady-" + i);
                await(steady.connect());
                await(steady.disconnect());
            }
            for (int i = 0; i < 5; i++) {
                Mqtt5AsyncClient flappy = clients.hive5(RawTransport.TCP, "flappy-1");
                await(flappy.connect());
                await(flappy.disconnect());
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> !detections(sam, "connection-flapping").isEmpty());
            List<JsonNode> found = detections(sam, "connection-flapping");
            assertThat(found).hasSize(1);
            assertThat(found.get(0).path("key").asText()).isEqualTo("flappy-1");
            assertThat(found.get(0).path("banId").isNull()).isTrue();
            assertThat(found.get(0).path("windowSeconds").asInt()).isEqualTo(300);
        }
    }

    @Test
    void revokedCertificatePresentedAgainAndAgain_isDetected_whileAValidOneIsNot() {
        TlsPki pki = TlsPki.create(dir.resolve("pki"), "detections");
        TlsPki.Issued server = pki.server("broker.test");
        TlsPki.Issued device = pki.client("dev-ok");
        TlsPki.Issued revoked = pki.client("dev-revoked");
        Path crl = dir.resolve("crl.pem");
        pki.writeCrl(crl, pki.crl(Duration.ofDays(1), revoked));
        String tls = "{type: tls, name: mtls, bind: 127.0.0.1, port: 0, tls: {certificate: \"%s\", private-key: \"%s\","
                + " client-authentication: required, trust: {certificates: \"%s\"}, revocation: {mode: crl,"
                + " crl-files: [\"%s\"]}}}";
        try (TestBroker broker = AdminSetup.in(dir).devices(TraceRecordingIT.DEVICES)
                .listeners("- " + tls.formatted(server.certPem(), server.keyPem(), pki.caPem(), crl))
                .sections("detections: {rejected-certificates: {threshold: 3, window: 5m}}\n").start()) {
            AdminClient sam = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("sam");
            for (int i = 0; i < 3; i++) {
                assertThat(TlsTools.handshakes(broker.port("mtls"), pki.clientContext(device))).isTrue();
            }
            for (int i = 0; i < 3; i++) {
                assertThat(TlsTools.handshakes(broker.port("mtls"), pki.clientContext(revoked))).isFalse();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> !detections(sam, "rejected-certificates").isEmpty());
            JsonNode d = detections(sam, "rejected-certificates").get(0);
            assertThat(d.path("key").asText()).isEqualTo("127.0.0.1");
            assertThat(d.path("count").asInt()).isEqualTo(3);
            assertThat(d.path("summary").asText()).contains("revoked or expired", "(last: revoked)");
            assertThat(sam.get("/api/v1/detections").json().path("items")).hasSize(1);
        }
    }

    @Test
    void identityPublishingToHundredsOfNewTopics_isDetectedAndBanned_whileTheSameVolumeToUsualTopicsIsNot()
            throws Exception {
        try (TestBroker broker = start(); Clients clients = new Clients(broker)) {
            AdminClient sam = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("sam");
            Mqtt5AsyncClient device = TraceRecordingIT.device(clients, "worker-1", "device-2");
            for (int i = 0; i < 150; i++) {
                TraceRecordingIT.publish(device, "dev/worker-1/" + List.of("temp", "humidity", "status").get(i % 3),
                        "reading " + i);
            }
            PubMosquitto.Result usual = PubMosquitto.run(broker, "mosquitto_pub", "-V", "mqttv5", "-i", "worker-1b",
                    "-u", "device-2", "-P", AdminSetup.PASSWORD, "-t", "dev/worker-1b/temp", "-m", "21.5", "--repeat",
                    "150");
            assertThat(usual.exitCode()).isZero();

            // A stolen identity fanning out: each mosquitto_pub a client of its own, each to a topic never used.
            for (int batch = 0; batch < 6; batch++) {
                List<PubMosquitto> running = new java.util.ArrayList<>();
                for (int i = batch * 20; i < batch * 20 + 20; i++) {
                    running.add(PubMosquitto.start(broker, "mosquitto_pub", "-V", "mqttv5", "-i", "fanout-" + i, "-u",
                            "device-1", "-P", AdminSetup.PASSWORD, "-t", "dev/fanout-" + i + "/cmd", "-m", "open"));
                }
                for (PubMosquitto p : running) {
                    try (p) {
                        p.await();
                    }
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> !detections(sam, "many-new-topics").isEmpty());
            List<JsonNode> found = detections(sam, "many-new-topics");
            assertThat(found).hasSize(1);
            JsonNode d = found.get(0);
            assertThat(d.path("keyKind").asText()).isEqualTo("username");
            assertThat(d.path("key").asText()).isEqualTo("device-1");
            assertThat(d.path("count").asInt()).isEqualTo(100);
            assertThat(d.path("summary").asText()).contains("published to 100 topics it had not used before in 5m");
            assertThat(d.path("banId").asText()).isNotEmpty();

            assertThat(PubMosquitto.run(broker, "mosquitto_pub", "-V", "mqttv5", "-i", "fanout-x", "-u", "device-1",
                    "-P", AdminSetup.PASSWORD, "-t", "dev/fanout-x/cmd", "-m", "open").exitCode())
                    .as("the banned user is refused").isEqualTo(0x8A);
            assertThat(pub(broker, "127.0.0.1", "worker-2", "device-2", AdminSetup.PASSWORD).exitCode())
                    .as("others still get in").isZero();
            Scrape metrics = Scrape.parse(broker.broker().metrics().scrape());
            assertThat(metrics.value("rampart_detections_total", "rule", "many-new-topics")).isEqualTo(1.0);
        }
    }
}
