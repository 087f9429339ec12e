package io.rampart.server.cli;

import io.rampart.security.hash.PasswordHasher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

class UsersCommandTest {

    @TempDir
    Path dir;
    private Path config;

    @BeforeEach
    void writeConfig() throws Exception {
        config = dir.resolve("broker.yaml");
        Files.writeString(config, """
                data-dir: "%s"
                listeners:
                  - {type: tcp, name: t, port: 0}
                security:
                  realms:
                    - {name: db, type: sql}
                    - {name: f, type: file, path: "%s"}
                """.formatted(dir.resolve("data"), dir.resolve("users.yaml")));
    }

    private CliRun users(String stdin, String... args) {
        String[] full = new String[args.length + 4];
        full[0] = "--config";
        full[1] = config.toString();
        full[2] = "--realm";
        full[3] = "db";
        System.arraycopy(args, 0, full, 4, args.length);
        return CliRun.run(new UsersCommand(), stdin, full);
    }

    private String storedHash(String user) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("data/realms/db/rampart"));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT password_hash FROM users WHERE username = '" + user + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void add_createsTheEmbeddedDatabase_andStoresAVerifiableHash() throws Exception {
        CliRun r = users("s3cret-pw\n", "add", "alice", "--roles", "a,b", "--password-stdin");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("added user 'alice' to realm 'db' with roles a, b");
        String hash = storedHash("alice");
        assertThat(hash).startsWith("$pbkdf2-sha512$");
        assertThat(new PasswordHasher().verify("s3cret-pw".toCharArray(), hash)).isTrue();
        assertThat(users("", "list").out()).isEqualTo("alice\tenabled\ta,b\n");
    }

    @Test
    void add_existingUser_passwdRevokeRemove() throws Exception {
        assertThat(users("pw\n", "add", "bob", "--password-stdin").exitCode()).isZero();

        CliRun again = users("pw\n", "add", "bob", "--password-stdin");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("rampart users add: user 'bob' already exists (use passwd to change its password)\n");

        assertThat(users("new-pw\n", "passwd", "bob", "--algorithm", "argon2id", "--password-stdin").exitCode()).isZero();
        assertThat(storedHash("bob")).startsWith("$argon2id$");
        assertThat(users("", "grant", "bob", "x", "y").exitCode()).isZero();
        assertThat(users("", "revoke", "bob", "x").exitCode()).isZero();
        assertThat(users("", "list").out()).isEqualTo("bob\tenabled\ty\n");
        assertThat(users("", "disable", "bob").out()).isEqualTo("disabled 'bob'\n");
        assertThat(users("", "list").out()).isEqualTo("bob\tdisabled\ty\n");
        assertThat(users("", "enable", "bob").exitCode()).isZero();
        assertThat(users("", "list").out()).isEqualTo("bob\tenabled\ty\n");
        assertThat(users("", "remove", "bob").exitCode()).isZero();
        assertThat(users("", "list").out()).isEmpty();
        CliRun missing = users("", "remove", "bob");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no user 'bob'");
    }

    @Test
    void permitForbidPermissionsAndRemovePermission_onRolesAndUsers() {
        assertThat(users("pw\n", "add", "bob", "--password-stdin").exitCode()).isZero();

        CliRun permit = users("", "permit", "--role", "sensors", "--activity", "publish", "--qos", "0,1", "--no-retain",
                "devices/${mqtt-clientid}/#");
        assertThat(permit.exitCode()).as(permit.err()).isZero();
        assertThat(permit.out()).isEqualTo("added permission 1 to role 'sensors' (new role): allow publish"
                + " 'devices/${mqtt-clientid}/#' qos=0,1 retain=false shared-subscription=true share-groups=any\n");
        assertThat(users("", "permit", "--user", "bob", "--activity", "subscribe", "--share-groups", "g2,g1",
                "--description", "dashboard feeds", "feeds/#").exitCode()).isZero();
        CliRun forbid = users("", "forbid", "--role", "sensors", "devices/+/secret/#");
        assertThat(forbid.out()).isEqualTo("added permission 3 to role 'sensors': deny all 'devices/+/secret/#'"
                + " qos=0,1,2\n");

        assertThat(users("", "permissions").out()).isEqualTo("""
                1\trole:sensors\tallow\tpublish\tdevices/${mqtt-clientid}/#\tqos=0,1\tretain=false\tshared-subscription=true\tshare-groups=any
                3\trole:sensors\tdeny\tall\tdevices/+/secret/#\tqos=0,1,2
                2\tuser:bob\tallow\tsubscribe\tfeeds/#\tqos=0,1,2\tretain=true\tshared-subscription=true\tshare-groups=g1,g2\tdescription=dashboard feeds
                """);
        assertThat(users("", "permissions", "--user", "bob").out()).startsWith("2\tuser:bob\t").hasLineCount(1);

        CliRun removed = users("", "remove-permission", "1");
        assertThat(removed.out()).isEqualTo("removed permission 1 from role 'sensors': allow publish"
                + " 'devices/${mqtt-clientid}/#' qos=0,1 retain=false shared-subscription=true share-groups=any\n");
        assertThat(users("", "permissions", "--role", "sensors").out()).isEqualTo(
                "3\trole:sensors\tdeny\tall\tdevices/+/secret/#\tqos=0,1,2\n");
        CliRun again = users("", "remove-permission", "1");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("rampart users remove-permission: no permission with id 1\n");
    }

    @Test
    void permitAndForbid_clientIdRules() {
        assertThat(users("pw\n", "add", "bob", "--password-stdin").exitCode()).isZero();

        CliRun permit = users("", "permit", "--role", "sensors", "--client-id", "${mqtt-username}-*");
        assertThat(permit.exitCode()).as(permit.err()).isZero();
        assertThat(permit.out()).isEqualTo("added permission 1 to role 'sensors' (new role): allow client-id"
                + " '${mqtt-username}-*'\n");
        assertThat(users("", "forbid", "--user", "bob", "--client-id", "*-admin", "--description", "no admin ids")
                .exitCode()).isZero();
        assertThat(users("", "permissions").out()).isEqualTo("""
                1\trole:sensors\tallow\tclient-id\t${mqtt-username}-*
                2\tuser:bob\tdeny\tclient-id\t*-admin\tdescription=no admin ids
                """);

        assertThat(users("", "permit", "--role", "sensors", "--client-id", "x-${bad").err())
                .startsWith("rampart users permit: not added: ");
        assertThat(users("", "permit", "--role", "sensors", "--client-id", "a-*", "a/#").err())
                .contains("give either a TOPIC_FILTER or --client-id, not both");
        assertThat(users("", "permit", "--role", "sensors", "--client-id", "a-*", "--qos", "1").err())
                .contains("--qos applies to topic rules, not to --client-id");
        assertThat(users("", "permit", "--role", "sensors").err())
                .contains("give a TOPIC_FILTER, or --client-id PATTERN for a client-id rule");
        assertThat(users("", "permissions").out().lines()).hasSize(2);
    }

    @Test
    void permit_isValidatedLikeTheRealmReadsIt_andNothingIsWrittenWhenRefused() {
        assertThat(users("", "permit", "--role", "r", "ok/#").exitCode()).isZero();
        String before = users("", "permissions").out();

        assertThat(users("", "permit", "--role", "r", "a/#/b").err())
                .startsWith("rampart users permit: not added, the realm would skip this rule: topic_filter 'a/#/b': ");
        assertThat(users("", "permit", "--role", "r", "$share/g/x").err())
                .contains("topic_filter: write the plain filter, not $share/...; use shared_subscription and share_groups");
        assertThat(users("", "permit", "--role", "r", "x/${unclosed").err()).contains("topic_filter 'x/${unclosed'");
        assertThat(users("", "permit", "--role", "r", "--share-groups", "a/b", "x/#").err())
                .contains("share_groups: a group may not contain '/', '+' or '#'");
        assertThat(users("", "permit", "--role", "r", "--no-shared-subscription", "--share-groups", "g", "x/#").err())
                .contains("share_groups given but shared_subscription is false");
        assertThat(users("", "permit", "--role", "r", "--qos", "3", "x/#").err())
                .isEqualTo("rampart users permit: --qos takes 0, 1 and 2 (was '3')\n");
        assertThat(users("", "forbid", "--role", "r", "--activity", "read", "x/#").err())
                .isEqualTo("rampart users forbid: --activity must be publish, subscribe or all (was 'read')\n");
        assertThat(users("", "permit", "--user", "nobody", "x/#").err())
                .isEqualTo("rampart users permit: no user 'nobody'\n");
        assertThat(users("", "permit", "--role", "r", "--user", "u", "x/#").exitCode()).isEqualTo(1);
        assertThat(users("", "permit", "x/#").exitCode()).isEqualTo(1);
        assertThat(users("", "forbid", "--role", "r", "--no-retain", "x/#").exitCode()).isEqualTo(1);

        assertThat(users("", "permissions").out()).isEqualTo(before);
    }

    @Test
    void password_isNeverAnArgument_andWithoutATerminalStdinMustBeAskedFor() {
        CliRun noFlag = users("pw\n", "add", "carol");
        assertThat(noFlag.exitCode()).isEqualTo(1);
        assertThat(noFlag.err()).contains("--password-stdin");

        CliRun asArgument = users("", "add", "carol", "pw");
        assertThat(asArgument.exitCode()).isEqualTo(1);

        CliRun empty = users("\n", "add", "carol", "--password-stdin");
        assertThat(empty.exitCode()).isEqualTo(1);
        assertThat(empty.err()).contains("empty password refused");
    }

    @Test
    void wrongRealm_isExplained() {
        CliRun file = CliRun.run(new UsersCommand(), "", "--config", config.toString(), "--realm", "f", "list");
        assertThat(file.exitCode()).isEqualTo(1);
        assertThat(file.err()).contains("realm 'f'").contains("is of type file, not sql (use 'rampart passwd')");

        CliRun none = CliRun.run(new UsersCommand(), "", "--config", config.toString(), "--realm", "nope", "list");
        assertThat(none.err()).contains("no realm named 'nope'");
    }
}
