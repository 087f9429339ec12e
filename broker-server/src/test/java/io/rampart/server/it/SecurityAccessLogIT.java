package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access log end to end: the exact line of every decision type in the plain and the JSON format,
 * no password ever written, client-controlled values that cannot break or forge a line, and allowed
 * PUBLISH lines switched off or sampled (denials never are).
 */
class SecurityAccessLogIT {

    private static final String PW = "al-Secret-" + UUID.randomUUID();
    private static final String WRONG_PW = "al-Wrong-" + UUID.randomUUID();
    /** The identity field of lines after authentication: alice was authenticated as herself. */
    private static final String ALICE = "\"alice\"";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static TestBroker plain;
    private static TestBroker json;
    private static TestBroker sampled;
    private final List<Clients> clients = new ArrayList<>();

    @BeforeAll
    static void startBrokers() {
        Path users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, """
                users:
                  - {username: alice, password: "%s", permissions: [{topic: "open/#"}]}
                """.formatted(SecSetup.hash(PW)));
        String pipelines = """
                realms:
                  - {name: local, type: file, path: "%s"}
                pipelines:
                  - name: default
                    listeners: ["*"]
                    authentication: [{type: password, realm: local}]
                    authorization: [{type: realm, realm: local}]
                brute-force: {enabled: false}
                """.formatted(users);
        plain = SecSetup.start(pipelines + "access-log: {format: plain, publish-allowed: true, publish-sample-rate: 1}\n");
        json = SecSetup.start(pipelines + "access-log: {format: json, publish-allowed: false}\n");
        sampled = SecSetup.start(pipelines + "access-log: {format: plain, publish-allowed: true, publish-sample-rate: 3}\n");
    }

    @AfterAll
    static void stopBrokers() {
        plain.close();
        json.close();
        sampled.close();
    }

    @AfterEach
    void tearDown() {
        clients.forEach(Clients::close);
    }

    private Clients on(TestBroker broker) {
        Clients c = new Clients(broker);
        clients.add(c);
        return c;
    }

    private static byte[] connect(String clientId, String password) {
        return RawPackets.connect(RawPackets.V5).clientId(clientId).credentials("alice", utf8(password)).build();
    }

    private static int pubAck(RawMqttClient raw, String topic, int packetId) {
        raw.send(RawPackets.publish(RawPackets.V5, topic, 1, packetId, utf8("payload")));
        return raw.expect(RawPacket.PUBACK).reasonCode();
    }

    /** Drives one decision of each type with client ids starting with {@code cid}. */
    private void everyDecision(TestBroker broker, String cid) {
        Clients c = on(broker);
        assertThat(c.raw(RawTransport.TCP).sendConnect(connect(cid + "-bad", WRONG_PW)).reasonCode()).isEqualTo(0x86);
        assertThat(c.raw(RawTransport.TCP).sendConnect(RawPackets.connect(RawPackets.V5).clientId(cid + "-will")
                .credentials("alice", utf8(PW)).will("closed/will", utf8("w"), 0, false).build()).reasonCode())
                .isEqualTo(0x87);
        RawMqttClient raw = c.raw(RawTransport.TCP);
        raw.connect(connect(cid, PW));
        assertThat(pubAck(raw, "open/x", 1)).isLessThan(0x80);
        assertThat(pubAck(raw, "closed/x", 2)).isEqualTo(0x87);
        assertThat(raw.subscribe(3, 1, "open/#", "closed/#").reasonCodes()).containsExactly(1, 0x87);
    }

    @Test
    void plainFormat_writesOneExactLinePerDecision() {
        String cid = "sec-al-" + UUID.randomUUID().toString().substring(0, 8);
        everyDecision(plain, cid);

        String prefix = "TIME action=%s result=%s kind=%s listener=tcp remote=127.0.0.1 port=P client=\"%s\" user=\"alice\" "
                + "identity=%s ";
        String who = "manager=\"password-local+roles-local\" realm=\"local\" ";
        assertThat(SecAccessLog.await("client=\"" + cid + "-bad\"", 1)).map(SecAccessLog::normalized).containsExactly(
                prefix.formatted("CONNECT", "DENIED", "bad-credentials", cid + "-bad", "-")
                        + "topic=- qos=- manager=\"password-local\" realm=\"local\" reason=\"wrong password for 'alice'\"");
        assertThat(SecAccessLog.await("client=\"" + cid + "-will\"", 2)).map(SecAccessLog::normalized).containsExactly(
                prefix.formatted("WILL", "DENIED", "not-authorized", cid + "-will", ALICE) + "topic=\"closed/will\" qos=0 "
                        + who + "reason=\"not authorized to publish the will to 'closed/will'\"",
                prefix.formatted("CONNECT", "DENIED", "not-authorized", cid + "-will", ALICE) + "topic=- qos=- "
                        + who + "reason=\"will message to 'closed/will' not authorized\"");
        assertThat(SecAccessLog.await("client=\"" + cid + "\"", 5)).map(SecAccessLog::normalized).containsExactly(
                prefix.formatted("CONNECT", "ALLOWED", "-", cid, ALICE) + "topic=- qos=- " + who
                        + "reason=\"authenticated as 'alice'\"",
                prefix.formatted("PUBLISH", "ALLOWED", "-", cid, ALICE) + "topic=\"open/x\" qos=1 " + who + "reason=\"allowed\"",
                prefix.formatted("PUBLISH", "DENIED", "not-authorized", cid, ALICE) + "topic=\"closed/x\" qos=1 " + who
                        + "reason=\"not authorized to publish to 'closed/x' at QoS 1\"",
                prefix.formatted("SUBSCRIBE", "ALLOWED", "-", cid, ALICE) + "topic=\"open/#\" qos=1 " + who + "reason=\"allowed\"",
                prefix.formatted("SUBSCRIBE", "DENIED", "not-authorized", cid, ALICE) + "topic=\"closed/#\" qos=1 " + who
                        + "reason=\"not authorized to subscribe to 'closed/#' at QoS 1\"");
        assertThat(SecAccessLog.lines(cid)).allSatisfy(line ->
                assertThat(Instant.parse(line.substring(0, line.indexOf(' ')))).isNotNull());
    }

    @Test
    void jsonFormat_writesOneObjectPerDecision_andNoAllowedPublishWhenSwitchedOff() throws Exception {
        String cid = "sec-alj-" + UUID.randomUUID().toString().substring(0, 8);
        everyDecision(json, cid);

        List<JsonNode> lines = new ArrayList<>();
        for (String line : SecAccessLog.await("\"client\":\"" + cid, 7)) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).hasSize(7);
        for (JsonNode n : lines) {
            assertThat(Instant.parse(n.get("time").asText())).isNotNull();
            assertThat(n.get("listener").asText()).isEqualTo("tcp");
            assertThat(n.get("remote").asText()).isEqualTo("127.0.0.1");
            assertThat(n.get("port").isInt()).isTrue();
            assertThat(n.get("user").asText()).isEqualTo("alice");
            assertThat(n.get("realm").asText()).isEqualTo("local");
            assertThat(n.has("identity")).isTrue();
        }
        assertThat(lines).filteredOn(n -> n.get("client").asText().endsWith("-bad"))
                .allSatisfy(n -> assertThat(n.get("identity").isNull()).isTrue());
        assertThat(lines).filteredOn(n -> !n.get("client").asText().endsWith("-bad"))
                .allSatisfy(n -> assertThat(n.get("identity").asText()).isEqualTo("alice"));
        assertThat(lines).extracting(n -> n.get("action").asText() + " " + n.get("result").asText() + " "
                        + n.get("kind").asText() + " " + n.get("client").asText() + " " + n.get("topic").asText()
                        + " " + n.get("qos").asText() + " " + n.get("manager").asText() + " | " + n.get("reason").asText())
                .containsExactlyInAnyOrder(
                        "CONNECT DENIED bad-credentials " + cid + "-bad null null password-local | wrong password for 'alice'",
                        "WILL DENIED not-authorized " + cid + "-will closed/will 0 password-local+roles-local"
                                + " | not authorized to publish the will to 'closed/will'",
                        "CONNECT DENIED not-authorized " + cid + "-will null null password-local+roles-local"
                                + " | will message to 'closed/will' not authorized",
                        "CONNECT ALLOWED null " + cid + " null null password-local+roles-local | authenticated as 'alice'",
                        "PUBLISH DENIED not-authorized " + cid + " closed/x 1 password-local+roles-local"
                                + " | not authorized to publish to 'closed/x' at QoS 1",
                        "SUBSCRIBE ALLOWED null " + cid + " open/# 1 password-local+roles-local | allowed",
                        "SUBSCRIBE DENIED not-authorized " + cid + " closed/# 1 password-local+roles-local"
                                + " | not authorized to subscribe to 'closed/#' at QoS 1");
    }

    @Test
    void passwords_neverAppearInTheLog() {
        everyDecision(plain, "sec-alp-" + UUID.randomUUID().toString().substring(0, 8));
        everyDecision(json, "sec-alpj-" + UUID.randomUUID().toString().substring(0, 8));
        String content = SecAccessLog.content();
        assertThat(content).isNotEmpty().doesNotContain(PW).doesNotContain(WRONG_PW);
    }

    @Test
    void hostileClientId_staysOnOneLineAndCannotForgeTheAddress() throws Exception {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        String hostile = "x\" remote=6.6.6.6 port=1 \\\" \n" + marker + " action=CONNECT\r\tq'";
        Clients c = on(plain);
        assertThat(c.raw(RawTransport.TCP).sendConnect(connect(hostile, WRONG_PW)).reasonCode()).isEqualTo(0x86);
        List<String> lines = SecAccessLog.await(marker, 1);
        assertThat(lines).hasSize(1);
        String line = lines.get(0);
        assertThat(line).matches("^\\S+ action=CONNECT result=DENIED kind=bad-credentials listener=tcp "
                + "remote=127\\.0\\.0\\.1 port=\\d+ client=\".*");
        assertThat(line).contains("client=\"x\\\" remote=6.6.6.6 port=1 \\\\\\\" \\n" + marker + " action=CONNECT\\r\\tq'\"");

        Clients j = on(json);
        assertThat(j.raw(RawTransport.TCP).sendConnect(connect(hostile, WRONG_PW)).reasonCode()).isEqualTo(0x86);
        List<String> jsonLines = SecAccessLog.lines(l -> l.startsWith("{") && l.contains(marker));
        assertThat(jsonLines).hasSize(1);
        JsonNode n = JSON.readTree(jsonLines.get(0));
        assertThat(n.get("client").asText()).isEqualTo(hostile);
        assertThat(n.get("remote").asText()).isEqualTo("127.0.0.1");
    }

    @Test
    void allowedPublishLines_areSampled_butDenialsNeverAre() {
        String cid = "sec-als-" + UUID.randomUUID().toString().substring(0, 8);
        RawMqttClient raw = on(sampled).raw(RawTransport.TCP);
        raw.connect(connect(cid, PW));
        for (int i = 1; i <= 9; i++) {
            assertThat(pubAck(raw, "open/" + i, i)).isLessThan(0x80);
        }
        for (int i = 10; i <= 12; i++) {
            assertThat(pubAck(raw, "closed/" + i, i)).isEqualTo(0x87);
        }
        List<String> lines = SecAccessLog.await("client=\"" + cid + "\"", 7);
        assertThat(lines).filteredOn(l -> l.contains("action=PUBLISH result=ALLOWED")).hasSize(3);
        assertThat(lines).filteredOn(l -> l.contains("action=PUBLISH result=DENIED")).hasSize(3);
    }
}
