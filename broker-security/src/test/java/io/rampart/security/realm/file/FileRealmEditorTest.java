package io.rampart.security.realm.file;

import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.realm.admin.RealmEditException;
import io.rampart.security.realm.admin.RealmEditor;
import io.rampart.security.realm.admin.RealmRole;
import io.rampart.security.realm.admin.RealmUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileRealmEditorTest {

    private static final String HASH = new PasswordHasher().hash("a-long-password".toCharArray());

    @TempDir
    Path dir;

    private FileRealm realm;

    @AfterEach
    void close() {
        if (realm != null) {
            realm.close();
        }
    }

    private RealmEditor editor(String content) throws Exception {
        Path file = dir.resolve("users.yaml");
        Files.writeString(file, content);
        realm = new FileRealm(new FileRealmSettings("devices", file, false), null);
        return realm.editor();
    }

    private String file() throws Exception {
        return Files.readString(dir.resolve("users.yaml"));
    }

    private static final String FILE = """
            # Devices of plant 7.
            users:
              # the first sensor
              - username: sensor-1
                password: "%1$s"   # set with rampart passwd
                roles: [sensors]

              - {username: sensor-2, password: "%1$s", roles: [sensors]}

            # Roles below.
            roles:
              - name: sensors
                permissions:
                  - topic: "devices/${mqtt-clientid}/#"   # own subtree
                    activity: publish
              - name: ops
            """.formatted(HASH);

    @Test
    void addUser_keepsEveryCommentAndEntry_andTheRealmUsesItAtOnce() throws Exception {
        RealmEditor editor = editor(FILE);
        AtomicInteger rechecks = new AtomicInteger();
        realm.onChange(rechecks::incrementAndGet);

        editor.createUser(new RealmUser("sensor-3", false, true, List.of("sensors"),
                List.of(Permission.allow("extra/#", Activity.SUBSCRIBE)), List.of(AdminGrantSpec.template("viewer"))),
                HASH);

        String text = file();
        assertThat(text).startsWith(FILE.substring(0, FILE.indexOf("# Roles below.")).stripTrailing())
                .endsWith(FILE.substring(FILE.indexOf("\n# Roles below.")))
                .contains("- {username: sensor-3, password: \"" + HASH + "\", roles: [sensors], permissions: "
                        + "[{topic: \"extra/#\", activity: subscribe}], admin-permissions: [viewer]}");
        assertThat(realm.users()).containsExactly("sensor-1", "sensor-2", "sensor-3");
        assertThat(rechecks).as("live sessions re-checked").hasValue(1);
        RealmUser read = editor.user("sensor-3").orElseThrow();
        assertThat(read.permissions()).containsExactly(Permission.allow("extra/#", Activity.SUBSCRIBE));
        assertThat(read.permissions().get(0).origin().line()).isEqualTo(9);
        assertThat(read.adminPermissions()).extracting(AdminGrantSpec::template).containsExactly("viewer");
    }

    @Test
    void changeBlockUser_keepsItsPasswordUnknownKeysAndStyle_andOnlyItsOwnLinesChange() throws Exception {
        RealmEditor editor = editor(FILE);
        editor.updateUser(new RealmUser("sensor-1", true, true, List.of("sensors", "ops"),
                List.of(Permission.deny("devices/secret/#", Activity.ALL)), List.of()));

        assertThat(file()).isEqualTo(FILE.replace("""
                  - username: sensor-1
                    password: "%1$s"   # set with rampart passwd
                    roles: [sensors]
                """.formatted(HASH), """
                  - username: sensor-1
                    password: "%1$s"
                    roles: [sensors, ops]
                    permissions:
                      - {topic: "devices/secret/#", effect: deny}
                """.formatted(HASH)));
        assertThat(editor.user("sensor-1").orElseThrow().roles()).containsExactly("sensors", "ops");
    }

    @Test
    void limits_ofAChangedUserAndRole_areKept() throws Exception {
        String withLimits = FILE.replace("    roles: [sensors]\n\n", """
                    roles: [sensors]
                    limits:
                      messages-per-second: 5   # per sensor
                      max-packet-size: 64KB

                """).replace("  - name: ops\n", """
                  - name: ops
                    limits: {messages-per-second: 100}
                """);
        RealmEditor editor = editor(withLimits);
        editor.updateUser(new RealmUser("sensor-1", true, true, List.of("ops"), List.of(), List.of()));
        editor.updateRole(new RealmRole("ops", List.of(Permission.allow("ops/#", Activity.ALL)), List.of()));

        assertThat(file()).contains("""
                  - username: sensor-1
                    password: "%1$s"
                    roles: [ops]
                    limits:
                      messages-per-second: 5
                      max-packet-size: "64KB"
                """.formatted(HASH)).contains("""
                  - name: ops
                    limits:
                      messages-per-second: 100
                    permissions:
                      - {topic: "ops/#"}
                """);
    }

    @Test
    void flowEntry_staysOneLine_andPasswordCanBeSetAndRemoved() throws Exception {
        RealmEditor editor = editor(FILE);
        String other = new PasswordHasher().hash("another-password".toCharArray());
        editor.setPassword("sensor-2", other);
        assertThat(file()).contains("  - {username: sensor-2, password: \"" + other + "\", roles: [sensors]}\n");
        editor.setPassword("sensor-2", null);
        assertThat(file()).contains("  - {username: sensor-2, roles: [sensors]}\n");
        assertThat(editor.user("sensor-2").orElseThrow().hasPassword()).isFalse();
    }

    @Test
    void deleteRole_takesItFromItsUsers_andDeleteUserRemovesItsLines() throws Exception {
        RealmEditor editor = editor(FILE);
        editor.deleteRole("sensors");
        assertThat(realm.roles()).containsExactly("ops");
        assertThat(editor.user("sensor-1").orElseThrow().roles()).isEmpty();
        assertThat(file()).contains("  - {username: sensor-2, password: \"" + HASH + "\"}\n")
                .contains("# the first sensor").doesNotContain("own subtree");

        editor.deleteUser("sensor-2");
        assertThat(realm.users()).containsExactly("sensor-1");
        assertThat(file()).doesNotContain("sensor-2").contains("# Roles below.");
    }

    @Test
    void roles_areCreatedAndChanged_withTheirAdminPermissions() throws Exception {
        RealmEditor editor = editor(FILE);
        AdminGrantSpec scoped = new AdminGrantSpec(null, List.of("clients:read", "clients:disconnect"), "site-a/*",
                null, null);
        editor.createRole(new RealmRole("site-a", List.of(Permission.clientId("site-a-*", Effect.ALLOW)),
                List.of(scoped)));
        assertThat(file()).contains("  - name: site-a\n    permissions:\n      - {client-id: \"site-a-*\"}\n"
                + "    admin-permissions:\n      - {permissions: [\"clients:read\", \"clients:disconnect\"], clients:"
                + " \"site-a/*\"}\n");
        RealmRole read = editor.role("site-a").orElseThrow();
        assertThat(read.adminPermissions()).hasSize(1);
        assertThat(read.adminPermissions().get(0).clients()).isEqualTo("site-a/*");

        editor.updateRole(new RealmRole("ops", List.of(new Permission("ops/#", Activity.ALL, 0b011, false, true,
                Set.of("g"), Effect.ALLOW)), List.of()));
        assertThat(file()).contains("  - name: ops\n    permissions:\n      - {topic: \"ops/#\", qos: [0, 1], retain:"
                + " false, share-groups: [g]}\n");
        assertThat(editor.roles(null, 10)).extracting(RealmRole::name).containsExactly("ops", "sensors", "site-a");
        assertThat(editor.roles("ops", 1)).extracting(RealmRole::name).containsExactly("sensors");
    }

    @Test
    void refusals_nameTheProblem_andLeaveTheFileAlone() throws Exception {
        RealmEditor editor = editor(FILE);
        assertThatThrownBy(() -> editor.createUser(new RealmUser("sensor-1", false, true, List.of(), List.of(),
                List.of()), null)).isInstanceOfSatisfying(RealmEditException.class,
                e -> assertThat(e.kind()).isEqualTo(RealmEditException.Kind.EXISTS));
        assertThatThrownBy(() -> editor.createUser(new RealmUser("x", false, true, List.of("sensors", "nope"),
                List.of(), List.of()), null)).isInstanceOfSatisfying(RealmEditException.class, e -> {
            assertThat(e.kind()).isEqualTo(RealmEditException.Kind.INVALID);
            assertThat(e.field()).isEqualTo("roles[1]");
        });
        assertThatThrownBy(() -> editor.deleteUser("nobody")).isInstanceOfSatisfying(RealmEditException.class,
                e -> assertThat(e.kind()).isEqualTo(RealmEditException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> editor.updateUser(new RealmUser("sensor-1", true, false, List.of(), List.of(),
                List.of()))).isInstanceOfSatisfying(RealmEditException.class,
                e -> assertThat(e.field()).isEqualTo("enabled"));
        assertThat(file()).isEqualTo(FILE);

        Files.writeString(dir.resolve("users.yaml"), FILE + "oops: 1\n");
        assertThatThrownBy(() -> editor.deleteUser("sensor-1")).isInstanceOfSatisfying(RealmEditException.class,
                e -> {
                    assertThat(e.kind()).isEqualTo(RealmEditException.Kind.CONFLICT);
                    assertThat(e.getMessage()).contains("oops: unknown key");
                });
    }

    @Test
    void emptyAndMissingLists_getTheirFirstEntry() throws Exception {
        RealmEditor editor = editor("# nothing yet\n");
        editor.createRole(new RealmRole("r", List.of(), List.of()));
        editor.createUser(new RealmUser("u", false, true, List.of("r"), List.of(), List.of()), null);
        assertThat(file()).isEqualTo("# nothing yet\nroles:\n  - name: r\n\nusers:\n  - username: u\n    roles: [r]\n");
        assertThat(realm.users()).containsExactly("u");

        RealmEditor second = editor("# header\nusers: []\nroles: []\n");
        second.createUser(new RealmUser("v", false, true, List.of(), List.of(), List.of()), null);
        second.createRole(new RealmRole("w", List.of(), List.of()));
        assertThat(realm.users()).containsExactly("v");
        assertThat(realm.roles()).containsExactly("w");
        assertThat(file()).as("written again as a whole, the header kept").startsWith("# header\n\n");
    }
}
