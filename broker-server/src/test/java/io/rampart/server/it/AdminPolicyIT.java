package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.Acks;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.JwtTokens;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.SqlPostgres;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.next;
import static io.rampart.server.it.support.Connects.connect5;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy simulator against the broker itself: for identities of a file realm and of a SQL realm on a real
 * PostgreSQL server, {@code POST /api/v1/policy/check} answers a matrix of PUBLISH (topic, QoS, retain), SUBSCRIBE
 * (filter, QoS, share group), delivery and client-id checks exactly as the broker decides for real HiveMQ MQTT 5
 * clients of those identities, and names the deciding rule with its line in the users file, its SQL row id or its
 * JWT scope mapping. A {@code policy:check} scoped to topics (stored with a role of the admins realm) reaches only
 * those topics.
 */
class AdminPolicyIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PW = "device-pass-123";

    @TempDir
    static Path dir;

    private static SqlPostgres pg;
    private static TestBroker broker;
    private static Clients clients;
    private static AdminClient root;
    private static Mqtt5AsyncClient observer;
    private static BlockingQueue<Mqtt5Publish> everything;
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static final String DEVICES = """
            # Devices of the policy simulator test.
            users:
              - username: sensor-1
                password: "%1$s"
                roles: [sensors]
                permissions:
                  - topic: "devices/+/secret/#"
                    effect: deny
              - username: dashboard
                password: "%1$s"
                roles: [readers]
                permissions:
                  - topic: "commands/#"
                    activity: publish
                    qos: [1]
                    retain: false
            roles:
              - name: sensors
                permissions:
                  - topic: "devices/${mqtt-clientid}/#"
                    activity: publish
                    qos: [0, 1]
                    retain: false
                  - topic: "config/${mqtt-clientid}"
                    activity: subscribe
                  - client-id: "${mqtt-username}"
                  - client-id: "${mqtt-username}-*"
              - name: readers
                permissions:
                  - topic: "devices/+/telemetry"
                    activity: subscribe
                    shared-subscription: true
                    share-groups: [dashboards]
                  - topic: "devices/+/secrets/#"
                    effect: deny
            """;

    @BeforeAll
    static void start() throws Exception {
        pg = SqlPostgres.start();
        pg.execute("INSERT INTO users VALUES ('pg-alice', '" + SecSetup.hash(PW) + "', TRUE),"
                        + " ('pg-bob', '" + SecSetup.hash(PW) + "', TRUE)",
                "INSERT INTO roles (name) VALUES ('plant-ops')",
                "INSERT INTO user_roles VALUES ('pg-alice', 'plant-ops')",
                "INSERT INTO permissions (id, topic_filter, activity, qos_0, qos_1, qos_2, retain, shared_subscription,"
                        + " share_groups, effect) VALUES"
                        + " (11, 'plant/#', 'all', TRUE, TRUE, FALSE, FALSE, TRUE, NULL, 'allow'),"
                        + " (12, 'plant/secret/#', 'all', TRUE, TRUE, TRUE, TRUE, TRUE, NULL, 'deny'),"
                        + " (13, 'users/${mqtt-username}/#', 'all', TRUE, TRUE, TRUE, TRUE, TRUE, NULL, 'allow'),"
                        + " (14, 'feeds/#', 'subscribe', TRUE, TRUE, TRUE, TRUE, TRUE, 'g1', 'allow'),"
                        + " (16, 'bob/out', 'publish', TRUE, TRUE, TRUE, TRUE, TRUE, NULL, 'allow')",
                "INSERT INTO permissions (id, client_id, effect) VALUES (15, 'pg-bob-*', 'allow')",
                "INSERT INTO role_permissions VALUES ('plant-ops', 11), ('plant-ops', 12)",
                "INSERT INTO user_permissions VALUES ('pg-alice', 13), ('pg-bob', 14), ('pg-bob', 15), ('pg-bob', 16)");
        Files.writeString(dir.resolve("devices.yaml"), DEVICES.formatted(SecSetup.hash(PW)));
        Files.writeString(dir.resolve("admins.yaml"), """
                users:
                  - {username: root, password: "%1$s", roles: [admins]}
                  - {username: checker, password: "%1$s", roles: [device-checkers]}
                roles:
                  - {name: admins}
                  - name: device-checkers
                    admin-permissions:
                      - {permissions: [policy:check], topics: "devices/#"}
                """.formatted(SecSetup.hash(AdminSetup.PASSWORD)));
        broker = AdminSetup.in(dir)
                .listeners("- {type: tcp, name: pgtcp, bind: 127.0.0.1, port: 0}")
                .adminRealms("""
                        - name: pg
                          type: sql
                          jdbc-url: "%s"
                          username: %s
                          password: "%s"
                          driver-properties: {sslmode: disable}
                        - name: idp
                          type: jwt
                          secrets: ["%s"]
                          scope-permissions:
                            "telemetry:read": [{topic: "devices/+/telemetry", activity: subscribe}]
                        """.formatted(pg.jdbcUrl(), SqlPostgres.USER, SqlPostgres.PASSWORD, JwtTokens.SECRET), "")
                .mqttManagers("", "- {type: realm, realm: idp}")
                .pipelines("""
                        - name: pg
                          listeners: [pgtcp]
                          authentication: [{type: password, realm: pg}]
                          authorization: [{type: realm, realm: pg}]
                        """)
                .start();
        clients = new Clients(broker);
        root = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("root");
        observer = clients.connectedHive5(RawTransport.TCP, "observer");
        everything = Clients.inbox(observer);
        await(observer.subscribeWith().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE).send());
    }

    @AfterAll
    static void stop() {
        if (clients != null) {
            clients.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    /** One identity of the matrix: its listener, credentials, client id, and a topic it may publish at QoS 1. */
    private record Device(String listener, String user, String clientId, String marker) {
    }

    private static final List<Device> DEVICES_UNDER_TEST = List.of(
            new Device("tcp", "sensor-1", "sensor-1-a", "devices/sensor-1-a/marker"),
            new Device("tcp", "dashboard", "dash-1", "commands/marker"),
            new Device("pgtcp", "pg-alice", "alice-1", "plant/marker"),
            new Device("pgtcp", "pg-bob", "pg-bob-1", "bob/out"));

    private static final List<String> TOPICS = List.of("devices/sensor-1-a/temp", "devices/sensor-1-a/secret/key",
            "devices/other/temp", "config/sensor-1-a", "commands/reboot", "plant/line1/temp", "plant/secret/x",
            "users/pg-alice/status", "users/pg-bob/status", "bob/out", "feeds/news");

    private static final List<String> FILTERS = List.of("config/sensor-1-a", "config/other", "devices/sensor-1-a/#",
            "devices/+/telemetry", "$share/dashboards/devices/+/telemetry", "$share/other/devices/+/telemetry",
            "devices/x/secrets/#", "plant/#", "plant/secret/#", "plant/line1/+", "users/pg-alice/#", "feeds/#",
            "$share/g1/feeds/#", "$share/g2/feeds/#", "#");

    private static Mqtt5AsyncClient connected(Device d) {
        Mqtt5AsyncClient c = clients.hive5On(d.listener(), d.clientId());
        assertThat(connect5(c, d.user(), PW)).as("%s connects", d.user()).isZero();
        return c;
    }

    private static JsonNode check(AdminClient as, ObjectNode request) {
        AdminClient.Answer answer = as.post("/api/v1/policy/check", request.toString());
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        return answer.json();
    }

    private static ObjectNode request(Device d) {
        ObjectNode r = JSON.createObjectNode();
        r.put("listener", d.listener()).put("user", d.user()).put("clientId", d.clientId());
        return r;
    }

    @Test
    void publishMatrix_answersExactlyAsTheBrokerDoes() {
        List<Boolean> outcomes = new ArrayList<>();
        for (Device d : DEVICES_UNDER_TEST) {
            ObjectNode request = request(d);
            ArrayNode checks = request.putArray("checks");
            List<Object[]> cases = new ArrayList<>();
            for (String topic : TOPICS) {
                for (int qos = 0; qos <= 2; qos++) {
                    for (boolean retain : new boolean[]{false, true}) {
                        checks.addObject().put("action", "publish").put("topic", topic).put("qos", qos).put("retain", retain);
                        cases.add(new Object[]{topic, qos, retain});
                    }
                }
            }
            JsonNode results = check(root, request).path("results");
            Mqtt5AsyncClient client = connected(d);
            for (int i = 0; i < cases.size(); i++) {
                String topic = (String) cases.get(i)[0];
                int qos = (int) cases.get(i)[1];
                boolean retain = (boolean) cases.get(i)[2];
                boolean broker = qos == 0 ? routedAtQos0(client, d, topic, retain) : Acks.pubAck(client, topic, qos, retain) < 0x80;
                assertThat(results.get(i).path("allowed").asBoolean())
                        .as("%s publish %s qos %d retain %s: %s", d.user(), topic, qos, retain, results.get(i))
                        .isEqualTo(broker);
                outcomes.add(broker);
            }
            await(client.disconnect());
        }
        assertThat(outcomes).as("the matrix holds allowed and denied publishes").contains(true, false);
    }

    /**
     * Whether a QoS 0 PUBLISH reached the subscriber of everything: a QoS 1 marker follows it on the same
     * connection, so had it been routed it arrives first.
     */
    private static boolean routedAtQos0(Mqtt5AsyncClient client, Device d, String topic, boolean retain) {
        String payload = "q0-" + SEQ.incrementAndGet();
        await(client.publishWith().topic(topic).qos(MqttQos.AT_MOST_ONCE).retain(retain)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send());
        String marker = "marker-" + SEQ.incrementAndGet();
        await(client.publishWith().topic(d.marker()).qos(MqttQos.AT_LEAST_ONCE)
                .payload(marker.getBytes(StandardCharsets.UTF_8)).send());
        boolean routed = false;
        while (true) {
            String got = new String(next(everything).getPayloadAsBytes(), StandardCharsets.UTF_8);
            if (got.equals(payload)) {
                routed = true;
            } else if (got.equals(marker)) {
                return routed;
            }
        }
    }

    @Test
    void subscribeMatrix_answersExactlyAsTheBrokerDoes() {
        List<Boolean> outcomes = new ArrayList<>();
        for (Device d : DEVICES_UNDER_TEST) {
            ObjectNode request = request(d);
            ArrayNode checks = request.putArray("checks");
            for (String filter : FILTERS) {
                for (int qos = 0; qos <= 2; qos++) {
                    checks.addObject().put("action", "subscribe").put("topic", filter).put("qos", qos);
                }
            }
            JsonNode results = check(root, request).path("results");
            Mqtt5AsyncClient client = connected(d);
            int i = 0;
            for (String filter : FILTERS) {
                for (int qos = 0; qos <= 2; qos++) {
                    boolean broker = Acks.subAck(client, filter, qos) < 0x80;
                    assertThat(results.get(i).path("allowed").asBoolean())
                            .as("%s subscribe %s qos %d: %s", d.user(), filter, qos, results.get(i)).isEqualTo(broker);
                    outcomes.add(broker);
                    i++;
                }
            }
            await(client.disconnect());
        }
        assertThat(outcomes).as("the matrix holds allowed and denied subscriptions").contains(true, false);
    }

    @Test
    void deliveries_andClientIds_answerAsTheBrokerDoes() {
        Device alice = DEVICES_UNDER_TEST.get(2);
        List<String> topics = List.of("plant/line1/temp", "plant/secret/key", "plant/a/b/c");
        ObjectNode request = request(alice);
        ArrayNode checks = request.putArray("checks");
        topics.forEach(t -> checks.addObject().put("action", "receive").put("topic", t));
        JsonNode results = check(root, request).path("results");

        Mqtt5AsyncClient client = connected(alice);
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(client);
        assertThat(Acks.subAck(client, "plant/#", 1)).isLessThan(0x80);
        Mqtt5AsyncClient publisher = clients.connectedHive5(RawTransport.TCP, "anonymous-publisher");
        for (String topic : topics) {
            await(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(topic.getBytes()).send());
        }
        await(publisher.publishWith().topic("plant/zz-marker").qos(MqttQos.AT_LEAST_ONCE).payload("end".getBytes()).send());
        List<String> received = new ArrayList<>();
        for (String got = ""; !got.equals("plant/zz-marker"); ) {
            got = next(inbox).getTopic().toString();
            received.add(got);
        }
        for (int i = 0; i < topics.size(); i++) {
            assertThat(results.get(i).path("allowed").asBoolean()).as("receive %s: %s", topics.get(i), results.get(i))
                    .isEqualTo(received.contains(topics.get(i)));
        }
        assertThat(results.get(1).path("rule").path("origin").path("rowId").asLong()).isEqualTo(12);

        for (String clientId : List.of("sensor-1", "sensor-1-x", "sensor-2", "other")) {
            ObjectNode connect = JSON.createObjectNode().put("listener", "tcp").put("user", "sensor-1")
                    .put("clientId", clientId);
            boolean simulated = check(root, connect).path("connect").path("allowed").asBoolean();
            int code = connect5(clients.hive5On("tcp", clientId), "sensor-1", PW);
            assertThat(simulated).as("sensor-1 as client %s (CONNACK 0x%02x)", clientId, code).isEqualTo(code == 0);
        }
    }

    @Test
    void theDecidingRule_isNamedWithItsFileLineOrRowId() {
        ObjectNode request = request(DEVICES_UNDER_TEST.get(0));
        ArrayNode checks = request.putArray("checks");
        checks.addObject().put("action", "publish").put("topic", "devices/sensor-1-a/temp").put("qos", 1);
        checks.addObject().put("action", "publish").put("topic", "devices/sensor-1-a/secret/k").put("qos", 1);
        checks.addObject().put("action", "publish").put("topic", "commands/x").put("qos", 1);
        JsonNode answer = check(root, request);

        assertThat(answer.path("pipeline").asText()).isEqualTo("mqtt");
        assertThat(answer.path("identity").path("roles")).extracting(JsonNode::asText).containsExactly("sensors");
        JsonNode allowed = answer.path("results").get(0).path("rule");
        assertThat(allowed.path("compiled").asText()).isEqualTo("devices/sensor-1-a/#");
        assertThat(allowed.path("origin").path("realm").asText()).isEqualTo("devices");
        assertThat(allowed.path("origin").path("holder").asText()).isEqualTo("role 'sensors'");
        assertThat(allowed.path("origin").path("line").asInt()).isEqualTo(line("- topic: \"devices/${mqtt-clientid}/#\""));
        JsonNode denied = answer.path("results").get(1);
        assertThat(denied.path("reason").asText()).isEqualTo("denied by deny rule 'devices/+/secret/#'");
        assertThat(denied.path("rule").path("origin").path("holder").asText()).isEqualTo("user 'sensor-1'");
        assertThat(denied.path("rule").path("origin").path("line").asInt()).isEqualTo(line("- topic: \"devices/+/secret/#\""));
        JsonNode none = answer.path("results").get(2);
        assertThat(none.path("allowed").asBoolean()).isFalse();
        assertThat(none.path("rule").isNull()).isTrue();
        assertThat(none.path("reason").asText()).isEqualTo("default deny: no rule matched");
        assertThat(answer.path("connect").path("clientId").path("rule").path("origin").path("line").asInt())
                .isEqualTo(line("- client-id: \"${mqtt-username}-*\""));

        ObjectNode sql = request(DEVICES_UNDER_TEST.get(2));
        sql.putArray("checks").addObject().put("action", "publish").put("topic", "plant/line1/temp").put("qos", 1);
        JsonNode rule = check(root, sql).path("results").get(0).path("rule");
        assertThat(rule.path("origin").path("rowId").asLong()).isEqualTo(11);
        assertThat(rule.path("origin").path("holder").asText()).isEqualTo("role 'plant-ops'");
        assertThat(rule.path("origin").path("location").asText()).isEqualTo("permissions row 11");
    }

    /** The line of the devices file that holds {@code text}. */
    private static int line(String text) {
        String[] lines = DEVICES.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError("not in the devices file: " + text);
    }

    @Test
    void givenIdentities_bansAndUnknownUsers() {
        ObjectNode given = JSON.createObjectNode().put("listener", "tcp");
        given.putObject("identity").put("name", "CN=gateway").putArray("roles").add("readers");
        given.putArray("checks").addObject().put("action", "subscribe").put("topic", "$share/dashboards/devices/+/telemetry");
        JsonNode answer = check(root, given);
        assertThat(answer.path("identity").path("source").asText()).isEqualTo("given");
        assertThat(answer.path("results").get(0).path("allowed").asBoolean()).isTrue();
        assertThat(answer.path("results").get(0).path("rule").path("origin").path("holder").asText())
                .isEqualTo("role 'readers'");

        ObjectNode token = JSON.createObjectNode().put("listener", "tcp");
        ObjectNode identity = token.putObject("identity").put("name", "svc-7").put("realm", "idp");
        identity.putArray("scopes").add("telemetry:read");
        token.putArray("checks").addObject().put("action", "subscribe").put("topic", "devices/d1/telemetry");
        JsonNode scoped = check(root, token).path("results").get(0);
        assertThat(scoped.path("allowed").asBoolean()).isTrue();
        assertThat(scoped.path("rule").path("origin").path("realm").asText()).isEqualTo("idp");
        assertThat(scoped.path("rule").path("origin").path("holder").asText()).isEqualTo("scope 'telemetry:read'");
        assertThat(scoped.path("rule").path("origin").path("location").asText())
                .isEqualTo("security.realms[3].scope-permissions.telemetry:read[0]");

        AdminClient.Answer unknown = root.post("/api/v1/policy/check",
                "{\"user\": \"nobody\", \"listener\": \"tcp\", \"checks\": [{\"action\": \"receive\", \"topic\": \"a\"}]}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.detail()).contains("no user 'nobody'");

        String banId = root.post("/api/v1/bans", "{\"kind\": \"client-id\", \"value\": \"dash-banned\"}").json()
                .path("id").asText();
        ObjectNode banned = JSON.createObjectNode().put("listener", "tcp").put("user", "dashboard")
                .put("clientId", "dash-banned");
        banned.putArray("checks").addObject().put("action", "publish").put("topic", "commands/x").put("qos", 1);
        JsonNode refused = check(root, banned);
        assertThat(refused.path("connect").path("allowed").asBoolean()).isFalse();
        assertThat(refused.path("connect").path("reason").asText()).startsWith("banned");
        assertThat(refused.path("results").get(0).path("allowed").asBoolean()).isFalse();
        assertThat(connect5(clients.hive5On("tcp", "dash-banned"), "dashboard", PW)).isEqualTo(0x8A);
        assertThat(root.delete("/api/v1/bans/" + banId).status()).isEqualTo(204);

        AdminClient.Answer bad = root.post("/api/v1/policy/check", "{\"user\": \"dashboard\", \"listener\": \"tcp\","
                + " \"checks\": [{\"action\": \"publish\", \"topic\": \"a/#\", \"qos\": 1}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("fields")).extracting(JsonNode::asText).containsExactly("checks[0].topic");
    }

    @Test
    void scopedPolicyCheck_fromTheAdminsRealm_reachesOnlyItsTopics() {
        AdminClient checker = root.as("checker", AdminSetup.PASSWORD);
        ObjectNode inside = request(DEVICES_UNDER_TEST.get(0));
        inside.putArray("checks").addObject().put("action", "subscribe").put("topic", "devices/+/telemetry");
        assertThat(checker.post("/api/v1/policy/check", inside.toString()).status()).isEqualTo(200);

        ObjectNode outside = request(DEVICES_UNDER_TEST.get(2));
        outside.putArray("checks").addObject().put("action", "publish").put("topic", "plant/x").put("qos", 1);
        AdminClient.Answer refused = checker.post("/api/v1/policy/check", outside.toString());
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.detail()).isEqualTo("policy:check does not reach publish on 'plant/x' for client id 'alice-1'");
        ObjectNode wider = request(DEVICES_UNDER_TEST.get(0));
        wider.putArray("checks").addObject().put("action", "subscribe").put("topic", "#");
        assertThat(checker.post("/api/v1/policy/check", wider.toString()).status()).as("a filter wider than the scope")
                .isEqualTo(403);

        JsonNode me = checker.get("/api/v1/whoami").json();
        assertThat(me.path("permissions")).extracting(JsonNode::asText).containsExactly("policy:check");
        assertThat(me.path("grants").get(0).path("origin").asText())
                .isEqualTo("realm 'admins', role 'device-checkers', " + dir.resolve("admins.yaml") + " line 8");
    }
}
