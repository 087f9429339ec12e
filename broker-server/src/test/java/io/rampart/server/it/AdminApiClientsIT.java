package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import io.rampart.server.it.support.TlsTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients, sessions, subscriptions and retained messages through the admin API, with real MQTT clients: a HiveMQ
 * MQTT 5 client is listed with its details and disconnected (it receives DISCONNECT 0x98), sessions are deleted,
 * lists are paged in a stable order, and topics in paths are decoded once and never normalized.
 */
class AdminApiClientsIT {

    @TempDir
    static Path dir;

    private static TestBroker broker;
    private static Clients clients;
    private static AdminClient root;

    @BeforeAll
    static void start() {
        broker = AdminSetup.in(dir).start();
        clients = new Clients(broker);
        root = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("root");
    }

    @AfterAll
    static void stop() {
        clients.close();
        broker.close();
    }

    @Test
    void mqtt5Client_isListedWithItsDetails_andDisconnectedWithAdministrativeAction() {
        CompletableFuture<MqttClientDisconnectedContext> gone = new CompletableFuture<>();
        Mqtt5AsyncClient device = clients.hive5(RawTransport.TCP, "plant/line-1", b -> b.addDisconnectedListener(gone::complete));
        await(device.connectWith().keepAlive(45).cleanStart(true).sessionExpiryInterval(120).simpleAuth()
                .username("device-1").password(AdminSetup.PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send());
        await(device.subscribeWith().topicFilter("plant/line-1/cmd/#").qos(MqttQos.AT_LEAST_ONCE).send());

        JsonNode listed = root.get("/api/v1/clients?prefix=plant/").json().path("items");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("clientId").asText()).isEqualTo("plant/line-1");
        assertThat(listed.get(0).path("username").asText()).isEqualTo("device-1");

        JsonNode d = root.get("/api/v1/clients/" + AdminClient.encode("plant/line-1")).json();
        assertThat(d.path("connected").asBoolean()).isTrue();
        assertThat(d.path("listener").asText()).isEqualTo("tcp");
        assertThat(d.path("protocolVersion").asInt()).isEqualTo(5);
        assertThat(d.path("keepAlive").asInt()).isEqualTo(45);
        assertThat(d.path("sessionExpiryInterval").asInt()).isEqualTo(120);
        assertThat(d.path("cleanStart").asBoolean()).isTrue();
        assertThat(d.path("connectedSince").asText()).isNotEmpty();
        assertThat(d.path("address").asText()).isEqualTo("127.0.0.1");
        assertThat(d.path("identity").asText()).isEqualTo("device-1");
        assertThat(d.path("roles")).extracting(JsonNode::asText).containsExactly("all");
        assertThat(d.path("realm").asText()).isEqualTo("devices");
        assertThat(d.path("authenticationManager").asText()).startsWith("password-devices");
        assertThat(d.path("tls").isNull()).isTrue();
        assertThat(d.path("inflight").asInt()).isZero();
        assertThat(d.path("subscriptions")).singleElement()
                .satisfies(s -> assertThat(s.path("filter").asText()).isEqualTo("plant/line-1/cmd/#"));
        // the limits in force: the role's rate and the broker's default maximum packet size
        assertThat(d.path("limits").path("messagesPerSecond").asDouble()).isEqualTo(1000);
        assertThat(d.path("limits").path("messageBurst").asDouble()).isEqualTo(2000);
        assertThat(d.path("limits").path("deliveriesPerSecond").isNull()).isTrue();
        assertThat(d.path("limits").path("maxPacketSize").asInt()).isEqualTo(1_048_576);
        assertThat(d.toString()).doesNotContain(AdminSetup.PASSWORD);

        AdminClient.Answer kicked = root.delete("/api/v1/clients/plant%2Fline-1/connection?reason=maintenance");
        assertThat(kicked.status()).isEqualTo(204);
        Throwable cause = await(gone).getCause();
        assertThat(cause).isInstanceOfSatisfying(Mqtt5DisconnectException.class, e -> {
            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION);
            assertThat(e.getMqttMessage().getReasonString()).hasValueSatisfying(r -> assertThat(r.toString()).isEqualTo("maintenance"));
        });
        await().until(() -> !root.get("/api/v1/clients/plant%2Fline-1").json().path("connected").asBoolean());
        assertThat(root.delete("/api/v1/clients/plant%2Fline-1/connection").status()).as("not connected").isEqualTo(409);
    }

    @Test
    void deleteSession_endsLiveAndOfflineSessions() {
        Mqtt5AsyncClient live = clients.hive5(RawTransport.TCP, "del/live");
        await(live.connectWith().cleanStart(false).sessionExpiryInterval(300).send());
        await(live.subscribeWith().topicFilter("del/#").send());
        Mqtt5AsyncClient offline = clients.hive5(RawTransport.TCP, "del/offline");
        await(offline.connectWith().cleanStart(false).sessionExpiryInterval(300).send());
        await(offline.subscribeWith().topicFilter("del/x").send());
        await(offline.disconnect());
        await().until(() -> broker.session("del/offline") != null && !broker.session("del/offline").isConnected());
        assertThat(root.get("/api/v1/clients?prefix=del/&state=offline").json().path("items"))
                .extracting(n -> n.path("clientId").asText()).containsExactly("del/offline");

        assertThat(root.delete("/api/v1/clients/del%2Foffline/session").status()).isEqualTo(204);
        assertThat(broker.session("del/offline")).isNull();
        assertThat(root.delete("/api/v1/clients/del%2Flive/session").status()).isEqualTo(204);
        assertThat(broker.session("del/live")).isNull();
        await().until(() -> !live.getState().isConnected());
        assertThat(root.get("/api/v1/clients/del%2Flive").status()).isEqualTo(404);
        assertThat(root.delete("/api/v1/clients/del%2Flive/session").status()).isEqualTo(404);
    }

    @Test
    void clientList_isPagedInClientIdOrder_withFilters() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            String id = String.format("page/%02d", i);
            ids.add(id);
            clients.connectedHive5(RawTransport.TCP, id);
        }
        clients.connectedHive3(RawTransport.TCP, "page/v3");
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = root.get("/api/v1/clients?prefix=page/&protocol=5&limit=10"
                    + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.path("items").forEach(n -> seen.add(n.path("clientId").asText()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(seen).isEqualTo(ids);
        assertThat(pages).isEqualTo(3);

        assertThat(root.get("/api/v1/clients?pattern=page/*3&protocol=5").json().path("items"))
                .extracting(n -> n.path("clientId").asText()).containsExactly("page/03", "page/13");
        assertThat(root.get("/api/v1/clients?prefix=page/&protocol=3.1.1").json().path("items"))
                .extracting(n -> n.path("clientId").asText()).containsExactly("page/v3");
        assertThat(root.get("/api/v1/clients?prefix=page/&address=10.0.0.0/8").json().path("items")).isEmpty();
        assertThat(root.get("/api/v1/clients?prefix=page/&address=127.0.0.0/8&limit=1000").json().path("items"))
                .hasSize(24);

        AdminClient.Answer tooMany = root.get("/api/v1/clients?limit=1001");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.detail()).contains("between 1 and 1000");
        AdminClient.Answer unknown = root.get("/api/v1/clients?colour=red&size=2");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("fields")).extracting(JsonNode::asText).containsExactly("colour", "size");
    }

    @Test
    void sharedSubscriptions_listTheirGroupMembers() {
        for (String id : List.of("shared/a", "shared/b")) {
            Mqtt5AsyncClient c = clients.connectedHive5(RawTransport.TCP, id);
            await(c.subscribeWith().topicFilter("$share/workers/jobs/#").qos(MqttQos.AT_LEAST_ONCE).send());
        }
        JsonNode items = root.get("/api/v1/subscriptions?filter=" + AdminClient.encode("$share/workers/jobs/#")).json()
                .path("items");
        assertThat(items).hasSize(2);
        assertThat(items.get(0).path("shareGroup").asText()).isEqualTo("workers");
        assertThat(items.get(0).path("filter").asText()).isEqualTo("jobs/#");
        assertThat(items.get(0).path("groupMembers")).extracting(JsonNode::asText).containsExactly("shared/a", "shared/b");
        assertThat(root.get("/api/v1/subscriptions?client=shared/b").json().path("items"))
                .extracting(n -> n.path("clientId").asText()).containsExactly("shared/b");
    }

    @Test
    void topicsInPaths_areDecodedOnce_neverNormalized_andWildcardsOrNulRefused() throws Exception {
        Mqtt5AsyncClient p = clients.connectedHive5(RawTransport.TCP, "path-publisher");
        for (String topic : List.of("path/a/b", "secret/x", "path/%2F")) {
            await(p.publishWith().topic(topic).retain(true).qos(MqttQos.AT_LEAST_ONCE)
                    .payload("p".getBytes(StandardCharsets.UTF_8)).send());
        }
        await().until(() -> broker.broker().core().retained().get("secret/x") != null);

        assertThat(root.get("/api/v1/retained/path%2Fa%2Fb").json().path("topic").asText()).isEqualTo("path/a/b");
        assertThat(root.get("/api/v1/retained/path/a/b").json().path("topic").asText()).isEqualTo("path/a/b");
        assertThat(root.get("/api/v1/retained/path/%252F").json().path("topic").asText()).isEqualTo("path/%2F");
        assertThat(root.get("/api/v1/retained/path/a/%23").status()).isEqualTo(400);
        assertThat(root.get("/api/v1/retained/path/%2B/b").status()).isEqualTo(400);
        assertThat(root.get("/api/v1/retained/path/a%00").status()).isEqualTo(400);
        assertThat(root.get("/api/v1/retained/path/%E0%A4").status()).as("invalid UTF-8").isEqualTo(400);

        String base = "http://127.0.0.1:" + broker.port(AdminSetup.ADMIN_LISTENER);
        TlsTools.Result dotDot = TlsTools.run(List.of("curl", "-s", "--path-as-is", "-u", "root:" + AdminSetup.PASSWORD,
                "-o", "/dev/null", "-w", "%{http_code}", base + "/api/v1/retained/path/../secret/x"));
        assertThat(dotDot.output()).as("'..' is a topic level, not a way out").isEqualTo("404");
        TlsTools.Result encoded = TlsTools.run(List.of("curl", "-s", "--path-as-is", "-u", "root:" + AdminSetup.PASSWORD,
                base + "/api/v1/retained/path/%2E%2E/secret/x"));
        assertThat(encoded.output()).contains("no retained message on path/../secret/x");

        assertThat(root.get("/api/v1/retained?filter=path/%2B/b").json().path("items"))
                .extracting(n -> n.path("topic").asText()).containsExactly("path/a/b");
        assertThat(root.get("/api/v1/retained?filter=path/+/b").json().path("items")).as("+ stays +").hasSize(1);
        assertThat(root.delete("/api/v1/retained/path/a/b").status()).isEqualTo(204);
        assertThat(broker.broker().core().retained().get("path/a/b")).isNull();
        assertThat(root.delete("/api/v1/retained/path/a/b").status()).isEqualTo(404);
    }
}
