package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Trace recordings through the admin API: a recording of one HiveMQ-client session captures its CONNECT, SUBSCRIBE,
 * PUBLISH and the denied PUBLISHes with the deciding manager, realm and rule, and nothing of other clients; a recording
 * stops at its size bound; who may record what.
 */
class TraceRecordingIT {

    static final String DEVICES = """
            users:
              - {username: device-1, password: "%1$s", roles: [own]}
              - {username: device-2, password: "%1$s", roles: [own]}
            roles:
              - name: own
                permissions:
                  - {topic: "dev/${mqtt-clientid}/#"}
                  - {topic: "dev/+/locked/#", effect: deny}
            """;

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    static Mqtt5AsyncClient device(Clients clients, String clientId, String user) {
        Mqtt5AsyncClient c = clients.hive5(RawTransport.TCP, clientId);
        await(c.connectWith().simpleAuth().username(user).password(AdminSetup.PASSWORD.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send());
        return c;
    }

    /** Publishes at QoS 1 and waits for the PUBACK, whatever its reason code. */
    static void publish(Mqtt5AsyncClient c, String topic, String payload) {
        CompletableFuture<?> done = c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send().handle((r, e) -> r);
        await(done);
    }

    private static List<JsonNode> lines(String body) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    @Test
    void recordingOfOneSession_capturesItsPackets_withTheDecisions_andNothingOfOthers() throws Exception {
        AdminSetup setup = AdminSetup.in(dir).devices(DEVICES);
        try (TestBroker broker = setup.start(); Clients clients = new Clients(broker)) {
            AdminClient otto = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("otto");
            AdminClient.Answer created = otto.post("/api/v1/traces",
                    "{\"name\":\"one device\",\"clientId\":\"traced-.*\",\"duration\":\"5m\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String id = created.json().path("id").asText();
            assertThat(created.json().path("state").asText()).isEqualTo("recording");
            assertThat(created.header("Location")).isEqualTo("/api/v1/traces/" + id);

            Mqtt5AsyncClient traced = device(clients, "traced-1", "device-1");
            Mqtt5AsyncClient other = device(clients, "other-1", "device-2");
            await(traced.subscribeWith().topicFilter("dev/traced-1/in").qos(MqttQos.AT_LEAST_ONCE).send());
            publish(traced, "dev/traced-1/out", "hello");
            publish(traced, "elsewhere/x", "denied");
            publish(traced, "dev/traced-1/locked/a", "denied by rule");
            publish(other, "dev/other-1/out", "not recorded");
            publish(other, "elsewhere/y", "not recorded");

            await().atMost(Duration.ofSeconds(30)).until(() ->
                    otto.get("/api/v1/traces/" + id).json().path("packets").asLong() >= 10);
            AdminClient.Answer stopped = otto.post("/api/v1/traces/" + id + "/stop", "");
            assertThat(stopped.json().path("state").asText()).isEqualTo("stopped");
            assertThat(stopped.json().path("stopReason").asText()).isEqualTo("stopped by otto");

            await().atMost(Duration.ofSeconds(30)).until(() ->
                    lines(otto.get("/api/v1/traces/" + id + "/download").body()).size()
                            == otto.get("/api/v1/traces/" + id).json().path("packets").asInt());
            AdminClient.Answer download = otto.get("/api/v1/traces/" + id + "/download");
            assertThat(download.status()).isEqualTo(200);
            assertThat(download.header("Content-Type")).startsWith("application/x-ndjson");
            List<JsonNode> lines = lines(download.body());
            assertThat(lines).allSatisfy(l -> assertThat(l.path("client").asText()).isEqualTo("traced-1"));
            assertThat(lines).noneSatisfy(l -> assertThat(l.has("payload")).isTrue());

            JsonNode connect = find(lines, "in", "CONNECT", null);
            assertThat(connect.path("decision").path("result").asText()).isEqualTo("allowed");
            assertThat(connect.path("decision").path("manager").asText()).startsWith("password");
            assertThat(connect.path("decision").path("realm").asText()).isEqualTo("devices");
            assertThat(find(lines, "out", "CONNACK", null)).isNotNull();
            assertThat(find(lines, "in", "SUBSCRIBE", null).toString()).contains("dev/traced-1/in");
            assertThat(find(lines, "out", "SUBACK", null)).isNotNull();
            JsonNode allowed = find(lines, "in", "PUBLISH", "dev/traced-1/out");
            assertThat(allowed.path("decision").path("result").asText()).isEqualTo("allowed");
            assertThat(allowed.path("qos").asInt()).isEqualTo(1);
            JsonNode denied = find(lines, "in", "PUBLISH", "elsewhere/x");
            assertThat(denied.path("decision").path("result").asText()).isEqualTo("denied");
            assertThat(denied.path("decision").path("manager").asText()).isNotEmpty();
            assertThat(denied.path("decision").path("realm").asText()).isEqualTo("devices");
            assertThat(denied.path("decision").path("reason").asText()).contains("not authorized to publish");
            assertThat(denied.path("decision").path("verdict").asText()).isEqualTo("default deny: no rule matched");
            assertThat(denied.path("decision").path("rule").isNull()).as("no rule matched").isTrue();
            JsonNode deniedByRule = find(lines, "in", "PUBLISH", "dev/traced-1/locked/a").path("decision");
            assertThat(deniedByRule.path("result").asText()).isEqualTo("denied");
            assertThat(deniedByRule.path("verdict").asText()).isEqualTo("denied by deny rule 'dev/+/locked/#'");
            assertThat(deniedByRule.path("rule").path("effect").asText()).isEqualTo("deny");
            assertThat(deniedByRule.path("rule").path("topic").asText()).isEqualTo("dev/+/locked/#");
            assertThat(deniedByRule.path("rule").path("origin").path("holder").asText()).isEqualTo("role 'own'");
            assertThat(deniedByRule.path("rule").path("origin").path("line").asInt()).isPositive();
            assertThat(deniedByRule.path("rule").path("origin").path("description").asText())
                    .contains("devices.yaml line");
            assertThat(allowed.path("decision").path("rule").path("compiled").asText()).isEqualTo("dev/traced-1/#");
            assertThat(lines.stream().filter(l -> l.path("type").asText().equals("PUBACK")).count()).isEqualTo(3);

            Path file = setup.dataDir().resolve("traces").resolve(id + ".jsonl");
            assertThat(Files.readString(file)).isEqualTo(download.body());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

            assertThat(otto.delete("/api/v1/traces/" + id).status()).isEqualTo(204);
            assertThat(Files.exists(file)).isFalse();
            assertThat(otto.get("/api/v1/traces/" + id).status()).isEqualTo(404);
        }
    }

    private static JsonNode find(List<JsonNode> lines, String direction, String type, String topic) {
        return lines.stream().filter(l -> l.path("direction").asText().equals(direction)
                        && l.path("type").asText().equals(type)
                        && (topic == null || topic.equals(l.path("topic").asText())))
                .findFirst().orElseThrow(() -> new AssertionError("no " + direction + " " + type + " "
                        + (topic == null ? "" : topic) + " in " + lines));
    }

    @Test
    void recording_stopsAtItsSizeBound() {
        try (TestBroker broker = AdminSetup.in(dir).devices(DEVICES).start(); Clients clients = new Clients(broker)) {
            AdminClient otto = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("otto");
            AdminClient.Answer created = otto.post("/api/v1/traces",
                    "{\"topic\":\"dev/#\",\"packetTypes\":[\"publish\"],\"maxBytes\":\"1KB\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String id = created.json().path("id").asText();
            Mqtt5AsyncClient c = device(clients, "bounded-1", "device-1");
            for (int i = 0; i < 40; i++) {
                publish(c, "dev/bounded-1/data", "message " + i);
            }
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    otto.get("/api/v1/traces/" + id).json().path("state").asText().equals("stopped"));
            JsonNode rec = otto.get("/api/v1/traces/" + id).json();
            assertThat(rec.path("stopReason").asText()).isEqualTo("size limit reached");
            assertThat(rec.path("bytes").asLong()).isPositive().isLessThanOrEqualTo(1024);
            List<JsonNode> lines = lines(otto.get("/api/v1/traces/" + id + "/download").body());
            assertThat(lines).hasSize(rec.path("packets").asInt())
                    .allSatisfy(l -> assertThat(l.path("type").asText()).isEqualTo("PUBLISH"));
        }
    }

    @Test
    void recordingPermissions_viewersNone_payloadsNeedDataPayload_addressesNeedDataAddress() {
        try (TestBroker broker = AdminSetup.in(dir).devices(DEVICES).start()) {
            int port = broker.port(AdminSetup.ADMIN_LISTENER);
            AdminClient.Answer viewer = AdminClient.http(port).as("vera").post("/api/v1/traces",
                    "{\"clientId\":\"x\"}");
            assertThat(viewer.status()).isEqualTo(403);
            AdminClient otto = AdminClient.http(port).as("otto");
            assertThat(otto.post("/api/v1/traces", "{\"clientId\":\"x\",\"payloads\":true}").status()).isEqualTo(403);
            assertThat(otto.post("/api/v1/traces", "{\"address\":\"127.0.0.0/8\"}").status()).isEqualTo(403);
            AdminClient.Answer nothing = otto.post("/api/v1/traces", "{\"packetTypes\":[\"PUBLISH\"]}");
            assertThat(nothing.status()).isEqualTo(400);
            assertThat(nothing.body()).contains("must select clients or topics");
            AdminClient.Answer badRegex = otto.post("/api/v1/traces", "{\"clientId\":\"(\"}");
            assertThat(badRegex.status()).isEqualTo(400);
            assertThat(badRegex.body()).contains("clientId");

            AdminClient root = AdminClient.http(port).as("root");
            AdminClient.Answer payloads = root.post("/api/v1/traces", "{\"topic\":\"site-a/#\",\"payloads\":true}");
            assertThat(payloads.status()).as(payloads.body()).isEqualTo(201);
            String id = payloads.json().path("id").asText();
            assertThat(otto.get("/api/v1/traces/" + id + "/download").status())
                    .as("a recording with payloads is downloaded only with data:payload").isEqualTo(403);
            assertThat(root.get("/api/v1/traces/" + id + "/download").status()).isEqualTo(200);
            assertThat(AdminClient.http(port).as("vera").get("/api/v1/traces").status()).isEqualTo(403);
            AdminClient sam = AdminClient.http(port).as("sam");
            AdminClient.Answer byAddress = sam.post("/api/v1/traces", "{\"address\":\"127.0.0.0/8\"}");
            assertThat(byAddress.status()).as(byAddress.body()).isEqualTo(201);
            assertThat(byAddress.json().path("filter").path("address").asText()).isEqualTo("127.0.0.0/8");
            String byAddressId = byAddress.json().path("id").asText();
            assertThat(otto.get("/api/v1/traces/" + byAddressId).json().path("filter").path("address").asText())
                    .as("no address without data:address").isEqualTo("***");
            assertThat(otto.get("/api/v1/traces").json().path("items")).hasSize(2);
        }
    }
}
