package io.rampart.security.realm.file;

import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Grant;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rampart.security.realm.file.RealmFiles.BASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class FileRealmTest {

    @TempDir
    Path dir;

    private Path file;
    private ScheduledExecutorService scheduler;
    private final List<FileRealm> realms = new ArrayList<>();
    private final AtomicInteger verifications = new AtomicInteger();
    private final PasswordHasher hasher = new PasswordHasher(PasswordHasher.DEFAULT_ALGORITHM, true);

    @BeforeEach
    void setUp() {
        file = dir.resolve("users.yaml");
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void tearDown() {
        realms.forEach(FileRealm::close);
        scheduler.shutdownNow();
    }

    private FileRealm realm(String content, boolean allowPlaintext, Duration cacheTtl) throws FileRealmException {
        RealmFiles.write(file, content);
        FileRealm realm = new FileRealm(
                new FileRealmSettings("users", file, allowPlaintext, cacheTtl, Duration.ofMillis(200)), scheduler,
                (password, encoded) -> {
                    verifications.incrementAndGet();
                    return hasher.verify(password, encoded);
                });
        realms.add(realm);
        return realm;
    }

    private FileRealm realm(String content) throws FileRealmException {
        return realm(content, false, Duration.ofSeconds(60));
    }

    private static Decision<Identity> login(AuthenticationManager manager, String username, String password) {
        IdentityVariables v = new IdentityVariables().set(IdentityVariables.CLIENT_ID, "c1");
        if (username != null) {
            v.set(IdentityVariables.USERNAME, username);
        }
        byte[] pw = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
        return manager.authenticate(new AuthenticationRequest(v.freeze(), pw)).toCompletableFuture().join();
    }

    private static Decision<List<Permission>> authorize(AuthorizationManager manager, Identity identity) {
        return grant(manager, identity).map(Grant::permissions);
    }

    private static Decision<Grant> grant(AuthorizationManager manager, Identity identity) {
        return manager.authorize(identity, new IdentityVariables().freeze()).toCompletableFuture().join();
    }

    private static Identity foreign(String name, String... roles) {
        return new Identity(name, Set.of(roles), List.of(), Map.of(), "x509", "certs");
    }

    @Test
    void authenticate_rightPassword_allowsWithRolesAndNames() throws Exception {
        AuthenticationManager auth = realm(BASE).passwordAuthenticator("file-auth");

        Decision<Identity> d = login(auth, "sensor-1", "s1-secret");

        assertThat(d).isInstanceOf(Decision.Allow.class);
        Identity id = ((Decision.Allow<Identity>) d).value();
        assertThat(id).isEqualTo(Identity.userOf("users", "file-auth", "sensor-1", Set.of("sensors"), Map.of()));
        assertThat(auth.name()).isEqualTo("file-auth");
        assertThat(auth.realm()).isEqualTo("users");
    }

    @Test
    void authenticate_unknownUserOrWrongPassword_deniesBadCredentials() throws Exception {
        AuthenticationManager auth = realm(BASE).passwordAuthenticator("file-auth");

        assertThat(login(auth, "nobody", "x"))
                .isEqualTo(Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "unknown user 'nobody'"));
        assertThat(login(auth, "sensor-1", "wrong"))
                .isEqualTo(Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "wrong password for 'sensor-1'"));
        assertThat(login(auth, "sensor-1", null)).isInstanceOf(Decision.Deny.class);
        assertThat(login(auth, "admin", "s1-secret")).isInstanceOf(Decision.Deny.class);
    }

    @Test
    void authenticate_noUsername_hasNoOpinion() throws Exception {
        AuthenticationManager auth = realm(BASE).passwordAuthenticator("file-auth");

        assertThat(login(auth, null, "s1-secret")).isInstanceOf(Decision.NoOpinion.class);
    }

    @Test
    void authorize_realmUser_getsOwnPermissionsThenRolePermissions() throws Exception {
        AuthorizationManager authz = realm(BASE).roleAuthorizer("file-authz");
        Identity sensor = ((Decision.Allow<Identity>) login(realm(BASE).passwordAuthenticator("a"), "sensor-1",
                "s1-secret")).value();

        Decision<List<Permission>> d = authorize(authz, sensor);

        assertThat(d).isEqualTo(Decision.allow(List.of(
                new Permission("devices/${mqtt-clientid}/#", Activity.PUBLISH, 0b011, false, true, Set.of(), Effect.ALLOW),
                Permission.allow("config/${mqtt-username}", Activity.SUBSCRIBE))));
    }

    @Test
    void authorize_userWithSeveralRoles_mergesInFileOrder() throws Exception {
        AuthorizationManager authz = realm(BASE).roleAuthorizer("file-authz");

        Decision<List<Permission>> d = authorize(authz, foreign("admin"));

        assertThat(d).isEqualTo(Decision.allow(List.of(
                Permission.allow("#", Activity.ALL),
                Permission.deny("secret/#", Activity.ALL),
                Permission.allow("config/${mqtt-username}", Activity.SUBSCRIBE))));
    }

    @Test
    void authorize_foreignIdentityWithKnownRole_getsThatRolesPermissionsOnly() throws Exception {
        AuthorizationManager authz = realm(BASE).roleAuthorizer("file-authz");

        assertThat(authorize(authz, foreign("CN=device-9", "sensors", "not-here")))
                .isEqualTo(Decision.allow(List.of(Permission.allow("config/${mqtt-username}", Activity.SUBSCRIBE))));
        assertThat(authorize(authz, foreign("CN=device-9", "not-here"))).isInstanceOf(Decision.NoOpinion.class);
        assertThat(authorize(authz, foreign("stranger"))).isInstanceOf(Decision.NoOpinion.class);
    }

    private static Identity loggedIn(FileRealm realm, String username, String password) {
        return ((Decision.Allow<Identity>) login(realm.passwordAuthenticator("file-auth"), username, password)).value();
    }

    private static final Permission SENSOR_OWN =
            new Permission("devices/${mqtt-clientid}/#", Activity.PUBLISH, 0b011, false, true, Set.of(), Effect.ALLOW);
    private static final Permission SENSORS_ROLE = Permission.allow("config/${mqtt-username}", Activity.SUBSCRIBE);

    @Test
    void authorize_ownUser_getsTheRolesOfTheFileInForce_notThoseItLoggedInWith() throws Exception {
        FileRealm realm = realm(BASE);
        AuthorizationManager authz = realm.roleAuthorizer("file-authz");
        Identity sensor = loggedIn(realm, "sensor-1", "s1-secret");
        assertThat(sensor.rolesRealm()).isEqualTo("users");
        assertThat(authorize(authz, sensor)).isEqualTo(Decision.allow(List.of(SENSOR_OWN, SENSORS_ROLE)));

        RealmFiles.write(file, BASE.replace("    roles: [sensors]\n", ""));
        assertThat(realm.reload()).isTrue();

        assertThat(sensor.roles()).containsExactly("sensors");
        assertThat(authorize(authz, sensor)).isEqualTo(Decision.allow(List.of(SENSOR_OWN)));
    }

    @Test
    void authorize_ownUserRemovedFromTheFile_isDenied_otherIdentitiesOfThatNameAreNot() throws Exception {
        FileRealm realm = realm(BASE);
        AuthorizationManager authz = realm.roleAuthorizer("file-authz");
        Identity sensor = loggedIn(realm, "sensor-1", "s1-secret");

        RealmFiles.write(file, BASE.replaceAll("(?s)  - username: sensor-1.*?(  - username: admin)", "$1"));
        assertThat(realm.reload()).isTrue();

        assertThat(authorize(authz, sensor)).isEqualTo(Decision.deny(Decision.DenyKind.NOT_AUTHORIZED,
                "'sensor-1' is no longer a user of realm 'users'"));
        // A certificate named like the removed user keeps what its own roles give it, and no more.
        assertThat(authorize(authz, foreign("sensor-1", "sensors"))).isEqualTo(Decision.allow(List.of(SENSORS_ROLE)));
        assertThat(authorize(authz, foreign("sensor-1"))).isInstanceOf(Decision.NoOpinion.class);
    }

    @Test
    void authorize_certificateNamedLikeAUser_getsThatUsersCurrentRoles_atConnectAndAfterAReload() throws Exception {
        FileRealm realm = realm(BASE);
        AuthorizationManager authz = realm.roleAuthorizer("file-authz");
        Identity certificate = foreign("sensor-1");
        assertThat(certificate.rolesRealm()).isNull();
        assertThat(authorize(authz, certificate)).isEqualTo(Decision.allow(List.of(SENSOR_OWN, SENSORS_ROLE)));

        RealmFiles.write(file, BASE.replace("    roles: [sensors]\n", ""));
        assertThat(realm.reload()).isTrue();

        assertThat(authorize(authz, certificate)).isEqualTo(Decision.allow(List.of(SENSOR_OWN)));
    }

    @Test
    void authorize_roleDeletedFromTheFile_grantsNothingToIdentitiesCarryingIt() throws Exception {
        FileRealm realm = realm(BASE);
        AuthorizationManager authz = realm.roleAuthorizer("file-authz");
        Identity token = foreign("CN=device-9", "admins");
        assertThat(authorize(authz, token)).isInstanceOf(Decision.Allow.class);

        RealmFiles.write(file, BASE.replace("roles: [admins, sensors]", "roles: [sensors]")
                .replaceAll("(?s)  - name: admins.*", ""));
        assertThat(realm.reload()).isTrue();

        assertThat(authorize(authz, token)).isInstanceOf(Decision.NoOpinion.class);
    }

    @Test
    void authorize_grantsTheStrictestLimitsOfTheUserAndItsRoles_andAReloadChangesThem() throws Exception {
        String withLimits = BASE.replace("  - name: sensors\n    permissions:",
                "  - name: sensors\n    limits:\n      messages-per-second: 10\n      deliveries-per-second: 100\n"
                        + "    permissions:")
                .replace("  - name: admins\n    permissions:",
                        "  - name: admins\n    limits:\n      messages-per-second: 5000\n      max-packet-size: 64KB\n"
                                + "    permissions:");
        FileRealm realm = realm(withLimits);
        AuthorizationManager authz = realm.roleAuthorizer("file-authz");

        IdentityLimits admin = limits(grant(authz, loggedIn(realm, "admin", "admin-secret")));
        assertThat(admin.publish()).isEqualTo(new IdentityLimits.Rate(10, 10));
        assertThat(admin.deliver()).isEqualTo(new IdentityLimits.Rate(100, 100));
        assertThat(admin.maxPacketSize()).isEqualTo(65_536);
        assertThat(limits(grant(authz, foreign("CN=gw", "admins"))).publish()).isEqualTo(new IdentityLimits.Rate(5000, 5000));
        assertThat(limits(grant(authz, foreign("CN=gw", "unknown", "sensors"))).publish())
                .isEqualTo(new IdentityLimits.Rate(10, 10));

        RealmFiles.write(file, withLimits.replace("messages-per-second: 10\n", "messages-per-second: 20\n"));
        assertThat(realm.reload()).isTrue();

        assertThat(limits(grant(authz, loggedIn(realm, "admin", "admin-secret"))).publish())
                .isEqualTo(new IdentityLimits.Rate(20, 20));
        assertThat(limits(grant(authz, loggedIn(realm, "sensor-1", "s1-secret"))).maxPacketSize()).isZero();
    }

    private static IdentityLimits limits(Decision<Grant> decision) {
        assertThat(decision).isInstanceOf(Decision.Allow.class);
        return ((Decision.Allow<Grant>) decision).value().limits();
    }

    @Test
    void refresh_readsTheUsersCurrentRoles_andRefusesARemovedUser() throws Exception {
        FileRealm realm = realm(BASE);
        AuthenticationManager auth = realm.passwordAuthenticator("file-auth");
        Identity admin = loggedIn(realm, "admin", "admin-secret");
        IdentityVariables none = new IdentityVariables().freeze();

        RealmFiles.write(file, BASE.replace("roles: [admins, sensors]", "roles: [sensors]"));
        assertThat(realm.reload()).isTrue();
        assertThat(auth.refresh(admin, none).toCompletableFuture().join())
                .isEqualTo(Decision.allow(admin.withRoles(Set.of("sensors"))));

        RealmFiles.write(file, BASE.replaceAll("(?s)  - username: admin.*?(roles:\n  - name)", "$1"));
        assertThat(realm.reload()).isTrue();
        assertThat(auth.refresh(admin, none).toCompletableFuture().join()).isEqualTo(Decision.deny(
                Decision.DenyKind.NOT_AUTHORIZED, "'admin' is no longer a user of realm 'users'"));
    }

    @Test
    void recheck_notifiesTheListeners_evenWhenTheFileIsUnchanged() throws Exception {
        FileRealm realm = realm(BASE);
        AtomicInteger changes = new AtomicInteger();
        realm.passwordAuthenticator("file-auth").onChange(changes::incrementAndGet);

        realm.recheck();

        assertThat(changes).hasValue(1);
    }

    @Test
    void hotReload_addedUserCanLogIn_removedUserLeavesUsers_listenersNotified() throws Exception {
        FileRealm realm = realm(BASE);
        AuthenticationManager auth = realm.passwordAuthenticator("file-auth");
        AtomicInteger changes = new AtomicInteger();
        realm.roleAuthorizer("file-authz").onChange(changes::incrementAndGet);
        assertThat(login(auth, "new-user", "new-secret")).isInstanceOf(Decision.Deny.class);

        RealmFiles.write(file, BASE.replace("  - username: admin", "  - username: new-user\n"
                + "    password: \"" + RealmFiles.NEW_SECRET_HASH + "\"\n  - username: admin"));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> login(auth, "new-user", "new-secret") instanceof Decision.Allow);
        assertThat(realm.users()).containsExactly("sensor-1", "new-user", "admin");
        assertThat(changes).hasValue(1);

        RealmFiles.write(file, """
                users:
                  - username: new-user
                    password: "%s"
                """.formatted(RealmFiles.NEW_SECRET_HASH));

        await().atMost(Duration.ofSeconds(10)).until(() -> realm.users().equals(Set.of("new-user")));
        assertThat(changes).hasValue(2);
        assertThat(login(auth, "sensor-1", "s1-secret")).isInstanceOf(Decision.Deny.class);
        assertThat(realm.roles()).isEmpty();
    }

    @Test
    void hotReload_invalidEdit_keepsPreviousContentAndLogsLineAndReason() throws Exception {
        FileRealm realm = realm(BASE);
        AuthenticationManager auth = realm.passwordAuthenticator("file-auth");
        try (LogCapture log = new LogCapture("io.rampart.security.realm.file")) {
            RealmFiles.write(file, BASE.replace("config/${mqtt-username}", "config/#/bad"));

            await().atMost(Duration.ofSeconds(10)).until(() -> log.messages().stream()
                    .anyMatch(m -> m.startsWith("ERROR") && m.contains("not reloaded")));
            String line = log.messages().stream().filter(m -> m.startsWith("ERROR")).findFirst().orElseThrow();
            assertThat(line).contains(file + ":16:")
                    .contains("roles[0].permissions[0].topic")
                    .contains("invalid topic filter");
        }
        assertThat(login(auth, "sensor-1", "s1-secret")).isInstanceOf(Decision.Allow.class);
        assertThat(realm.users()).containsExactly("sensor-1", "admin");
        assertThatThrownBy(realm::reload).isInstanceOf(FileRealmException.class)
                .satisfies(e -> assertThat(((FileRealmException) e).line()).isEqualTo(16));

        RealmFiles.write(file, BASE.replace("  - username: admin", "  - username: admin2"));
        await().atMost(Duration.ofSeconds(10)).until(() -> realm.users().contains("admin2"));
    }

    @Test
    void reload_unchangedFile_reportsNoChange() throws Exception {
        FileRealm realm = realm(BASE);
        AtomicInteger changes = new AtomicInteger();
        realm.onChange(changes::incrementAndGet);

        assertThat(realm.reload()).isFalse();
        assertThat(changes).hasValue(0);
    }

    @Test
    void credentialCache_repeatedLogin_skipsTheHash() throws Exception {
        AuthenticationManager auth = realm(BASE).passwordAuthenticator("file-auth");

        assertThat(login(auth, "sensor-1", "s1-secret")).isInstanceOf(Decision.Allow.class);
        assertThat(login(auth, "sensor-1", "s1-secret")).isInstanceOf(Decision.Allow.class);
        assertThat(verifications).hasValue(1);

        assertThat(login(auth, "sensor-1", "wrong")).isInstanceOf(Decision.Deny.class);
        assertThat(verifications).as("a different password is verified for real").hasValue(2);
    }

    @Test
    void credentialCache_changedStoredHash_verifiesAgain() throws Exception {
        FileRealm realm = realm(BASE);
        AuthenticationManager auth = realm.passwordAuthenticator("file-auth");
        assertThat(login(auth, "sensor-1", "s1-secret")).isInstanceOf(Decision.Allow.class);

        RealmFiles.write(file, BASE.replace(RealmFiles.S1_SECRET_HASH, RealmFiles.CHANGED_SECRET_HASH));
        assertThat(realm.reload()).isTrue();

        assertThat(login(auth, "sensor-1", "s1-secret")).isInstanceOf(Decision.Deny.class);
        assertThat(login(auth, "sensor-1", "changed-secret")).isInstanceOf(Decision.Allow.class);
        assertThat(verifications).hasValue(3);
    }

    @Test
    void credentialCache_zeroTtl_alwaysHashes() throws Exception {
        AuthenticationManager auth = realm(BASE, false, Duration.ZERO).passwordAuthenticator("file-auth");

        login(auth, "sensor-1", "s1-secret");
        login(auth, "sensor-1", "s1-secret");

        assertThat(verifications).hasValue(2);
    }

    @Test
    void plaintext_refusedUnlessAllowed() throws Exception {
        String plain = """
                users:
                  - username: dev
                    password: "{plain}dev-secret"
                """;
        assertThatThrownBy(() -> realm(plain))
                .isInstanceOf(FileRealmException.class)
                .hasMessage(file + ":3:15: users[0].password: plaintext password for user 'dev' is not allowed: "
                        + "hash it with 'rampart passwd' or enable allow-plaintext for this realm (development only)");

        try (LogCapture log = new LogCapture("io.rampart.security.realm.file")) {
            AuthenticationManager auth = realm(plain, true, Duration.ofSeconds(60)).passwordAuthenticator("a");
            assertThat(login(auth, "dev", "dev-secret")).isInstanceOf(Decision.Allow.class);
            assertThat(log.messages()).anyMatch(m -> m.startsWith("WARN") && m.contains("plaintext"));
        }
    }

    @Test
    void constructor_missingFile_refuses() {
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> new FileRealm(new FileRealmSettings("users", missing, false), scheduler))
                .isInstanceOf(FileRealmException.class)
                .hasMessage(missing + ": file not found");
    }

    @Test
    void close_stopsWatching() throws Exception {
        FileRealm realm = realm(BASE);
        realm.close();

        RealmFiles.write(file, "users: []\n");
        scheduler.submit(() -> { }).get();

        assertThat(realm.users()).containsExactly("sensor-1", "admin");
    }
}
