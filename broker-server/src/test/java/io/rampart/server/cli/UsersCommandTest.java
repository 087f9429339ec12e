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
