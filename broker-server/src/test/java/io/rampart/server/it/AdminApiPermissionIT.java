package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The permission matrix of the admin API: every operation with an operator whose role grants it (2xx), one whose
 * role does not (403 naming the missing permission), no credentials (401 with a challenge), and the operator
 * scoped to site A asking about site B's objects (404, exactly as for a missing object).
 */
class AdminApiPermissionIT {

    @TempDir
    static Path dir;

    private static TestBroker broker;
    private static Clients clients;
    private static AdminClient anonymous;
    private static final AtomicInteger SEQ = new AtomicInteger();

    /** One operation: the path it acts on is prepared per call (objects that a successful call consumes). */
    private record Op(String method, Supplier<String> path, String contentType, String body, String allowed,
                      String denied, String permission, int success) {
    }

    @BeforeAll
    static void start() {
        broker = AdminSetup.in(dir).admin("metrics-access: nobody").start();
        clients = new Clients(broker);
        anonymous = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER));
        for (String id : List.of("site-a/pump-1", "site-b/pump-1")) {
            Mqtt5AsyncClient c = clients.connectedHive5(RawTransport.TCP, id);
            await(c.subscribeWith().topicFilter(id.substring(0, 6) + "/#").qos(MqttQos.AT_LEAST_ONCE).send());
        }
        retain("site-a/t1");
        retain("site-b/t1");
    }

    @AfterAll
    static void stop() {
        clients.close();
        broker.close();
    }

    private static void retain(String topic) {
        Mqtt5AsyncClient p = clients.connectedHive5(RawTransport.TCP, "retainer-" + SEQ.incrementAndGet());
        await(p.publishWith().topic(topic).retain(true).qos(MqttQos.AT_LEAST_ONCE)
                .payload("v".getBytes(StandardCharsets.UTF_8)).send());
        await(p.disconnect());
        await().until(() -> broker.broker().core().retained().get(topic) != null);
    }

    private static String connected() {
        String id = "victim-" + SEQ.incrementAndGet();
        clients.connectedHive5(RawTransport.TCP, id);
        return "/api/v1/clients/" + id;
    }

    private static String retainedTopic() {
        String topic = "tmp/" + SEQ.incrementAndGet();
        retain(topic);
        return "/api/v1/retained/" + topic;
    }

    private static String ban() {
        return "/api/v1/bans/" + as("root").post("/api/v1/bans",
                "{\"kind\":\"client-id\",\"value\":\"b-" + SEQ.incrementAndGet() + "\"}").json().path("id").asText();
    }

    private static String token() {
        return "/api/v1/tokens/" + as("root").post("/api/v1/tokens", "{\"roles\":[\"viewer\"]}").json().path("id").asText();
    }

    private static String realmUser() {
        String name = "gone-" + SEQ.incrementAndGet();
        as("root").post("/api/v1/realms/devices/users", "{\"username\":\"" + name + "\"}");
        return "/api/v1/realms/devices/users/" + name;
    }

    private static String realmRole() {
        String name = "gone-" + SEQ.incrementAndGet();
        as("root").post("/api/v1/realms/devices/roles", "{\"name\":\"" + name + "\"}");
        return "/api/v1/realms/devices/roles/" + name;
    }

    private static AdminClient as(String user) {
        return anonymous.as(user);
    }

    private static Supplier<String> fixed(String path) {
        return () -> path;
    }

    private static List<Op> operations() {
        String json = "application/json";
        return List.of(
                new Op("GET", fixed("/api/v1/clients"), null, null, "vera", "nobody", "clients:read", 200),
                new Op("GET", fixed("/api/v1/clients/site-a%2Fpump-1"), null, null, "vera", "nobody", "clients:read", 200),
                new Op("DELETE", () -> connected() + "/connection", null, null, "otto", "vera", "clients:disconnect", 204),
                new Op("DELETE", () -> connected() + "/session", null, null, "otto", "vera", "sessions:delete", 204),
                new Op("GET", fixed("/api/v1/subscriptions"), null, null, "vera", "nobody", "subscriptions:read", 200),
                new Op("GET", fixed("/api/v1/retained"), null, null, "vera", "nobody", "retained:read", 200),
                new Op("GET", fixed("/api/v1/retained/site-a/t1"), null, null, "vera", "nobody", "retained:read", 200),
                new Op("DELETE", AdminApiPermissionIT::retainedTopic, null, null, "otto", "vera", "retained:delete", 204),
                new Op("GET", fixed("/api/v1/bans"), null, null, "sam", "vera", "bans:read", 200),
                new Op("POST", fixed("/api/v1/bans"), json, "{\"kind\":\"username\",\"value\":\"m-%d\"}", "sam", "otto",
                        "bans:write", 201),
                new Op("DELETE", AdminApiPermissionIT::ban, null, null, "sam", "otto", "bans:write", 204),
                new Op("GET", fixed("/api/v1/tokens"), null, null, "sam", "otto", "tokens:write", 200),
                new Op("POST", fixed("/api/v1/tokens"), json, "{\"roles\":[\"security\"]}", "sam", "otto", "tokens:write",
                        201),
                new Op("DELETE", AdminApiPermissionIT::token, null, null, "sam", "otto", "tokens:write", 204),
                new Op("GET", fixed("/api/v1/config"), null, null, "sam", "vera", "config:read", 200),
                new Op("POST", fixed("/api/v1/config/validate"), "application/yaml",
                        "listeners:\n  - {type: tcp, name: t, port: 1883}\n", "sam", "vera", "config:read", 200),
                new Op("POST", fixed("/api/v1/reload"), null, null, "root", "sam", "config:reload", 200),
                new Op("GET", fixed("/api/v1/loggers/io.rampart"), null, null, "sam", "vera", "config:read", 200),
                new Op("PUT", fixed("/api/v1/loggers/io.rampart.test.matrix"), json, "{\"level\":\"INFO\"}", "root", "sam",
                        "loggers:write", 200),
                new Op("GET", fixed("/api/v1/metrics/summary"), null, null, "vera", "nobody", "metrics:read", 200),
                new Op("GET", fixed("/api/v1/audit"), null, null, "sam", "vera", "audit:read", 200),
                new Op("GET", fixed("/api/v1/realms"), null, null, "sam", "otto", "users:read", 200),
                new Op("GET", fixed("/api/v1/realms/devices/users"), null, null, "sam", "otto", "users:read", 200),
                new Op("POST", fixed("/api/v1/realms/devices/users"), json, "{\"username\":\"u-%d\"}", "sam", "otto",
                        "users:write", 201),
                new Op("GET", fixed("/api/v1/realms/devices/users/device-1"), null, null, "sam", "otto", "users:read",
                        200),
                new Op("PUT", fixed("/api/v1/realms/devices/users/device-1"), json, "{\"roles\":[\"all\"]}", "sam",
                        "otto", "users:write", 200),
                new Op("PUT", fixed("/api/v1/realms/devices/users/device-2/password"), json,
                        "{\"password\":\"another-long-password\"}", "sam", "otto", "users:write", 204),
                new Op("DELETE", AdminApiPermissionIT::realmUser, null, null, "sam", "otto", "users:write", 204),
                new Op("GET", fixed("/api/v1/realms/devices/roles"), null, null, "sam", "otto", "users:read", 200),
                new Op("POST", fixed("/api/v1/realms/devices/roles"), json, "{\"name\":\"r-%d\"}", "sam", "otto",
                        "users:write", 201),
                new Op("GET", fixed("/api/v1/realms/devices/roles/all"), null, null, "sam", "otto", "users:read", 200),
                new Op("PUT", fixed("/api/v1/realms/devices/roles/all"), json,
                        "{\"permissions\":[{\"topic\":\"#\"}]}", "sam", "otto", "users:write", 200),
                new Op("DELETE", AdminApiPermissionIT::realmRole, null, null, "sam", "otto", "users:write", 204),
                new Op("POST", fixed("/api/v1/policy/check"), json, "{\"user\":\"device-1\",\"listener\":\"tcp\","
                        + "\"checks\":[{\"action\":\"publish\",\"topic\":\"a\",\"qos\":1}]}", "sam", "otto",
                        "policy:check", 200),
                new Op("GET", fixed("/metrics"), null, null, "vera", "nobody", "metrics:read", 200));
    }

    @TestFactory
    Stream<DynamicTest> everyOperation_allowedRole_deniedRole_noCredentials() {
        return operations().stream().map(op -> DynamicTest.dynamicTest(op.method() + " " + op.path().get(), () -> {
            String body = op.body() == null ? null : op.body().replace("%d", Integer.toString(SEQ.incrementAndGet()));

            AdminClient.Answer none = anonymous.send(op.method(), op.path().get(), op.contentType(), body);
            assertThat(none.status()).as("no credentials: %s", none).isEqualTo(401);
            assertThat(none.allHeaders("WWW-Authenticate")).anyMatch(h -> h.startsWith("Basic realm="));
            assertThat(none.header("Content-Type")).startsWith("application/problem+json");

            AdminClient.Answer denied = as(op.denied()).send(op.method(), op.path().get(), op.contentType(), body);
            assertThat(denied.status()).as("%s: %s", op.denied(), denied).isEqualTo(403);
            assertThat(denied.detail()).isEqualTo("missing permission " + op.permission());

            AdminClient.Answer allowed = as(op.allowed()).send(op.method(), op.path().get(), op.contentType(), body);
            assertThat(allowed.status()).as("%s: %s", op.allowed(), allowed).isEqualTo(op.success());
        }));
    }

    @Test
    void selfService_isOpenToEveryAuthenticatedOperator_evenWithoutPermissions() {
        AdminClient.Answer me = as("nobody").get("/api/v1/whoami");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().path("permissions")).isEmpty();
        assertThat(anonymous.get("/api/v1/whoami").status()).isEqualTo(401);
        assertThat(anonymous.get("/api/v1/openapi.yaml").status()).as("the document is public").isEqualTo(200);
    }

    @Test
    void scopedOperator_seesItsSiteOnly_andOtherSitesObjectsLookMissing() {
        AdminClient alice = as("alice");
        AdminClient.Answer list = alice.get("/api/v1/clients");
        assertThat(list.json().path("items")).extracting(n -> n.path("clientId").asText()).containsExactly("site-a/pump-1");

        AdminClient.Answer own = alice.get("/api/v1/clients/site-a%2Fpump-1");
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.json().path("address").asText()).as("data:address on site A").isEqualTo("127.0.0.1");
        assertThat(alice.get("/api/v1/retained/site-a/t1").json().path("payloadUtf8").asText()).isEqualTo("v");

        for (String path : List.of("/api/v1/clients/site-b%2Fpump-1", "/api/v1/retained/site-b/t1")) {
            AdminClient.Answer hidden = alice.get(path);
            String missingPath = path.replace("site-b", "site-z");
            AdminClient.Answer missing = alice.get(missingPath);
            assertThat(hidden.status()).as(path).isEqualTo(404);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(hidden.detail().replace("site-b", "site-z")).as("same answer as a missing object")
                    .isEqualTo(missing.detail());
        }
        assertThat(alice.delete("/api/v1/clients/site-b%2Fpump-1/connection").status()).isEqualTo(404);
        assertThat(alice.delete("/api/v1/clients/site-b%2Fpump-1/session").status()).isEqualTo(404);
        assertThat(alice.delete("/api/v1/retained/site-b/t1").status()).isEqualTo(404);
        assertThat(broker.session("site-b/pump-1").isConnected()).isTrue();
        assertThat(broker.broker().core().retained().get("site-b/t1")).isNotNull();

        assertThat(alice.get("/api/v1/subscriptions").json().path("items")).extracting(n -> n.path("clientId").asText())
                .containsOnly("site-a/pump-1");
        assertThat(alice.get("/api/v1/retained?filter=%23").json().path("items")).extracting(n -> n.path("topic").asText())
                .containsExactly("site-a/t1");
        assertThat(alice.get("/api/v1/bans").detail()).isEqualTo("missing permission bans:read");
    }

    @Test
    void viewer_seesNoAddressesAndNoPayloads() {
        AdminClient vera = as("vera");
        AdminClient.Answer client = vera.get("/api/v1/clients/site-a%2Fpump-1");
        assertThat(client.json().has("address")).isFalse();
        AdminClient.Answer retained = vera.get("/api/v1/retained/site-a/t1");
        assertThat(retained.json().has("payloadBase64")).isFalse();
        assertThat(retained.json().path("payloadSize").asInt()).isEqualTo(1);
        assertThat(retained.json().path("payloadSha256").asText())
                .isEqualTo("4c94485e0c21ae6c41ce1dfe7b6bfaceea5ab68e40a2476f50208e526f506080");
    }
}
