package io.rampart.server.config;

import io.rampart.security.permission.Activity;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.realm.jwt.JwtRealmSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code type: jwt} realm and manager sections: the example, defaults, every key, and refusals. */
class JwtRealmSectionTest {

    private static final String SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-s3cret";

    private static BrokerConfig parse(String realm, String manager) throws ConfigException {
        String yaml = """
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0}
                security:
                  realms:
                    - name: tokens
                      type: jwt
                %s
                  pipelines:
                    - name: p
                      listeners: [tcp]
                      authentication:
                        - %s
                """.formatted(realm.lines().map(l -> "      " + l).reduce((a, b) -> a + "\n" + b).orElse(""), manager);
        return ConfigLoader.parse(yaml, "test.yaml", Map.of("JWT_SECRET", SECRET)::get);
    }

    private static JwtRealmSettings settings(BrokerConfig config) {
        return (JwtRealmSettings) config.security().realms().get(0).settings();
    }

    @Test
    void example_parses_andDocumentsEveryKey() throws Exception {
        String yaml = Files.readString(Path.of("..", "config", "examples", "jwt.yaml"));
        BrokerConfig config = ConfigLoader.parse(yaml, "jwt.yaml", Map.of("RAMPART_DEVICE_TOKEN_SECRET", SECRET)::get);
        assertThat(config.security().realms()).extracting(SecurityConfig.Realm::type).containsExactly("jwt", "jwt", "file");
        JwtRealmSettings keycloak = (JwtRealmSettings) config.security().realms().get(0).settings();
        assertThat(keycloak.discovery()).isTrue();
        assertThat(keycloak.jwks().minRefetchInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(keycloak.tokenSource()).isEqualTo(JwtRealmSettings.TokenSource.AUTH_METHOD);
        assertThat(keycloak.scopePermissions()).containsKey("telemetry:read");
        assertThat(config.security().pipelines().get(0).authentication().get(0).type()).isEqualTo("jwt");
        String docs = Files.readString(Path.of("..", "docs", "JWT-REALM.md"));
        for (String key : JwtRealmSection.KEYS) {
            assertThat(docs).contains("`" + key + "`");
        }
        for (String key : List.of("url", "trust", "trust-password", "refresh", "min-refetch-interval", "timeout")) {
            assertThat(docs).contains("`jwks." + key + "`");
        }
        for (String key : JwtRealmSection.INTROSPECTION_KEYS) {
            assertThat(docs).contains("`introspection." + key + "`");
        }
    }

    @Test
    void defaults_withOnlyASecret() throws Exception {
        JwtRealmSettings s = settings(parse("secrets: [\"${ENV:JWT_SECRET}\"]", "{type: jwt, realm: tokens}"));
        assertThat(s.tokenSource()).isEqualTo(JwtRealmSettings.TokenSource.PASSWORD);
        assertThat(s.authMethod()).isEqualTo("JWT");
        assertThat(s.algorithms()).containsExactlyInAnyOrder("HS256", "HS384", "HS512");
        assertThat(s.identityClaim()).isEqualTo("sub");
        assertThat(s.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.expiryGrace()).isZero();
        assertThat(s.secrets()).containsExactly(SECRET);
        assertThat(s.toString()).doesNotContain(SECRET);
    }

    @Test
    void introspection_only() throws Exception {
        JwtRealmSettings s = settings(parse("""
                introspection:
                  url: "https://idp.example/introspect"
                  client-id: rampart
                  client-secret: "${ENV:JWT_SECRET}"
                  cache-ttl: 30s""", "{type: jwt, realm: tokens}"));
        assertThat(s.introspection().cacheTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.verifiesLocally()).isFalse();
        assertThat(s.toString()).doesNotContain(SECRET);
        assertThatThrownBy(() -> parse("introspection: {url: \"http://idp/introspect\", client-id: a, client-secret: b}",
                "{type: jwt, realm: tokens}")).hasMessageContaining("security.realms[0].introspection.url");
    }

    @Test
    void scopePermissions_mayHoldClientIdRules() throws Exception {
        JwtRealmSettings s = settings(parse("""
                secrets: ["${ENV:JWT_SECRET}"]
                scope-permissions:
                  device:
                    - {client-id: "${jwt-sub}-*"}
                    - {client-id: "*-admin", effect: deny}
                    - {topic: "devices/${mqtt-clientid}/#"}""", "{type: jwt, realm: tokens}"));
        assertThat(s.scopePermissions().get("device")).containsExactly(
                Permission.clientId("${jwt-sub}-*", Effect.ALLOW), Permission.clientId("*-admin", Effect.DENY),
                Permission.allow("devices/${mqtt-clientid}/#", Activity.ALL));

        String realm = "secrets: [\"${ENV:JWT_SECRET}\"]\nscope-permissions:\n  device:\n    - %s";
        assertThatThrownBy(() -> parse(realm.formatted("{client-id: \"a-*\", qos: [0]}"), "{type: jwt, realm: tokens}"))
                .hasMessage("test.yaml: security.realms[0].scope-permissions.device[0].qos: unknown key"
                        + " (allowed: client-id, effect)");
        assertThatThrownBy(() -> parse(realm.formatted("{client-id: \"a-${x\"}"), "{type: jwt, realm: tokens}"))
                .hasMessageStartingWith("test.yaml: security.realms[0].scope-permissions.device[0].client-id:"
                        + " malformed placeholder at character 3");
        assertThatThrownBy(() -> parse(realm.formatted("{topic: a, activity: client-id}"), "{type: jwt, realm: tokens}"))
                .hasMessageStartingWith("test.yaml: security.realms[0].scope-permissions.device[0].activity:"
                        + " must be one of publish, subscribe, all");
    }

    @Test
    void refusals_nameTheKey() {
        assertThatThrownBy(() -> parse("secrets: [short]", "{type: jwt, realm: tokens}"))
                .hasMessageContaining("security.realms[0].secrets").hasMessageNotContaining("short");
        assertThatThrownBy(() -> parse("secrets: [\"${ENV:JWT_SECRET}\"]\nalgorithms: [none]", "{type: jwt, realm: tokens}"))
                .hasMessageContaining("security.realms[0].algorithms").hasMessageContaining("'none'");
        assertThatThrownBy(() -> parse("jwks: {url: \"http://idp/jwks\"}", "{type: jwt, realm: tokens}"))
                .hasMessageContaining("security.realms[0].jwks.url").hasMessageContaining("https");
        assertThatThrownBy(() -> parse("jwks: {url: \"https://idp/jwks\", refresh: soon}", "{type: jwt, realm: tokens}"))
                .hasMessageContaining("security.realms[0].jwks.refresh");
        assertThatThrownBy(() -> parse("issuer: x", "{type: jwt, realm: tokens}"))
                .hasMessageContaining("security.realms[0].jwks").hasMessageContaining("needs keys");
        assertThatThrownBy(() -> parse("secrets: [\"${ENV:JWT_SECRET}\"]\ntoken-source: cookie", "{type: jwt, realm: tokens}"))
                .hasMessageContaining("security.realms[0].token-source");
        assertThatThrownBy(() -> parse("secrets: [\"${ENV:JWT_SECRET}\"]\nroles: x", "{type: jwt, realm: tokens}"))
                .hasMessageContaining("unknown key");
        assertThatThrownBy(() -> parse("secrets: [\"${ENV:JWT_SECRET}\"]", "{type: password, realm: tokens}"))
                .hasMessageContaining("use a manager of type jwt");
    }
}
