package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bans through the admin API: a banned {@code mosquitto_pub} is refused at CONNECT with 0x8A (MQTT 3: return code
 * 5) before any realm is asked, a live banned client is disconnected, bans survive a restart, expire, and can be
 * lifted.
 */
class AdminBansIT {

    @TempDir
    Path dir;

    private static AdminClient.Answer ban(AdminClient admin, String kind, String value, String extra) {
        return admin.post("/api/v1/bans", "{\"kind\":\"" + kind + "\",\"value\":\"" + value + "\",\"reason\":\"abuse\""
                + extra + "}");
    }

    private static PubMosquitto.Result pub(TestBroker broker, String version, String... args) throws Exception {
        String[] all = new String[args.length + 6];
        all[0] = "-V";
        all[1] = version;
        all[2] = "-t";
        all[3] = "bans/t";
        all[4] = "-m";
        all[5] = "x";
        System.arraycopy(args, 0, all, 6, args.length);
        return PubMosquitto.run(broker, "mosquitto_pub", all);
    }

    @Test
    void bannedMosquittoPub_isRefusedWithBanned_beforeAnyRealmIsAsked() throws Exception {
        try (TestBroker broker = AdminSetup.in(dir).start()) {
            AdminClient sam = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("sam");
            assertThat(pub(broker, "mqttv5", "-i", "evil-1").exitCode()).isZero();

            AdminClient.Answer created = ban(sam, "client-id", "evil-1", "");
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.header("Location")).isEqualTo("/api/v1/bans/" + created.json().path("id").asText());
            PubMosquitto.Result v5 = pub(broker, "mqttv5", "-i", "evil-1");
            assertThat(v5.stderr()).contains("Banned");
            assertThat(v5.exitCode()).isEqualTo(0x8A);
            PubMosquitto.Result v3 = pub(broker, "mqttv311", "-i", "evil-1");
            assertThat(v3.stderr()).contains("not authorised");
            assertThat(v3.exitCode()).isEqualTo(5);

            // A banned user name is refused as banned even with a wrong password: the realm is never asked.
            ban(sam, "username", "device-2", "");
            PubMosquitto.Result user = pub(broker, "mqttv5", "-i", "ok-1", "-u", "device-2", "-P", "wrong");
            assertThat(user.exitCode()).as(user.stderr()).isEqualTo(0x8A);
            PubMosquitto.Result other = pub(broker, "mqttv5", "-i", "ok-1", "-u", "device-1", "-P", "wrong");
            assertThat(other.exitCode()).as("not banned: the realm answers").isEqualTo(0x86);

            JsonNode list = sam.get("/api/v1/bans").json().path("items");
            assertThat(list).extracting(n -> n.path("kind").asText()).containsExactly("client-id", "username");
            assertThat(list.get(0).path("createdBy").asText()).isEqualTo("sam");
            assertThat(sam.delete("/api/v1/bans/" + list.get(0).path("id").asText()).status()).isEqualTo(204);
            assertThat(pub(broker, "mqttv5", "-i", "evil-1").exitCode()).as("lifted").isZero();
        }
    }

    @Test
    void newBan_disconnectsTheLiveSessionsItHits() {
        try (TestBroker broker = AdminSetup.in(dir).start(); Clients clients = new Clients(broker)) {
            AdminClient sam = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("sam");
            CompletableFuture<MqttClientDisconnectedContext> gone = new CompletableFuture<>();
            Mqtt5AsyncClient device = clients.hive5(RawTransport.TCP, "live-1", b -> b.addDisconnectedListener(gone::complete));
            await(device.connectWith().simpleAuth().username("device-1")
                    .password(AdminSetup.PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
            Mqtt5AsyncClient bystander = clients.connectedHive5(RawTransport.TCP, "live-2");

            AdminClient.Answer created = ban(sam, "username", "device-1", "");
            assertThat(created.json().path("disconnectedSessions").asInt()).isEqualTo(1);
            assertThat(await(gone).getCause()).isInstanceOfSatisfying(Mqtt5DisconnectException.class, e ->
                    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION));
            assertThat(bystander.getState().isConnected()).isTrue();

            Mqtt5AsyncClient again = clients.hive5(RawTransport.TCP, "live-1");
            Throwable refused = failure(again.connectWith().simpleAuth().username("device-1")
                    .password(AdminSetup.PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
            assertThat(refused).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e ->
                    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BANNED));
        }
    }

    @Test
    void bans_surviveARestart_andAddressBansHitNetworks() throws Exception {
        AdminSetup setup = AdminSetup.in(dir);
        String id;
        try (TestBroker broker = setup.start()) {
            AdminClient sam = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("sam");
            id = ban(sam, "address", "127.0.0.0/8", "").json().path("id").asText();
            assertThat(pub(broker, "mqttv5", "-i", "net-1").exitCode()).isEqualTo(0x8A);
        }
        assertThat(Files.readString(setup.dataDir().resolve("admin/bans.json"))).contains("127.0.0.0/8");
        try (TestBroker broker = setup.start()) {
            AdminClient sam = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("sam");
            assertThat(sam.get("/api/v1/bans").json().path("items")).extracting(n -> n.path("id").asText())
                    .containsExactly(id);
            assertThat(pub(broker, "mqttv5", "-i", "net-1").exitCode()).isEqualTo(0x8A);
            assertThat(sam.delete("/api/v1/bans/" + id).status()).isEqualTo(204);
            assertThat(pub(broker, "mqttv5", "-i", "net-1").exitCode()).isZero();
        }
    }

    @Test
    void timedBan_endsByItself_andBadBansAreRefused() throws Exception {
        try (TestBroker broker = AdminSetup.in(dir).start()) {
            AdminClient sam = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("sam");
            AdminClient.Answer timed = ban(sam, "client-id", "brief-1", ",\"expiresIn\":\"1s\"");
            assertThat(timed.json().path("expiresAt").asText()).isNotEmpty();
            await().atMost(Duration.ofSeconds(20)).until(() -> pub(broker, "mqttv5", "-i", "brief-1").exitCode() == 0);

            AdminClient.Answer name = ban(sam, "address", "example.com", "");
            assertThat(name.status()).isEqualTo(400);
            assertThat(name.detail()).contains("is not an IP address");
            assertThat(ban(sam, "colour", "x", "").detail()).contains("kind must be one of client-id, username, address");
            assertThat(ban(sam, "client-id", "x", ",\"expiresAt\":\"2001-01-01T00:00:00Z\"").detail())
                    .contains("expiresAt lies in the past");
        }
    }
}
