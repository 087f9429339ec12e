package io.rampart.server.cli;

import io.rampart.security.hash.HashAlgorithm;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.realm.file.FileRealm;
import io.rampart.security.realm.file.FileRealmSettings;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.IdentityVariables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PasswdCommandTest {

    @TempDir
    Path dir;

    private final PasswordHasher hasher = new PasswordHasher();

    private static Decision<?> login(Path file, String user, String password) throws Exception {
        try (FileRealm realm = new FileRealm(new FileRealmSettings("users", file, false), null)) {
            AuthenticationManager auth = realm.passwordAuthenticator("file");
            IdentityVariables v = new IdentityVariables().set(IdentityVariables.USERNAME, user).freeze();
            return auth.authenticate(new AuthenticationRequest(v, password.getBytes(StandardCharsets.UTF_8)))
                    .toCompletableFuture().join();
        }
    }

    @Test
    void passwd_missingFile_createsItOwnerOnlyWithTheUser() throws Exception {
        Path file = dir.resolve("users.yaml");

        CliRun r = CliRun.run(new PasswdCommand(), "first-secret\n", file.toString(), "alice");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("added user 'alice'");
        assertThat(login(file, "alice", "first-secret")).isInstanceOf(Decision.Allow.class);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void passwd_existingUser_changesPasswordAndKeepsEverythingElse() throws Exception {
        Path file = dir.resolve("users.yaml");
        Files.writeString(file, """
                # Header comment, kept.
                # Second line.

                users:
                  - username: alice
                    password: "%s"
                    roles: [ops]
                    permissions:
                      - topic: "a/${mqtt-clientid}/#"
                        qos: [0, 1]
                        retain: false
                  - username: "007"
                    password: "%s"
                roles:
                  - name: ops
                    permissions:
                      - topic: "#"
                """.formatted(hasher.hash("old".toCharArray(), HashAlgorithm.BCRYPT),
                hasher.hash("bond".toCharArray(), HashAlgorithm.BCRYPT)));

        CliRun r = CliRun.run(new PasswdCommand(), "new-secret\n", "--algorithm", "argon2id", file.toString(), "alice");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("updated user 'alice'");
        assertThat(r.err()).isEmpty();
        String text = Files.readString(file);
        assertThat(text).startsWith("# Header comment, kept.\n# Second line.\n\nusers:\n");
        assertThat(text).contains("$argon2id$").contains("a/${mqtt-clientid}/#").contains("retain: false");
        assertThat(login(file, "alice", "new-secret")).isInstanceOf(Decision.Allow.class);
        assertThat(login(file, "alice", "old")).isInstanceOf(Decision.Deny.class);
        assertThat(login(file, "007", "bond")).as("other users untouched").isInstanceOf(Decision.Allow.class);
        try (FileRealm realm = new FileRealm(new FileRealmSettings("users", file, false), null)) {
            assertThat(realm.users()).containsExactly("alice", "007");
            assertThat(realm.roles()).containsExactly("ops");
        }
    }

    @Test
    void passwd_rolesOption_setsRoles_unknownRoleRefusedAndFileUntouched() throws Exception {
        Path file = dir.resolve("users.yaml");
        Files.writeString(file, "roles:\n  - name: sensors\n    permissions:\n      - topic: s/#\n");

        CliRun ok = CliRun.run(new PasswdCommand(), "pw\n", "--roles", "sensors", file.toString(), "s1");
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        String before = Files.readString(file);
        assertThat(before).contains("roles:\n      - sensors");

        CliRun bad = CliRun.run(new PasswdCommand(), "pw\n", "--roles", "sensors,nope", file.toString(), "s2");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("rampart passwd: not written, the result would be invalid: " + file
                + ": users[1].roles[1]: unknown role 'nope' (define it under 'roles')" + System.lineSeparator());
        assertThat(bad.err().lines()).hasSize(1);
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void passwd_keepPassword_changesOnlyTheRoles_andTheStoredPasswordStillWorks() throws Exception {
        Path file = dir.resolve("users.yaml");
        Files.writeString(file, """
                users:
                  - username: alice
                    password: "%s"
                    roles: [sensors]
                roles:
                  - {name: sensors, permissions: [{topic: "s/#"}]}
                  - {name: ops, permissions: [{topic: "#"}]}
                """.formatted(hasher.hash("alice-pw".toCharArray(), HashAlgorithm.BCRYPT)));

        CliRun r = CliRun.run(new PasswdCommand(), "", "--roles", "ops,sensors", "--keep-password", file.toString(),
                "alice");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("updated the roles of user 'alice'");
        assertThat(Files.readString(file)).contains("roles:\n      - ops\n      - sensors");
        assertThat(login(file, "alice", "alice-pw")).isInstanceOf(Decision.Allow.class);

        CliRun cleared = CliRun.run(new PasswdCommand(), "", "--roles=", "--keep-password", file.toString(), "alice");
        assertThat(cleared.exitCode()).as(cleared.err()).isZero();
        assertThat(Files.readString(file)).doesNotContain("- ops");
        assertThat(login(file, "alice", "alice-pw")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void passwd_keepPassword_refusedForANewUser_withoutRoles_andWithDeleteOrAlgorithm() throws Exception {
        Path file = dir.resolve("users.yaml");
        Files.writeString(file, "roles:\n  - {name: ops, permissions: [{topic: \"#\"}]}\n");
        String before = Files.readString(file);

        CliRun newUser = CliRun.run(new PasswdCommand(), "", "--roles", "ops", "--keep-password", file.toString(), "bob");
        assertThat(newUser.exitCode()).isEqualTo(1);
        assertThat(newUser.err()).isEqualTo("rampart passwd: no user 'bob' in " + file
                + "; a new user needs a password (leave out --keep-password)" + System.lineSeparator());
        assertThat(CliRun.run(new PasswdCommand(), "", "--keep-password", file.toString(), "bob").err())
                .contains("--keep-password changes only the roles: give them with --roles");
        assertThat(CliRun.run(new PasswdCommand(), "", "--delete", "--keep-password", file.toString(), "bob").err())
                .contains("--delete cannot be combined with --keep-password");
        assertThat(CliRun.run(new PasswdCommand(), "", "--algorithm", "bcrypt", "--roles", "ops", "--keep-password",
                file.toString(), "bob").err()).contains("--algorithm cannot be combined with --keep-password");
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void passwd_invalidFile_errorPointsAtTheLineAndColumnOfTheInput() throws Exception {
        Path file = dir.resolve("users.yaml");
        Files.writeString(file, """
                # Users of the plant.

                users:
                  - {username: alice, password: "%s", permissions: [{topic: "a/#/b"}]}
                """.formatted(hasher.hash("pw".toCharArray(), HashAlgorithm.BCRYPT)));
        String before = Files.readString(file);
        int column = before.lines().toList().get(3).indexOf("\"a/#/b\"") + 1;

        CliRun r = CliRun.run(new PasswdCommand(), "bob-pw\n", file.toString(), "bob");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("rampart passwd: not written, " + file + " is invalid: " + file + ":4:" + column
                + ": users[0].permissions[0].topic: ");
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void passwd_brokenEntryOfTheUser_isRepairedByANewPassword() throws Exception {
        Path file = dir.resolve("users.yaml");
        Files.writeString(file, "users:\n  - {username: alice, password: \"$pbkdf2-sha512$broken\"}\n");

        CliRun r = CliRun.run(new PasswdCommand(), "fixed-pw\n", file.toString(), "alice");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(login(file, "alice", "fixed-pw")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void passwd_delete_removesOnlyThatUser() throws Exception {
        Path file = dir.resolve("users.yaml");
        assertThat(CliRun.run(new PasswdCommand(), "a\n", file.toString(), "a").exitCode()).isZero();
        assertThat(CliRun.run(new PasswdCommand(), "b\n", file.toString(), "b").exitCode()).isZero();

        CliRun r = CliRun.run(new PasswdCommand(), "", "--delete", file.toString(), "a");

        assertThat(r.exitCode()).as(r.err()).isZero();
        try (FileRealm realm = new FileRealm(new FileRealmSettings("users", file, false), null)) {
            assertThat(realm.users()).containsExactly("b");
        }
        CliRun again = CliRun.run(new PasswdCommand(), "", "--delete", file.toString(), "a");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("rampart passwd: no user 'a' in " + file + System.lineSeparator());
    }

    @Test
    void passwd_emptyPassword_refusedAndNothingWritten() {
        Path file = dir.resolve("users.yaml");

        CliRun r = CliRun.run(new PasswdCommand(), "\n", file.toString(), "alice");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("rampart passwd: empty password refused" + System.lineSeparator());
        assertThat(file).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).as("no temporary files left").isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void passwd_shippedUsersFile_keepsItsCommentBlockAndLoads() throws Exception {
        Path shipped = Path.of("..", "config", "users.yaml");
        Path file = dir.resolve("users.yaml");
        Files.copy(shipped, file);
        List<String> header = Files.readAllLines(shipped).stream()
                .takeWhile(line -> line.isBlank() || line.startsWith("#")).toList();

        CliRun r = CliRun.run(new PasswdCommand(), "admin-secret\n", file.toString(), "admin");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readAllLines(file)).startsWith(header.toArray(String[]::new));
        assertThat(login(file, "admin", "admin-secret")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void passwd_invalidArguments_exitCode1() {
        Path file = dir.resolve("users.yaml");
        assertThat(CliRun.run(new PasswdCommand(), "pw\n", file.toString()).exitCode()).isEqualTo(1);
        assertThat(CliRun.run(new PasswdCommand(), "pw\n", "--algorithm", "sha1", file.toString(), "a").exitCode())
                .isEqualTo(1);
        assertThat(CliRun.run(new PasswdCommand(), "pw\n", "--delete", "--roles", "x", file.toString(), "a").exitCode())
                .isEqualTo(1);
        assertThat(CliRun.run(new PasswdCommand(), "pw\n", dir.resolve("no/such/dir.yaml").toString(), "a").err())
                .contains("does not exist");
    }

    @Test
    void passwd_commentsBelowHeader_noteOnStderr() throws Exception {
        Path file = dir.resolve("users.yaml");
        Files.writeString(file, "users:\n  # the sensors\n  - username: a\n");

        CliRun r = CliRun.run(new PasswdCommand(), "pw\n", file.toString(), "b");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("note: comments below the top comment block");
    }
}
