package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration through the admin API: the effective configuration without secrets, validation with the same
 * errors and key paths as startup, a reload that picks up a changed users file at once, and the metrics summary.
 */
class AdminConfigIT {

    @TempDir
    Path dir;

    @Test
    void config_isShownWithoutSecrets_validatedLikeAtStartup_andReloaded() throws Exception {
        AdminSetup setup = AdminSetup.in(dir).security("""
                access-log: {format: json}
                """);
        try (TestBroker broker = setup.start(); Clients clients = new Clients(broker)) {
            AdminClient root = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("root");
            JsonNode config = root.get("/api/v1/config").json();
            assertThat(config.path("listeners").get(1).path("type").asText()).isEqualTo("admin");
            assertThat(config.path("security").path("access-log").path("format").asText()).isEqualTo("json");
            assertThat(config.path("admin").path("roles").has("site-a")).isTrue();
            assertThat(config.toString()).doesNotContain("$pbkdf2").doesNotContain(AdminSetup.PASSWORD);

            AdminClient.Answer invalid = root.send("POST", "/api/v1/config/validate", "application/yaml",
                    "listeners:\n  - {type: tcp, name: t, port: 70000}\n");
            assertThat(invalid.status()).isEqualTo(200);
            assertThat(invalid.json().path("valid").asBoolean()).isFalse();
            assertThat(invalid.json().path("errors").get(0).path("keyPath").asText()).isEqualTo("listeners[0].port");
            assertThat(invalid.json().path("errors").get(0).path("reason").asText())
                    .isEqualTo("must be between 0 and 65535 (was 70000)");
            AdminClient.Answer valid = root.send("POST", "/api/v1/config/validate", "application/yaml", setup.yaml());
            assertThat(valid.json().path("valid").asBoolean()).as(valid.toString()).isTrue();

            // A new device user, reloaded through the API instead of waiting for the file watch.
            String devices = Files.readString(dir.resolve("devices.yaml")).replace("users:\n",
                    "users:\n  - {username: device-3, password: \"" + SecSetup.hash(AdminSetup.PASSWORD) + "\", roles: [all]}\n");
            SecSetup.writeUsers(dir.resolve("devices.yaml"), devices);
            JsonNode steps = root.post("/api/v1/reload", null).json().path("steps");
            assertThat(steps).anySatisfy(s -> {
                assertThat(s.path("kind").asText()).isEqualTo("realm");
                assertThat(s.path("name").asText()).isEqualTo("devices");
                assertThat(s.path("outcome").asText()).isIn("reloaded", "unchanged");
            });
            assertThat(steps).anySatisfy(s -> assertThat(s.path("kind").asText()).isEqualTo("bans"));
            await(clients.hive5(RawTransport.TCP, "device-3").connectWith().simpleAuth().username("device-3")
                    .password(AdminSetup.PASSWORD.getBytes(java.nio.charset.StandardCharsets.UTF_8)).applySimpleAuth()
                    .send());

            JsonNode summary = root.get("/api/v1/metrics/summary").json();
            assertThat(summary.path("connections").asInt()).isEqualTo(1);
            assertThat(summary.path("sessions").asInt()).isEqualTo(1);
            assertThat(summary.path("uptimeSeconds").asLong()).isNotNegative();
        }
    }
}
