package io.rampart.security.realm.sql;

import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.realm.admin.RealmEditException;
import io.rampart.security.realm.admin.RealmEditor;
import io.rampart.security.realm.admin.RealmRole;
import io.rampart.security.realm.admin.RealmUser;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SQL realm's editor against its embedded H2 database, through the realm's own pool. */
class SqlRealmEditorTest {

    @TempDir
    Path dir;

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private SqlRealm realm;

    @AfterEach
    void tearDown() {
        if (realm != null) {
            realm.close();
        }
        timers.shutdownNow();
    }

    private RealmEditor editor() {
        realm = new SqlRealm(new SqlRealmSettings("db", SqlRealmSettings.embeddedUrl(dir, "db"), true, null, null, 2,
                Duration.ofMillis(500), Duration.ofSeconds(1), Map.of(), 100, Duration.ofSeconds(60), Duration.ZERO,
                true), timers);
        return realm.editor();
    }

    private Decision<Identity> login(String user, String password) {
        IdentityVariables v = new IdentityVariables().set(IdentityVariables.USERNAME, user).freeze();
        return realm.authenticator("password-db").authenticate(new AuthenticationRequest(v,
                password.getBytes(StandardCharsets.UTF_8))).toCompletableFuture().join();
    }

    @Test
    void usersAndRoles_roundTrip_withRowIdsAsOrigins_andApplyAtOnce() throws Exception {
        RealmEditor editor = editor();
        AtomicInteger rechecks = new AtomicInteger();
        realm.onChange(rechecks::incrementAndGet);
        String hash = new PasswordHasher().hash("first-password".toCharArray());

        assertThat(login("bob", "first-password")).as("unknown, and remembered as unknown")
                .isInstanceOf(Decision.Deny.class);
        editor.createRole(new RealmRole("sensors", List.of(Permission.allow("devices/#", Activity.PUBLISH)),
                List.of(AdminGrantSpec.template("viewer"))));
        editor.createUser(new RealmUser("bob", false, true, List.of("sensors"),
                List.of(Permission.clientId("bob-*", Effect.ALLOW)),
                List.of(new AdminGrantSpec(null, List.of("clients:read"), "bob-*", null, null))), hash);

        assertThat(login("bob", "first-password")).as("the new user logs in at once").isInstanceOf(Decision.Allow.class);
        assertThat(rechecks.get()).isEqualTo(2);
        RealmUser bob = editor.user("bob").orElseThrow();
        assertThat(bob.hasPassword()).isTrue();
        assertThat(bob.roles()).containsExactly("sensors");
        assertThat(bob.permissions()).containsExactly(Permission.clientId("bob-*", Effect.ALLOW));
        assertThat(bob.permissions().get(0).origin().rowId()).isPositive();
        assertThat(bob.permissions().get(0).origin().holder()).isEqualTo("user 'bob'");
        assertThat(bob.adminPermissions().get(0).permissions()).containsExactly("clients:read");

        Identity identity = Identity.userOf("db", "password-db", "bob", Set.of("sensors"), Map.of());
        List<AdminGrantSpec> admin = realm.adminPermissionsOf(identity).toCompletableFuture().join();
        assertThat(admin).extracting(AdminGrantSpec::template).containsExactly(null, "viewer");
        assertThat(admin.get(1).origin().location()).startsWith("admin_permissions row ");

        long kept = editor.role("sensors").orElseThrow().permissions().get(0).origin().rowId();
        editor.updateRole(new RealmRole("sensors", List.of(Permission.allow("devices/#", Activity.PUBLISH),
                Permission.deny("devices/secret/#", Activity.ALL)), List.of()));
        RealmRole sensors = editor.role("sensors").orElseThrow();
        assertThat(sensors.permissions()).hasSize(2);
        assertThat(sensors.permissions().get(0).origin().rowId()).as("an unchanged rule keeps its row").isEqualTo(kept);
        assertThat(sensors.adminPermissions()).isEmpty();

        editor.setPassword("bob", new PasswordHasher().hash("second-password".toCharArray()));
        assertThat(login("bob", "first-password")).as("the old password stops at once").isInstanceOf(Decision.Deny.class);
        assertThat(login("bob", "second-password")).isInstanceOf(Decision.Allow.class);

        editor.updateUser(new RealmUser("bob", true, false, List.of(), List.of(), List.of()));
        assertThat(editor.user("bob").orElseThrow().enabled()).isFalse();
        assertThat(login("bob", "second-password")).isInstanceOf(Decision.Deny.class);

        editor.deleteRole("sensors");
        assertThat(editor.roles(null, 10)).isEmpty();
        editor.deleteUser("bob");
        assertThat(editor.users(null, 10)).isEmpty();
    }

    @Test
    void paging_andRefusals() throws Exception {
        RealmEditor editor = editor();
        editor.createRole(new RealmRole("r", List.of(), List.of()));
        for (String name : List.of("c", "a", "b")) {
            editor.createUser(new RealmUser(name, false, true, List.of("r"), List.of(), List.of()), null);
        }
        assertThat(editor.users(null, 2)).extracting(RealmUser::name).containsExactly("a", "b");
        assertThat(editor.users("b", 2)).extracting(RealmUser::name).containsExactly("c");
        assertThat(editor.users("a", 5).get(0).roles()).containsExactly("r");

        assertThatThrownBy(() -> editor.createUser(new RealmUser("a", false, true, List.of(), List.of(), List.of()),
                null)).isInstanceOfSatisfying(RealmEditException.class,
                e -> assertThat(e.kind()).isEqualTo(RealmEditException.Kind.EXISTS));
        assertThatThrownBy(() -> editor.updateUser(new RealmUser("a", false, true, List.of("r", "none"), List.of(),
                List.of()))).isInstanceOfSatisfying(RealmEditException.class, e -> {
            assertThat(e.kind()).isEqualTo(RealmEditException.Kind.INVALID);
            assertThat(e.field()).isEqualTo("roles[1]");
        });
        assertThatThrownBy(() -> editor.deleteUser("zz")).isInstanceOfSatisfying(RealmEditException.class,
                e -> assertThat(e.kind()).isEqualTo(RealmEditException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> editor.updateRole(new RealmRole("zz", List.of(), List.of())))
                .isInstanceOfSatisfying(RealmEditException.class,
                        e -> assertThat(e.kind()).isEqualTo(RealmEditException.Kind.NOT_FOUND));
        assertThat(editor.user("a").orElseThrow().roles()).as("a refused change changes nothing").containsExactly("r");
    }
}
