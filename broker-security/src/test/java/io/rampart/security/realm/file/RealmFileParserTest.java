package io.rampart.security.realm.file;

import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.permission.RuleOrigin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RealmFileParserTest {

    private static final PasswordHasher HASHER = new PasswordHasher();

    private static RealmContent parse(String yaml) throws FileRealmException {
        return RealmFileParser.parse("users.yaml", yaml.getBytes(StandardCharsets.UTF_8), HASHER);
    }

    @Test
    void parse_fullPermission_readsEveryField() throws Exception {
        RealmContent c = parse("""
                roles:
                  - name: r
                    permissions:
                      - topic: "a/${mqtt-clientid}/+"
                        activity: subscribe
                        qos: [0, 2]
                        retain: false
                        shared-subscription: true
                        share-groups: [g1, g2]
                        effect: allow
                      - topic: a/secret
                        effect: deny
                        qos: 1
                """);

        assertThat(c.roles().get("r")).containsExactly(
                new Permission("a/${mqtt-clientid}/+", Activity.SUBSCRIBE, 0b101, false, true, Set.of("g1", "g2"),
                        Effect.ALLOW),
                new Permission("a/secret", Activity.ALL, 0b010, true, true, Set.of(), Effect.DENY));
        assertThat(c.users()).isEmpty();
    }

    @Test
    void parse_clientIdRules_readPatternAndEffect() throws Exception {
        RealmContent c = parse("""
                roles:
                  - name: devices
                    permissions:
                      - client-id: "${mqtt-username}-*"
                      - client-id: "${mqtt-username}-admin*"
                        effect: deny
                      - topic: "devices/${mqtt-clientid}/#"
                """);

        assertThat(c.roles().get("devices")).containsExactly(
                Permission.clientId("${mqtt-username}-*", Effect.ALLOW),
                Permission.clientId("${mqtt-username}-admin*", Effect.DENY),
                Permission.allow("devices/${mqtt-clientid}/#", Activity.ALL));
    }

    @Test
    void parse_recordsEachRulesLineAndHolder_andTheAdminPermissions() throws Exception {
        RealmContent c = RealmFileParser.parse("devices", "users.yaml", """
                # a comment
                users:
                  - username: bob
                    roles: [ops]
                    permissions:
                      - {topic: "bob/#"}
                    admin-permissions: [viewer]
                roles:
                  - name: ops
                    permissions:

                      - topic: "ops/#"
                        activity: publish
                    admin-permissions:
                      - {permissions: [clients:disconnect], clients: "site-a/*"}
                """.getBytes(StandardCharsets.UTF_8), HASHER);

        Permission own = c.users().get("bob").permissions().get(0);
        assertThat(own.origin()).isEqualTo(RuleOrigin.fileLine("devices", "user 'bob'", "users.yaml", 6));
        assertThat(c.roles().get("ops").get(0).origin().line()).isEqualTo(12);
        assertThat(c.roles().get("ops").get(0).origin().holder()).isEqualTo("role 'ops'");

        List<AdminGrantSpec> admin = c.adminPermissionsOf(c.users().get("bob"));
        assertThat(admin).extracting(AdminGrantSpec::template).containsExactly("viewer", null);
        assertThat(admin.get(1).permissions()).containsExactly("clients:disconnect");
        assertThat(admin.get(1).clients()).isEqualTo("site-a/*");
        assertThat(admin.get(1).origin().line()).isEqualTo(15);
        assertThat(admin.get(0).origin().holder()).isEqualTo("user 'bob'");
    }

    @Test
    void parse_commentsOnly_isAnEmptyRealm() throws Exception {
        RealmContent c = parse("# nothing yet\n");
        assertThat(c.users()).isEmpty();
        assertThat(c.roles()).isEmpty();
    }

    @Test
    void parse_limits_ofRolesAndUsers_numbersQuotedOrNot_withUnits() throws Exception {
        RealmContent c = parse("""
                roles:
                  - name: sensors
                    limits:
                      messages-per-second: 10
                      message-burst: "20"
                      bytes-per-second: 16KB
                      max-packet-size: 64KB
                      disconnect-after: 30s
                  - name: gateways
                    limits:
                      deliveries-per-second: 0.5
                users:
                  - username: s1
                    roles: [sensors]
                    limits:
                      messages-per-second: "5"
                """);

        IdentityLimits sensors = c.roleLimits().get("sensors");
        assertThat(sensors.publish()).isEqualTo(new IdentityLimits.Rate(10, 20));
        assertThat(sensors.publishBytes()).isEqualTo(new IdentityLimits.Rate(16_384, 16_384));
        assertThat(sensors.maxPacketSize()).isEqualTo(65_536);
        assertThat(sensors.disconnectAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.roleLimits().get("gateways").deliver()).isEqualTo(new IdentityLimits.Rate(0.5, 1));
        assertThat(c.users().get("s1").limits().publish()).isEqualTo(new IdentityLimits.Rate(5, 5));
        // The user's own limit is stricter than its role's: it wins; the role's other limits stay.
        IdentityLimits s1 = c.limitsOf(c.users().get("s1"), List.of());
        assertThat(s1.publish()).isEqualTo(new IdentityLimits.Rate(5, 5));
        assertThat(s1.maxPacketSize()).isEqualTo(65_536);
        assertThat(c.limitsOf(c.users().get("s1"), List.of("gateways")).deliver()).isEqualTo(new IdentityLimits.Rate(0.5, 1));
    }

    @Test
    void parse_userWithoutPassword_isKeptForAuthorization() throws Exception {
        RealmContent c = parse("users:\n  - username: CN=gateway\n");
        assertThat(c.users().get("CN=gateway").passwordHash()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "users:\\n  - username: a\\n    pasword: x\\n|users.yaml:3:5: users[0].pasword: unknown key (allowed: admin-permissions, limits, password, permissions, roles, username)",
            "roles:\\n  - name: r\\n    admin-permissions:\\n      - {template: viewer, topic: a}\\n|users.yaml:4:28: roles[0].admin-permissions[0].topic: unknown key (allowed: clients, permissions, template, topics)",
            "roles:\\n  - name: r\\n    admin-permissions:\\n      - {template: viewer, permissions: [clients:read]}\\n|users.yaml:4:9: roles[0].admin-permissions[0].template: give exactly one of template and permissions",
            "users:\\n  - username: a\\n    admin-permissions: [Viewer!]\\n|users.yaml:3:25: users[0].admin-permissions[0]: 'viewer!' is not a template name",
            "users:\\n  - username: a\\n    admin-permissions:\\n      - permissions: [clients]\\n|users.yaml:4:9: users[0].admin-permissions[0].permissions[0]: 'clients' is not a permission name such as clients:read",
            "usrs: []\\n|users.yaml:1:1: usrs: unknown key (allowed: roles, users)",
            "users:\\n  - username: a\\n  - username: a\\n|users.yaml:3:15: users[1].username: duplicate user 'a' (first defined at line 2)",
            "roles:\\n  - name: r\\n  - name: r\\n|users.yaml:3:11: roles[1].name: duplicate role 'r' (first defined at line 2)",
            "users:\\n  - username: a\\n    roles: [r]\\n|users.yaml:3:13: users[0].roles[0]: unknown role 'r' (define it under 'roles')",
            "users:\\n  - username: a\\n    password: secret\\n|users.yaml:3:15: users[0].password: password of user 'a': unrecognised password hash format (expected $pbkdf2-sha512$, $2a$/$2b$/$2y$ bcrypt or $argon2id$)",
            "roles:\\n  - name: r\\n    permissions:\\n      - topic: a/#/b\\n|users.yaml:4:16: roles[0].permissions[0].topic: invalid topic filter 'a/#/b': '#' must be the whole last level of a topic filter",
            "roles:\\n  - name: r\\n    permissions:\\n      - topic: a/${oops\\n|users.yaml:4:16: roles[0].permissions[0].topic: malformed placeholder at character 3 (expected ${name} with letters, digits, '-', '_' or '.')",
            "roles:\\n  - name: r\\n    permissions:\\n      - topic: $share/g/a\\n|users.yaml:4:16: roles[0].permissions[0].topic: write the plain topic filter, not a $share/ filter; shared subscriptions are controlled by shared-subscription and share-groups",
            "roles:\\n  - name: r\\n    permissions:\\n      - topic: a\\n        qos: [3]\\n|users.yaml:5:15: roles[0].permissions[0].qos: expected QoS 0, 1 or 2, found a number '3'",
            "roles:\\n  - name: r\\n    permissions:\\n      - topic: a\\n        activity: read\\n|users.yaml:5:19: roles[0].permissions[0].activity: expected publish, subscribe or all",
            "roles:\\n  - name: r\\n    permissions:\\n      - topic: a\\n        effect: deny\\n        retain: false\\n|users.yaml:6:17: roles[0].permissions[0].retain: only applies to allow rules (a deny rule denies the topic whatever the flags)",
            "roles:\\n  - name: r\\n    permissions:\\n      - topic: a\\n        retain: 'no'\\n|users.yaml:5:17: roles[0].permissions[0].retain: expected true or false, found a string 'no'",
            "roles:\\n  - name: r\\n    permissions:\\n      - activity: all\\n|users.yaml:4:9: roles[0].permissions[0]: missing 'topic'",
            "users: {}\\n|users.yaml:1:8: users: expected a list, found a mapping",
            "roles:\\n  - name: r\\n    permissions:\\n      - client-id: a-*\\n        activity: publish\\n|users.yaml:5:9: roles[0].permissions[0].activity: a client-id rule takes only 'client-id' and 'effect' (write topic rules separately)",
            "roles:\\n  - name: r\\n    permissions:\\n      - client-id: a-*\\n        topic: a\\n|users.yaml:5:9: roles[0].permissions[0].topic: a client-id rule takes only 'client-id' and 'effect'",
            "roles:\\n  - name: r\\n    permissions:\\n      - client-id: ${mqtt-username\\n|users.yaml:4:20: roles[0].permissions[0].client-id: malformed placeholder at character 1",
            "roles:\\n  - name: r\\n    permissions:\\n      - client-id: ''\\n|users.yaml:4:20: roles[0].permissions[0].client-id: expected a non-empty string",
            "users:\\n  - username: a\\n    roles: [\\n|users.yaml:3:13: invalid YAML: while parsing a flow node",
            "users:\\n  - username: a\\n    username: b\\n|users.yaml:3:5: users[0].username: duplicate key 'username'",
            "roles:\\n  - name: r\\n    limits:\\n      messages-per-sec: 10\\n|users.yaml:4:7: roles[0].limits.messages-per-sec: unknown key (allowed: byte-burst, bytes-per-second,",
            "roles:\\n  - name: r\\n    limits:\\n      messages-per-second: ten\\n|users.yaml:4:28: roles[0].limits.messages-per-second: must be a number such as 10 or 0.5 (was ten)",
            "roles:\\n  - name: r\\n    limits:\\n      message-burst: 5\\n|users.yaml:4:22: roles[0].limits.message-burst: needs messages-per-second",
            "users:\\n  - username: a\\n    limits:\\n      max-packet-size: 0\\n|users.yaml:4:24: users[0].limits.max-packet-size: must be between 1 and 268435455 bytes (was 0)",
            "users:\\n  - username: a\\n    limits:\\n      disconnect-after: soon\\n|users.yaml:4:25: users[0].limits.disconnect-after: must be a duration such as 30, 500ms, 30s, 5m or 1h (was soon)",
            "users:\\n  - username: a\\n    limits: 10\\n|users.yaml:3:13: users[0].limits: expected a mapping, found a number '10'",
    })
    void parse_invalid_reportsFileLineColumnPathAndReason(String yaml, String expected) {
        assertThatThrownBy(() -> parse(yaml.replace("\\n", "\n")))
                .isInstanceOf(FileRealmException.class)
                .hasMessageStartingWith(expected);
    }

    @Test
    void parse_absurdHashParameters_refusedAtLoad() {
        assertThatThrownBy(() -> parse("""
                users:
                  - username: a
                    password: "$2b$31$abcdefghijklmnopqrstuu23JPZtHcGhwXSF41f93o/7vBdDut3Xu"
                """))
                .isInstanceOf(FileRealmException.class)
                .hasMessageContaining("users[0].password: password of user 'a': bcrypt cost must be between 4 and 18");
    }

    @Test
    void shippedFiles_areValid() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        RealmContent shipped = RealmFileParser.parse("users.yaml", Files.readAllBytes(root.resolve("config/users.yaml")), HASHER);
        assertThat(shipped.users()).as("shipped with no users").isEmpty();

        RealmContent example = RealmFileParser.parse("users-example.yaml",
                Files.readAllBytes(root.resolve("config/examples/users-example.yaml")), HASHER);
        assertThat(example.users().keySet()).containsExactly("sensor-1", "dashboard", "admin");
        assertThat(example.permissionsOf(example.users().get("dashboard"), List.of())).hasSize(3);
    }
}
