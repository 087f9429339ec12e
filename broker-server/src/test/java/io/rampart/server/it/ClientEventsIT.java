package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/v1/clients/{id}/events}: the history of a HiveMQ client (refused CONNECT, connect, subscribe,
 * unsubscribe, denied publish and subscribe with the deciding realm and rule, takeover, disconnect) outlives its
 * connection, newest first, scoped like {@code clients:read}, with addresses only for {@code data:address}.
 */
class ClientEventsIT {

    @TempDir
    Path dir;

    private static List<String> types(JsonNode items) {
        List<String> out = new ArrayList<>();
        items.forEach(n -> out.add(n.path("type").asText()));
        return out;
    }

    @Test
    void deniedSubscribePublishAndConnect_nameTheDecidingRule_orTheDefaultDeny() throws Exception {
        String devices = """
                users:
                  - {username: device-1, password: "%1$s", roles: [own]}
                roles:
                  - name: own
                    permissions:
                      - {topic: "dev/${mqtt-clientid}/#"}
                      - {topic: "dev/+/locked/#", effect: deny}
                      - {client-id: "*-blocked", effect: deny}
                """;
        try (TestBroker broker = AdminSetup.in(dir).devices(devices).start(); Clients clients = new Clients(broker)) {
            AdminClient otto = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("otto");
            Mqtt5AsyncClient c = TraceRecordingIT.device(clients, "rule-1", "device-1");
            await(c.subscribeWith().topicFilter("dev/rule-1/locked/#").send().handle((r, e) -> r));
            TraceRecordingIT.publish(c, "other/x", "denied");
            assertThat(PubMosquitto.run(broker, "mosquitto_pub", "-V", "mqttv5", "-i", "rule-1-blocked", "-u",
                    "device-1", "-P", AdminSetup.PASSWORD, "-t", "dev/rule-1-blocked/t", "-m", "x").exitCode())
                    .isEqualTo(0x85);

            await().atMost(Duration.ofSeconds(30)).until(() ->
                    types(otto.get("/api/v1/clients/rule-1/events").json().path("items")).contains("publish-denied"));
            JsonNode items = otto.get("/api/v1/clients/rule-1/events").json().path("items");
            JsonNode subscribe = items.get(types(items).indexOf("subscribe-denied"));
            assertThat(subscribe.path("filter").asText()).isEqualTo("dev/rule-1/locked/#");
            assertThat(subscribe.path("verdict").asText()).isEqualTo("denied by deny rule 'dev/+/locked/#'");
            assertThat(subscribe.path("rule").path("effect").asText()).isEqualTo("deny");
            assertThat(subscribe.path("rule").path("topic").asText()).isEqualTo("dev/+/locked/#");
            assertThat(subscribe.path("rule").path("origin").path("realm").asText()).isEqualTo("devices");
            assertThat(subscribe.path("rule").path("origin").path("holder").asText()).isEqualTo("role 'own'");
            assertThat(subscribe.path("rule").path("origin").path("description").asText())
                    .contains("devices.yaml line 7");
            JsonNode publish = items.get(types(items).indexOf("publish-denied"));
            assertThat(publish.path("verdict").asText()).isEqualTo("default deny: no rule matched");
            assertThat(publish.has("rule")).isTrue();
            assertThat(publish.path("rule").isNull()).as("no rule matched").isTrue();

            await().atMost(Duration.ofSeconds(30)).until(() -> otto.get("/api/v1/clients/rule-1-blocked/events")
                    .status() == 200);
            JsonNode refused = otto.get("/api/v1/clients/rule-1-blocked/events").json().path("items").get(0);
            assertThat(refused.path("type").asText()).isEqualTo("connect-refused");
            assertThat(refused.path("reasonCode").asInt()).isEqualTo(0x85);
            assertThat(refused.path("verdict").asText()).contains("deny client-id rule '*-blocked'");
            assertThat(refused.path("rule").path("clientId").asText()).isEqualTo("*-blocked");
            assertThat(refused.path("rule").path("origin").path("description").asText())
                    .contains("devices.yaml line 8");
        }
    }

    @Test
    void history_showsTheClientsEvents_newestFirst_afterItLeft() throws Exception {
        try (TestBroker broker = AdminSetup.in(dir).devices(TraceRecordingIT.DEVICES).start();
             Clients clients = new Clients(broker)) {
            int port = broker.port(AdminSetup.ADMIN_LISTENER);
            assertThat(PubMosquitto.run(broker, "mosquitto_pub", "-V", "mqttv5", "-i", "hist-1", "-u", "device-1",
                    "-P", "wrong", "-t", "dev/hist-1/t", "-m", "x").exitCode()).isEqualTo(0x86);
            Mqtt5AsyncClient c = TraceRecordingIT.device(clients, "hist-1", "device-1");
            await(c.subscribeWith().topicFilter("dev/hist-1/in").qos(MqttQos.AT_LEAST_ONCE).send());
            await(c.subscribeWith().topicFilter("other/#").send().handle((r, e) -> r));
            await(c.unsubscribeWith().topicFilter("dev/hist-1/in").send());
            TraceRecordingIT.publish(c, "other/x", "denied");
            Mqtt5AsyncClient again = TraceRecordingIT.device(clients, "hist-1", "device-1");
            await(again.disconnect());

            AdminClient otto = AdminClient.http(port).as("otto");
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    types(otto.get("/api/v1/clients/hist-1/events").json().path("items")).contains("disconnected"));
            JsonNode items = otto.get("/api/v1/clients/hist-1/events").json().path("items");
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    types(otto.get("/api/v1/clients/hist-1/events").json().path("items")).contains("taken-over"));
            items = otto.get("/api/v1/clients/hist-1/events").json().path("items");
            // The first connection's end (taken over) is reported when that connection has closed, which may be
            // after the second connection was admitted or even gone.
            List<String> types = types(items);
            assertThat(types.subList(0, 3)).containsExactlyInAnyOrder("disconnected", "connected", "taken-over");
            assertThat(types.indexOf("disconnected")).isLessThan(types.indexOf("connected"));
            assertThat(types.subList(3, types.size())).containsExactly("publish-denied", "unsubscribed",
                    "subscribe-denied", "subscribed", "connected", "connect-refused");
            JsonNode denied = items.get(3);
            assertThat(denied.path("topic").asText()).isEqualTo("other/x");
            assertThat(denied.path("realm").asText()).isEqualTo("devices");
            assertThat(denied.path("reason").asText()).isNotEmpty();
            assertThat(items.get(5).path("filter").asText()).isEqualTo("other/#");
            JsonNode connected = items.get(7);
            assertThat(connected.path("listener").asText()).isEqualTo("tcp");
            assertThat(connected.path("username").asText()).isEqualTo("device-1");
            assertThat(connected.path("protocolVersion").asInt()).isEqualTo(5);
            assertThat(connected.has("address")).as("operators lack data:address").isFalse();
            assertThat(items.get(8).path("reasonCode").asInt()).isEqualTo(0x86);
            JsonNode last = items.get(types.indexOf("disconnected"));
            assertThat(last.path("close").asText()).isEqualTo("client-disconnect");

            JsonNode withAddress = AdminClient.http(port).as("sam").get("/api/v1/clients/hist-1/events?limit=2")
                    .json().path("items");
            assertThat(withAddress).hasSize(2);
            assertThat(withAddress.get(1).path("address").asText()).isEqualTo("127.0.0.1");

            AdminClient alice = AdminClient.http(port).as("alice");
            assertThat(alice.get("/api/v1/clients/hist-1/events").status()).as("outside alice's clients")
                    .isEqualTo(404);
            assertThat(otto.get("/api/v1/clients/never-seen/events").status()).isEqualTo(404);
        }
    }
}
