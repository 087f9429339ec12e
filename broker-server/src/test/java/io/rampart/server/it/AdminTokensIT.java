package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.server.Main;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.JwtTokens;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Credentials other than passwords: API tokens created through the API and with {@code rampart token} (picked up by
 * the running broker), shown once, limited by expiry, source network, revocation and their creator's permissions;
 * JWT bearer tokens through the admin pipeline's jwt manager, whose roles claim maps to admin roles.
 */
class AdminTokensIT {

    @TempDir
    Path dir;

    private static String secretOf(AdminClient.Answer created) {
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().path("token").asText();
    }

    @Test
    void apiToken_isShownOnce_actsWithItsRoles_andStopsWhenRevoked() {
        try (TestBroker broker = AdminSetup.in(dir).start()) {
            AdminClient http = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER));
            AdminClient root = http.as("root");
            AdminClient.Answer created = root.post("/api/v1/tokens",
                    "{\"roles\":[\"operator\"],\"expiresIn\":\"1h\",\"description\":\"ci\"}");
            String token = secretOf(created);
            String id = created.json().path("id").asText();
            assertThat(token).startsWith("rmp_" + id + "_");
            assertThat(created.header("Location")).isEqualTo("/api/v1/tokens/" + id);

            AdminClient bearer = http.bearer(token);
            JsonNode me = bearer.get("/api/v1/whoami").json();
            assertThat(me.path("authenticationMethod").asText()).isEqualTo("token");
            assertThat(me.path("tokenId").asText()).isEqualTo(id);
            assertThat(me.path("name").asText()).isEqualTo("root");
            assertThat(me.path("grants").get(0).path("origin").asText()).isEqualTo("token " + id + " role operator");
            assertThat(bearer.get("/api/v1/clients").status()).isEqualTo(200);
            assertThat(bearer.get("/api/v1/bans").detail()).isEqualTo("missing permission bans:read");

            AdminClient.Answer list = root.get("/api/v1/tokens");
            assertThat(list.body()).contains(id).doesNotContain(token.substring(21));
            assertThat(list.json().path("items").get(0).path("lastUsedAt").isNull()).isFalse();
            assertThat(list.json().path("items").get(0).path("description").asText()).isEqualTo("ci");

            assertThat(root.delete("/api/v1/tokens/" + id).status()).isEqualTo(204);
            AdminClient.Answer revoked = bearer.get("/api/v1/clients");
            assertThat(revoked.status()).isEqualTo(401);
            assertThat(revoked.detail()).as("never says why exactly").isEqualTo("invalid or missing credentials");
            assertThat(root.delete("/api/v1/tokens/" + id).status()).isEqualTo(404);
        }
    }

    @Test
    void apiToken_expires_andIsBoundToItsSourceNetwork() {
        try (TestBroker broker = AdminSetup.in(dir).start()) {
            AdminClient http = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER));
            AdminClient root = http.as("root");
            String elsewhere = secretOf(root.post("/api/v1/tokens", "{\"roles\":[\"viewer\"],\"source\":\"10.0.0.0/8\"}"));
            assertThat(http.bearer(elsewhere).get("/api/v1/clients").status()).isEqualTo(401);
            String here = secretOf(root.post("/api/v1/tokens", "{\"roles\":[\"viewer\"],\"source\":\"127.0.0.1\"}"));
            assertThat(http.bearer(here).get("/api/v1/clients").status()).isEqualTo(200);

            String brief = secretOf(root.post("/api/v1/tokens", "{\"roles\":[\"viewer\"],\"expiresIn\":\"2s\"}"));
            assertThat(http.bearer(brief).get("/api/v1/clients").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> http.bearer(brief).get("/api/v1/clients").status() == 401);

            assertThat(root.post("/api/v1/tokens", "{\"roles\":[\"viewer\"],\"expiresIn\":\"400d\"}").detail())
                    .contains("at most 365 days");
            assertThat(root.post("/api/v1/tokens", "{\"roles\":[\"wizard\"]}").detail())
                    .contains("role 'wizard' is neither in admin.roles nor a built-in template");
            assertThat(http.bearer("rmp_nonsense").get("/api/v1/clients").status()).isEqualTo(401);
        }
    }

    @Test
    void tokens_neverCarryMoreThanTheirCreatorHolds() {
        try (TestBroker broker = AdminSetup.in(dir).start()) {
            AdminClient http = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER));
            AdminClient.Answer escalate = http.as("sam").post("/api/v1/tokens", "{\"roles\":[\"super-admin\"]}");
            assertThat(escalate.status()).isEqualTo(403);
            assertThat(escalate.detail()).isEqualTo("a token may not carry permissions its creator does not hold");
            assertThat(http.as("sam").post("/api/v1/tokens", "{\"roles\":[\"security\"]}").status()).isEqualTo(201);
        }
    }

    @Test
    void commandLineToken_isPickedUpByTheRunningBroker_andItsRevocationToo() throws Exception {
        AdminSetup setup = AdminSetup.in(dir);
        Path config = dir.resolve("broker.yaml");
        Files.writeString(config, setup.yaml().replace("port: 0}", "port: 0}"));
        try (TestBroker broker = TestBroker.startYaml(Files.readString(config))) {
            AdminClient http = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER));
            Cli created = cli("token", "create", "--config", config.toString(), "--role", "viewer", "--expires", "30d",
                    "--description", "grafana");
            assertThat(created.code()).as(created.err()).isZero();
            String token = created.out().strip();
            assertThat(token).startsWith("rmp_");
            assertThat(created.err()).contains("shown only now");

            await().atMost(Duration.ofSeconds(20)).until(() -> http.bearer(token).get("/api/v1/clients").status() == 200);
            String id = token.substring(4, 20);
            Cli list = cli("token", "list", "--config", config.toString());
            assertThat(list.out()).contains(id).contains("roles=viewer").contains("created-by=cli:")
                    .doesNotContain(token.substring(21));
            Cli revoked = cli("token", "revoke", "--config", config.toString(), id);
            assertThat(revoked.code()).isZero();
            await().atMost(Duration.ofSeconds(20)).until(() -> http.bearer(token).get("/api/v1/clients").status() == 401);

            Cli bad = cli("token", "create", "--config", config.toString(), "--role", "wizard");
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).contains("role 'wizard'");
        }
    }

    @Test
    void jwtBearer_fromTheAdminPipelinesJwtRealm_mapsItsRolesClaim() {
        Path keys = JwtTokens.writePublicKeys(dir.resolve("idp-keys.pem"));
        AdminSetup setup = AdminSetup.in(dir).adminRealms("""
                - name: idp
                  type: jwt
                  issuer: "%s"
                  audience: %s
                  keys: ["%s"]
                  roles-claim: realm_access.roles
                """.formatted(JwtTokens.ISSUER, JwtTokens.AUDIENCE, keys), "- {type: jwt, realm: idp}");
        try (TestBroker broker = setup.start()) {
            AdminClient http = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER));
            String viewer = JwtTokens.sign(com.nimbusds.jose.JWSAlgorithm.RS256,
                    JwtTokens.claims("ops-dashboard", Duration.ofMinutes(5), "viewers").build());
            AdminClient bearer = http.bearer(viewer);
            JsonNode me = bearer.get("/api/v1/whoami").json();
            assertThat(me.path("name").asText()).isEqualTo("ops-dashboard");
            assertThat(me.path("authenticationMethod").asText()).isEqualTo("jwt");
            assertThat(me.path("realm").asText()).isEqualTo("idp");
            assertThat(me.path("roles")).extracting(JsonNode::asText).containsExactly("viewers");
            assertThat(me.path("expiresAt").asText()).isNotEmpty();
            assertThat(bearer.get("/api/v1/clients").status()).isEqualTo(200);
            assertThat(bearer.post("/api/v1/bans", "{\"kind\":\"client-id\",\"value\":\"x\"}").status()).isEqualTo(403);

            String expired = JwtTokens.sign(com.nimbusds.jose.JWSAlgorithm.RS256,
                    JwtTokens.claims("ops-dashboard", Duration.ofMinutes(-5), "viewers").build());
            assertThat(http.bearer(expired).get("/api/v1/clients").status()).isEqualTo(401);
            assertThat(http.bearer("not.a.jwt").get("/api/v1/clients").status()).isEqualTo(401);
        }
    }

    private record Cli(int code, String out, String err) {
    }

    private static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }
}
