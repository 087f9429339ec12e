package io.rampart.server.config;

import io.rampart.admin.config.AdminSettings;
import io.rampart.admin.config.OidcSettings;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.admin.rbac.GrantRule;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.rampart.server.config.ConfigLoaderTest.catchConfig;
import static org.assertj.core.api.Assertions.assertThat;

/** The {@code admin:} section, admin listeners (HTTPS, plain HTTP beyond loopback) and admin pipelines. */
class ConfigAdminTest {

    private static final String BASE = """
            listeners:
              - {type: tcp, name: t, port: 1883}
              - {type: admin, name: admin, port: 9090}
            security:
              realms:
                - {name: admins, type: file, path: admins.yaml}
                - {name: dir, type: jwt, secrets: ["0123456789abcdef0123456789abcdef"]}
              pipelines:
                - name: admin
                  listeners: [admin]
                  authentication:
                    - {type: password, realm: admins}
            """;

    private static BrokerConfig parse(String admin) throws ConfigException {
        return ConfigLoader.parse(BASE + admin, "admin.yaml");
    }

    private static String failure(String yaml) {
        return catchConfig(() -> ConfigLoader.parse(yaml, "admin.yaml")).getMessage();
    }

    @Test
    void absentSection_meansNoAdminPermissionsForAnyone() throws ConfigException {
        BrokerConfig config = parse("");
        assertThat(config.admin()).isEqualTo(AdminSettings.DEFAULTS);
        assertThat(config.admin().roles().rulesFor(Set.of("admins"))).isEmpty();
    }

    @Test
    void roles_mapToTemplatesAndScopedPermissionLists_withTheirOrigin() throws ConfigException {
        AdminSettings admin = parse("""
                admin:
                  roles:
                    admins: [super-admin]
                    site-a-ops:
                      - {template: operator, clients: "site-a/*", topics: "site-a/#"}
                      - {permissions: [data:payload], topics: "site-a/${admin-username}/#"}
                      - viewer
                  metrics-access: nobody
                  allowed-origins: ["https://Console.example.com:8443"]
                  audit-log: {format: json}
                  initial-admin: {realm: admins, user: root, roles: [admins]}
                  sessions: {idle-timeout: 10m, absolute-timeout: 4h, max-sessions: 50}
                  max-token-lifetime: 30d
                  limits: {max-body-size: 64KB, max-header-size: 8KB, max-headers: 50, request-timeout: 5s,
                           idle-timeout: 20s, max-concurrent-requests-per-address: 2}
                """).admin();
        List<GrantRule> rules = admin.roles().rulesFor(Set.of("site-a-ops"));
        assertThat(rules).extracting(GrantRule::origin).containsExactly("admin.roles.site-a-ops[0]",
                "admin.roles.site-a-ops[1]", "admin.roles.site-a-ops[2]");
        assertThat(rules.get(0).permissions()).contains(AdminPermission.CLIENTS_DISCONNECT)
                .doesNotContain(AdminPermission.METRICS_READ);
        assertThat(rules.get(1).topics()).isEqualTo("site-a/${admin-username}/#");
        assertThat(rules.get(2).scoped()).isFalse();
        assertThat(admin.metricsAccess()).isEqualTo(AdminSettings.MetricsAccess.NOBODY);
        assertThat(admin.allowedOrigins()).containsExactly("https://console.example.com:8443");
        assertThat(admin.auditJson()).isTrue();
        assertThat(admin.initialAdmin()).isEqualTo(new AdminSettings.InitialAdmin("admins", "root", List.of("admins")));
        assertThat(admin.sessions().idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(admin.maxTokenLifetime()).isEqualTo(Duration.ofDays(30));
        assertThat(admin.limits().maxBodyBytes()).isEqualTo(64 * 1024);
        assertThat(admin.limits().maxConcurrentPerAddress()).isEqualTo(2);
    }

    @Test
    void mistakes_nameTheKeyPath() {
        assertThat(failure(BASE + "admin: {rolez: {}}\n")).isEqualTo("admin.yaml: admin.rolez: unknown key (did you mean 'roles'?)");
        assertThat(failure(BASE + "admin: {roles: {a: [wizard]}}\n"))
                .isEqualTo("admin.yaml: admin.roles.a[0]: unknown template 'wizard' (known: viewer, operator,"
                        + " security-admin, super-admin)");
        assertThat(failure(BASE + "admin: {roles: {a: [{permissions: [clients:fly]}]}}\n"))
                .contains("admin.roles.a[0].permissions[0]: unknown permission 'clients:fly'");
        assertThat(failure(BASE + "admin: {roles: {a: [{permissions: [bans:write], clients: \"x/*\"}]}}\n"))
                .contains("admin.roles.a[0].permissions: bans:write cannot be scoped");
        assertThat(failure(BASE + "admin: {roles: {a: [{template: viewer, permissions: [clients:read]}]}}\n"))
                .contains("admin.roles.a[0]: give exactly one of template and permissions");
        assertThat(failure(BASE + "admin: {roles: {a: [{permissions: [retained:read], topics: \"a/#/b\"}]}}\n"))
                .contains("admin.roles.a[0].topics: is not a valid topic filter");
        assertThat(failure(BASE + "admin: {initial-admin: {realm: dir}}\n"))
                .contains("admin.initial-admin.realm: realm 'dir' is a jwt realm");
        assertThat(failure(BASE + "admin: {initial-admin: {realm: nope}}\n"))
                .contains("admin.initial-admin.realm: no realm named 'nope'");
        assertThat(failure(BASE + "admin: {metrics-access: sometimes}\n"))
                .contains("admin.metrics-access: must be one of loopback, anyone, nobody");
        assertThat(failure(BASE + "admin: {limits: {max-body-size: 100}}\n"))
                .contains("admin.limits.max-body-size: must be between 1KB and 16MB");
        assertThat(failure(BASE + "admin: {allowed-origins: [\"https://x/path\"]}\n"))
                .contains("admin.allowed-origins[0]: must be an origin");
        assertThat(failure(BASE + "admin: {sessions: {idle-timeout: 1h, absolute-timeout: 10m}}\n"))
                .contains("admin.sessions.absolute-timeout: must not be shorter than idle-timeout");
    }

    @Test
    void oidc_isReadWithItsDefaults_andMistakesNameTheKey() throws ConfigException {
        OidcSettings oidc = parse("admin:\n  oidc: {issuer: \"https://sso.example.com/realms/ops\", client-id: cc,"
                + " client-secret: s3cret}\n").admin().oidc();
        assertThat(oidc.issuer()).hasToString("https://sso.example.com/realms/ops");
        assertThat(oidc.scopes()).containsExactly("openid", "profile", "email");
        assertThat(oidc.rolesClaim()).isEqualTo("roles");
        assertThat(oidc.usernameClaim()).isEqualTo("preferred_username");
        assertThat(oidc.redirectUri()).isNull();
        assertThat(oidc.toString()).doesNotContain("s3cret");
        assertThat(parse("admin: {oidc: {issuer: \"http://127.0.0.1:8080/default\", client-id: cc}}\n").admin().oidc()
                .clientSecret()).isNull();
        assertThat(failure(BASE + "admin: {oidc: {issuer: \"http://sso.example.com\", client-id: cc}}\n"))
                .contains("admin.oidc.issuer: must be an https URL");
        assertThat(failure(BASE + "admin: {oidc: {issuer: \"https://sso\"}}\n")).contains("admin.oidc.client-id:");
        assertThat(failure(BASE + "admin: {oidc: {issuer: \"https://sso\", client-id: cc, scopes: [profile]}}\n"))
                .contains("admin.oidc.scopes: must include openid");
        assertThat(failure(BASE + "admin: {oidc: {issuer: \"https://sso\", client-id: cc, claims: x}}\n"))
                .contains("admin.oidc.claims: unknown key");
    }

    @Test
    void adminListener_beyondLoopback_needsTlsOrAllowPlaintext() throws Exception {
        assertThat(failure("listeners:\n  - {type: admin, name: a, bind: 0.0.0.0, port: 9090}\n"))
                .isEqualTo("admin.yaml: listeners[0].bind: an admin listener on a non-loopback address needs a tls: block"
                        + " (HTTPS), or allow-plaintext: true to serve plain HTTP there (was \"0.0.0.0\")");
        BrokerConfig plain = ConfigLoader.parse(
                "listeners:\n  - {type: admin, name: a, bind: 0.0.0.0, port: 9090, allow-plaintext: true}\n", "admin.yaml");
        assertThat(plain.listeners().get(0).allowPlaintext()).isTrue();
        BrokerConfig https = ConfigLoader.parse(
                "listeners:\n  - {type: admin, name: a, bind: \"::\", port: 9443, tls: {}}\n", "admin.yaml");
        assertThat(https.listeners().get(0).tls()).isNotNull();
        for (String loopback : List.of("127.0.0.1", "127.1.2.3", "\"::1\"", "localhost")) {
            assertThat(ConfigLoader.parse("listeners:\n  - {type: admin, name: a, bind: " + loopback + ", port: 1}\n",
                    "admin.yaml").listeners().get(0).tls()).isNull();
        }
        assertThat(failure("listeners:\n  - {type: tcp, name: a, port: 1, allow-plaintext: true}\n"))
                .contains("listeners[0].allow-plaintext: is only for admin listeners");
        assertThat(failure("listeners:\n  - {type: admin, name: a, port: 1, allow-plaintext: true, tls: {}}\n"))
                .contains("allow-plaintext: contradicts tls");
    }

    @Test
    void everyAdminKey_isInTheReferenceAndTheFullExample() throws Exception {
        String docs = Files.readString(Path.of("..", "docs", "CONFIGURATION.md"));
        String guide = Files.readString(Path.of("..", "docs", "ADMIN-API.md"));
        String yaml = Files.readString(Path.of("..", "config", "examples", "full.yaml"));
        for (String key : AdminSection.KEYS) {
            assertThat(docs).contains("`admin." + key + "`");
            assertThat(yaml).contains("  " + key + ":");
        }
        assertThat(guide).contains("`admin.roles`");
    }
}
