package io.rampart.security.realm.ldap;

import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Grant;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The realm against the example directory in an in-memory LDAP server: binds, searches, groups, rules, outages. */
class LdapRealmTest {

    private static final String BASE = InMemoryDirectory.BASE;
    private static InMemoryDirectory directory;

    @BeforeAll
    static void start() throws Exception {
        directory = new InMemoryDirectory();
        directory.server.add("dn: cn=broken,ou=groups," + BASE, "objectClass: groupOfNames", "cn: broken",
                "member: uid=sensor-2,ou=devices," + BASE, "rampartPermission: allow publish a/#/b");
        directory.server.add("dn: uid=twin-a,ou=people," + BASE, "objectClass: inetOrgPerson", "uid: twin-a",
                "cn: twin", "sn: a", "userPassword: twin-secret");
        directory.server.add("dn: uid=twin-b,ou=people," + BASE, "objectClass: inetOrgPerson", "uid: twin-b",
                "cn: twin", "sn: b", "userPassword: twin-secret");
    }

    @AfterAll
    static void stop() {
        directory.close();
    }

    static LdapRealmSettings.UserLookup template(String objectClass) {
        return new LdapRealmSettings.UserLookup("uid=${mqtt-username},ou=devices," + BASE, null, null, null, objectClass);
    }

    static LdapRealmSettings.UserLookup search(String filter) {
        return new LdapRealmSettings.UserLookup(null, "ou=people," + BASE, filter, null, null);
    }

    static LdapRealmSettings.GroupLookup memberOf(boolean nested) {
        return new LdapRealmSettings.GroupLookup("memberOf", null, null, "cn", nested, 3);
    }

    static LdapRealmSettings.GroupLookup groupSearch(boolean nested) {
        return new LdapRealmSettings.GroupLookup(null, "ou=groups," + BASE, "(member=${user-dn})", "cn", nested, 3);
    }

    private static LdapRealm realm(LdapRealmSettings.UserLookup user, LdapRealmSettings.GroupLookup groups,
                                   boolean serviceAccount, Duration credentialTtl) throws Exception {
        return new LdapRealm(new LdapRealmSettings("dir", List.of(URI.create(directory.url())), false, true, null,
                serviceAccount ? "cn=rampart,ou=services," + BASE : null,
                serviceAccount ? "rampart-service-secret" : null, user, groups,
                new LdapRealmSettings.PermissionSource(true, null), 2, Duration.ofMillis(500), Duration.ofSeconds(2),
                100, Duration.ofSeconds(60), credentialTtl));
    }

    private static LdapRealm realm(LdapRealmSettings.UserLookup user, LdapRealmSettings.GroupLookup groups)
            throws Exception {
        return realm(user, groups, true, Duration.ZERO);
    }

    private static IdentityVariables vars(String username) {
        return new IdentityVariables().set(IdentityVariables.USERNAME, username)
                .set(IdentityVariables.CLIENT_ID, "client-" + username.length()).freeze();
    }

    private static Decision<Identity> login(LdapRealm realm, String username, String password) throws Exception {
        return realm.authenticator("ldap").authenticate(new AuthenticationRequest(vars(username),
                password == null ? null : password.getBytes(StandardCharsets.UTF_8)))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static Identity allowed(Decision<Identity> d) {
        assertThat(d).isInstanceOf(Decision.Allow.class);
        return ((Decision.Allow<Identity>) d).value();
    }

    private static void refused(Decision<?> d, Decision.DenyKind kind) {
        assertThat(d).isInstanceOf(Decision.Deny.class);
        assertThat(((Decision.Deny<?>) d).kind()).as(((Decision.Deny<?>) d).reason()).isEqualTo(kind);
    }

    private static Decision<List<Permission>> permissions(LdapRealm realm, Identity identity) throws Exception {
        return realm.authorizer("ldap-rules").authorize(identity, vars(identity.name()))
                .toCompletableFuture().get(5, TimeUnit.SECONDS).map(Grant::permissions);
    }

    // ------------------------------------------------------------------ direct bind

    @Test
    void directBind_withRightPassword_allowsWithRolesFromMemberOf() throws Exception {
        try (LdapRealm realm = realm(template(null), memberOf(false), false, Duration.ZERO)) {
            Identity id = allowed(login(realm, "sensor-1", "sensor-1-secret"));
            assertThat(id.name()).isEqualTo("sensor-1");
            assertThat(id.roles()).containsExactly("sensors");
            assertThat(id.realm()).isEqualTo("dir");
            assertThat(id.attributes()).containsEntry("ldap-dn", "uid=sensor-1,ou=devices," + BASE);
        }
    }

    @Test
    void directBind_withWrongPasswordOrUnknownUser_isBadCredentials() throws Exception {
        try (LdapRealm realm = realm(template(null), memberOf(false))) {
            refused(login(realm, "sensor-1", "wrong"), Decision.DenyKind.BAD_CREDENTIALS);
            refused(login(realm, "nobody", "sensor-1-secret"), Decision.DenyKind.BAD_CREDENTIALS);
        }
    }

    @Test
    void emptyOrMissingPassword_isRefusedBeforeTheDirectoryIsAsked() throws Exception {
        try (LdapRealm realm = realm(template(null), memberOf(false))) {
            refused(login(realm, "sensor-1", ""), Decision.DenyKind.BAD_CREDENTIALS);
            refused(login(realm, "sensor-1", null), Decision.DenyKind.BAD_CREDENTIALS);
        }
    }

    @Test
    void noUserName_isNoOpinion() throws Exception {
        try (LdapRealm realm = realm(template(null), memberOf(false))) {
            Decision<Identity> d = realm.authenticator("ldap").authenticate(new AuthenticationRequest(
                    new IdentityVariables().freeze(), "x".getBytes(StandardCharsets.UTF_8)))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(d).isInstanceOf(Decision.NoOpinion.class);
        }
    }

    @Test
    void requiredObjectClass_missing_isBadCredentials() throws Exception {
        try (LdapRealm realm = realm(template("inetOrgPerson"), null)) {
            refused(login(realm, "sensor-1", "sensor-1-secret"), Decision.DenyKind.BAD_CREDENTIALS);
        }
        try (LdapRealm realm = realm(template("account"), null)) {
            allowed(login(realm, "sensor-1", "sensor-1-secret"));
        }
    }

    // ------------------------------------------------------------------ search, then bind

    @Test
    void searchThenBind_withServiceAccount_findsTheUserAndNestedGroups() throws Exception {
        try (LdapRealm realm = realm(search("(uid=${mqtt-username})"), groupSearch(true))) {
            Identity alice = allowed(login(realm, "alice", "alice-secret"));
            assertThat(alice.roles()).containsExactlyInAnyOrder("operators", "staff");
            refused(login(realm, "alice", "bob-secret"), Decision.DenyKind.BAD_CREDENTIALS);
            refused(login(realm, "carol", "alice-secret"), Decision.DenyKind.BAD_CREDENTIALS);
        }
        try (LdapRealm realm = realm(search("(uid=${mqtt-username})"), groupSearch(false))) {
            assertThat(allowed(login(realm, "alice", "alice-secret")).roles()).containsExactly("operators");
        }
    }

    @Test
    void memberOf_nested_followsGroupsOfGroups() throws Exception {
        try (LdapRealm realm = realm(search("(uid=${mqtt-username})"), memberOf(true))) {
            assertThat(allowed(login(realm, "alice", "alice-secret")).roles()).containsExactlyInAnyOrder("operators", "staff");
        }
    }

    @Test
    void searchThenBind_ambiguousMatch_isRefused() throws Exception {
        try (LdapRealm realm = realm(search("(cn=${mqtt-username})"), null)) {
            refused(login(realm, "twin", "twin-secret"), Decision.DenyKind.BAD_CREDENTIALS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "al*", "*ice", ")(uid=*", "alice)(|(uid=*)", "alice)(uid=alice", "\\", "\\2a",
            "alice\u0000", "(uid=alice)"})
    void searchThenBind_injectionInUserName_neverFindsAnotherUser(String username) throws Exception {
        try (LdapRealm realm = realm(search("(uid=${mqtt-username})"), null)) {
            refused(login(realm, username, "alice-secret"), Decision.DenyKind.BAD_CREDENTIALS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "sensor-*", "sensor-1,ou=devices", "sensor-1+cn=x", "#sensor-1", ",=+<>#;\"",
            "\\", "sensor-1\\", " sensor-1", "sensor-1 ", "uid=sensor-1,ou=devices,dc=example,dc=org"})
    void directBind_injectionInUserName_neverBindsAsAnotherEntry(String username) throws Exception {
        try (LdapRealm realm = realm(template(null), null)) {
            refused(login(realm, username, "sensor-1-secret"), Decision.DenyKind.BAD_CREDENTIALS);
        }
    }

    // ------------------------------------------------------------------ permissions from the directory

    @Test
    void roleLimits_theStrictestOfTheUsersGroupsIsHandedOutWithItsPermissions() throws Exception {
        Identity alice;
        IdentityLimits staff = new IdentityLimits(IdentityLimits.Rate.perSecond(100), null, null, null, 4096, null);
        IdentityLimits unrelated = new IdentityLimits(IdentityLimits.Rate.perSecond(1), null, null, null, 0, null);
        try (LdapRealm realm = new LdapRealm(new LdapRealmSettings("dir", List.of(URI.create(directory.url())), false,
                true, null, "cn=rampart,ou=services," + BASE, "rampart-service-secret", search("(uid=${mqtt-username})"),
                groupSearch(true), new LdapRealmSettings.PermissionSource(true, null), 2, Duration.ofMillis(500),
                Duration.ofSeconds(2), 100, Duration.ofSeconds(60), Duration.ZERO, Duration.ZERO, Duration.ZERO,
                Map.of("staff", staff, "no-such-group", unrelated)))) {
            alice = allowed(login(realm, "alice", "alice-secret"));
            assertThat(alice.roles()).contains("staff");
            Decision<Grant> d = realm.authorizer("ldap-rules").authorize(alice, vars("alice")).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            assertThat(d).isInstanceOf(Decision.Allow.class);
            assertThat(((Decision.Allow<Grant>) d).value().limits()).isEqualTo(staff);
        }
        assertThatThrownBy(() -> new LdapRealmSettings("dir", List.of(URI.create(directory.url())), false, true, null,
                null, null, template(null), memberOf(false), new LdapRealmSettings.PermissionSource(false, null), 2,
                Duration.ofMillis(500), Duration.ofSeconds(2), 100, Duration.ofSeconds(60), Duration.ZERO, Duration.ZERO,
                Duration.ZERO, Map.of("staff", staff))).hasMessageStartingWith("role-limits: needs permissions.from-ldap");
    }

    @Test
    void permissions_fromUserAndGroupsAndNestedGroups() throws Exception {
        try (LdapRealm realm = realm(search("(uid=${mqtt-username})"), groupSearch(true))) {
            Identity alice = allowed(login(realm, "alice", "alice-secret"));
            Decision<List<Permission>> d = permissions(realm, alice);
            assertThat(d).isInstanceOf(Decision.Allow.class);
            List<Permission> rules = ((Decision.Allow<List<Permission>>) d).value();
            assertThat(rules).contains(Permission.allow("staff/#", Activity.ALL),
                    Permission.deny("sensors/secret/#", Activity.ALL));
            CompiledPermissions compiled = CompiledPermissions.compile(rules, vars("alice"));
            assertThat(compiled.maySubscribe("sensors/+/temp", 1, null)).isTrue();
            assertThat(compiled.maySubscribe("sensors/secret/x", 1, null)).isFalse();
            assertThat(compiled.mayPublish("staff/news", 2, true)).isTrue();
            assertThat(compiled.mayPublish("other", 0, false)).isFalse();
            CompiledPermissions.Verdict denied = compiled.explainSubscribe("sensors/secret/x", 1, null);
            assertThat(denied.allowed()).isFalse();
            assertThat(denied.rule().origin().describe()).as("the deciding rule names its entry and attribute")
                    .isEqualTo("realm '" + realm.name() + "', entry 'cn=operators,ou=groups," + BASE
                            + "', attribute rampartPermission");
        }
        try (LdapRealm realm = realm(template(null), memberOf(false))) {
            Identity sensor = allowed(login(realm, "sensor-1", "sensor-1-secret"));
            List<Permission> rules = ((Decision.Allow<List<Permission>>) permissions(realm, sensor)).value();
            assertThat(rules).contains(new Permission("status/${mqtt-username}", Activity.PUBLISH, 0b011, true, true,
                    Set.of(), Effect.ALLOW));
            CompiledPermissions compiled = CompiledPermissions.compile(rules, vars("sensor-1"));
            assertThat(compiled.mayPublish("sensors/client-8/t", 1, false)).isTrue();
            assertThat(compiled.mayPublish("sensors/client-8/t", 1, true)).isFalse();
            assertThat(compiled.mayPublish("sensors/client-8/t", 2, false)).isFalse();
            assertThat(compiled.mayPublish("status/sensor-1", 1, true)).isTrue();
        }
    }

    @Test
    void permissions_invalidRuleInAGroup_refusesRatherThanSkippingIt() throws Exception {
        try (LdapRealm realm = realm(template(null), groupSearch(false))) {
            Identity sensor = allowed(login(realm, "sensor-2", "sensor-2-secret"));
            refused(permissions(realm, sensor), Decision.DenyKind.NOT_AUTHORIZED);
        }
    }

    @Test
    void permissions_userWithoutRules_isAllowedWithNone_otherRealmsIdentitiesHaveNoOpinion() throws Exception {
        try (LdapRealm realm = realm(template(null), groupSearch(false))) {
            Identity gateway = allowed(login(realm, "gateway-1", "gateway-1-secret"));
            assertThat(gateway.roles()).isEmpty();
            assertThat(gateway.rolesRealm()).isEqualTo("dir");
            assertThat(permissions(realm, gateway)).isEqualTo(Decision.allow(List.of()));
            Identity foreign = new Identity("sensor-1", Set.of("sensors"), List.of(), null, "x", "other-realm");
            assertThat(permissions(realm, foreign)).isInstanceOf(Decision.NoOpinion.class);
        }
    }

    private static Decision<Identity> refresh(LdapRealm realm, Identity identity) throws Exception {
        return realm.authenticator("ldap").refresh(identity, vars(identity.name()))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void recheck_revokedGroupAndDeletedEntry_areSeenByRefreshAndRules_andTheListenersRun() throws Exception {
        String user = "uid=rechecked,ou=devices," + BASE;
        String group = "cn=recheckers,ou=groups," + BASE;
        directory.server.add("dn: " + user, "objectClass: account", "objectClass: simpleSecurityObject",
                "uid: rechecked", "userPassword: rechecked-secret");
        directory.server.add("dn: " + group, "objectClass: groupOfNames", "cn: recheckers", "member: " + user,
                "rampartPermission: allow publish rechecked/#");
        try (LdapRealm realm = realm(template(null), groupSearch(false))) {
            AtomicInteger changes = new AtomicInteger();
            realm.authenticator("ldap").onChange(changes::incrementAndGet);
            Identity id = allowed(login(realm, "rechecked", "rechecked-secret"));
            assertThat(id.roles()).containsExactly("recheckers");
            assertThat(permissions(realm, id))
                    .isEqualTo(Decision.allow(List.of(Permission.allow("rechecked/#", Activity.PUBLISH))));

            directory.server.modify(group, new Modification(ModificationType.DELETE, "member", user));
            assertThat(allowed(refresh(realm, id)).roles()).as("cached until a re-check").containsExactly("recheckers");
            realm.recheck();
            assertThat(changes).hasValue(1);
            assertThat(allowed(refresh(realm, id)).roles()).isEmpty();
            assertThat(permissions(realm, id)).isEqualTo(Decision.allow(List.of()));

            directory.server.delete(user);
            realm.recheck();
            assertThat(refresh(realm, id)).isEqualTo(Decision.deny(Decision.DenyKind.NOT_AUTHORIZED,
                    "'rechecked' is no longer in the directory"));
            refused(permissions(realm, id), Decision.DenyKind.NOT_AUTHORIZED);
        } finally {
            directory.server.delete(group);
        }
    }

    @Test
    void recheck_withoutServiceAccount_keepsTheIdentityAsItLoggedIn() throws Exception {
        try (LdapRealm realm = realm(template(null), groupSearch(false), false, Duration.ZERO)) {
            AtomicInteger changes = new AtomicInteger();
            realm.authenticator("ldap").onChange(changes::incrementAndGet);
            Identity id = allowed(login(realm, "sensor-1", "sensor-1-secret"));

            realm.recheck();

            assertThat(changes).hasValue(0);
            assertThat(refresh(realm, id)).isEqualTo(Decision.allow(id));
        }
    }

    @Test
    void recheckInterval_withoutServiceAccount_isRefused() {
        assertThatThrownBy(() -> new LdapRealmSettings("dir", List.of(URI.create(directory.url())), false, true, null,
                null, null, template(null), null, new LdapRealmSettings.PermissionSource(false, null), 2,
                Duration.ofMillis(500), Duration.ofSeconds(2), 100, Duration.ofSeconds(60), Duration.ZERO,
                Duration.ZERO, Duration.ofSeconds(60)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("recheck-interval: needs bind-dn");
    }

    @Test
    void scheduledRecheck_runsEveryInterval_butWaitsWhileTheDirectoryIsDown() throws Exception {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        LdapRealmSettings s = new LdapRealmSettings("dir", List.of(URI.create(directory.url())), false, true, null,
                "cn=rampart,ou=services," + BASE, "rampart-service-secret", template(null), groupSearch(false),
                new LdapRealmSettings.PermissionSource(true, null), 2, Duration.ofMillis(500), Duration.ofSeconds(1),
                100, Duration.ofSeconds(60), Duration.ZERO, Duration.ZERO, Duration.ofMillis(200));
        try (LdapRealm realm = new LdapRealm(s, timers)) {
            AtomicInteger changes = new AtomicInteger();
            realm.authenticator("ldap").onChange(changes::incrementAndGet);
            await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() >= 2);

            directory.stop();
            try {
                refused(login(realm, "sensor-1", "sensor-1-secret"), Decision.DenyKind.UNAVAILABLE);
                int known = changes.get();
                // Re-checks would strip live sessions during the outage: they wait for the directory instead (one
                // that had already started when the outage was noticed may still finish).
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                        .until(() -> changes.get() <= known + 1);
            } finally {
                directory.start();
            }
            int before = changes.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() > before && realm.unavailableReason() == null);
        } finally {
            timers.shutdownNow();
        }
    }

    @Test
    void permissions_cacheExpired_readsTheAccountAgainAsServiceAccount() throws Exception {
        LdapRealmSettings s = new LdapRealmSettings("dir", List.of(URI.create(directory.url())), false, true, null,
                "cn=rampart,ou=services," + BASE, "rampart-service-secret", template(null), groupSearch(false),
                new LdapRealmSettings.PermissionSource(true, null), 2, Duration.ofMillis(500), Duration.ofSeconds(2),
                0, Duration.ZERO, Duration.ZERO);
        try (LdapRealm realm = new LdapRealm(s)) {
            Identity sensor = allowed(login(realm, "sensor-1", "sensor-1-secret"));
            assertThat(permissions(realm, sensor)).isInstanceOf(Decision.Allow.class);
        }
    }

    // ------------------------------------------------------------------ outages

    @Test
    void directoryDown_isUnavailableQuickly_warmCredentialsStillServe_andItRecovers() throws Exception {
        try (LdapRealm realm = realm(template(null), memberOf(false), true, Duration.ofSeconds(30))) {
            allowed(login(realm, "sensor-1", "sensor-1-secret"));
            directory.stop();
            try {
                long start = System.nanoTime();
                refused(login(realm, "sensor-2", "sensor-2-secret"), Decision.DenyKind.UNAVAILABLE);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
                assertThat(realm.unavailableReason()).contains("unavailable");
                // the warm credential cache answers without the directory; a wrong password never matches it
                allowed(login(realm, "sensor-1", "sensor-1-secret"));
                refused(login(realm, "sensor-1", "wrong"), Decision.DenyKind.UNAVAILABLE);
            } finally {
                directory.start();
            }
            allowed(login(realm, "sensor-2", "sensor-2-secret"));
            assertThat(realm.unavailableReason()).isNull();
        }
    }

    @Test
    void silentDirectory_costsOneTimeoutAtATime_notOnePerLogin() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 1000, java.net.InetAddress.getLoopbackAddress())) {
            LdapRealmSettings s = new LdapRealmSettings("silent",
                    List.of(URI.create("ldap://127.0.0.1:" + silent.getLocalPort())), false, true, null, null, null,
                    template(null), null, new LdapRealmSettings.PermissionSource(false, null), 2,
                    Duration.ofMillis(500), Duration.ofMillis(800), 100, Duration.ofSeconds(60), Duration.ZERO);
            try (LdapRealm realm = new LdapRealm(s)) {
                long start = System.nanoTime();
                refused(login(realm, "sensor-1", "sensor-1-secret"), Decision.DenyKind.UNAVAILABLE);
                List<java.util.concurrent.CompletableFuture<Decision<Identity>>> burst = new java.util.ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    burst.add(realm.authenticator("ldap").authenticate(new AuthenticationRequest(vars("sensor-" + i),
                            "pw".getBytes(StandardCharsets.UTF_8))).toCompletableFuture());
                }
                for (var f : burst) {
                    refused(f.get(5, TimeUnit.SECONDS), Decision.DenyKind.UNAVAILABLE);
                }
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
                assertThat(realm.unavailableReason()).startsWith("directory unavailable");
            }
        }
    }

    @Test
    void directoryDown_staleTtl_acceptsRememberedLoginsOnly() throws Exception {
        LdapRealmSettings s = new LdapRealmSettings("dir", List.of(URI.create(directory.url())), false, true, null,
                "cn=rampart,ou=services," + BASE, "rampart-service-secret", template(null), groupSearch(false),
                new LdapRealmSettings.PermissionSource(true, null), 2, Duration.ofMillis(500), Duration.ofSeconds(2),
                100, Duration.ofSeconds(60), Duration.ZERO, Duration.ofSeconds(60));
        try (LdapRealm realm = new LdapRealm(s)) {
            allowed(login(realm, "sensor-1", "sensor-1-secret"));
            directory.stop();
            try {
                Identity stale = allowed(login(realm, "sensor-1", "sensor-1-secret"));
                assertThat(stale.roles()).containsExactly("sensors");
                assertThat(permissions(realm, stale)).isInstanceOf(Decision.Allow.class);
                refused(login(realm, "sensor-1", "sensor-2-secret"), Decision.DenyKind.UNAVAILABLE);
                refused(login(realm, "sensor-2", "sensor-2-secret"), Decision.DenyKind.UNAVAILABLE);
            } finally {
                directory.start();
            }
        }
    }

    @Test
    void cachedLogin_isOnlyReusedForTheSameLookup_whenTheTemplateUsesOtherVariables() throws Exception {
        LdapRealmSettings s = new LdapRealmSettings("dir", List.of(URI.create(directory.url())), false, true, null,
                null, null, new LdapRealmSettings.UserLookup("uid=${mqtt-clientid},ou=devices," + BASE, null, null,
                null, null), null, new LdapRealmSettings.PermissionSource(false, null), 2, Duration.ofMillis(500),
                Duration.ofSeconds(2), 100, Duration.ofSeconds(60), Duration.ofSeconds(60));
        try (LdapRealm realm = new LdapRealm(s)) {
            assertThat(loginAs(realm, "sensor-1", "shared-name", "sensor-1-secret")).isInstanceOf(Decision.Allow.class);
            refused(loginAs(realm, "sensor-2", "shared-name", "sensor-1-secret"), Decision.DenyKind.BAD_CREDENTIALS);
            assertThat(loginAs(realm, "sensor-1", "shared-name", "sensor-1-secret")).isInstanceOf(Decision.Allow.class);
        }
    }

    private static Decision<Identity> loginAs(LdapRealm realm, String clientId, String username, String password)
            throws Exception {
        IdentityVariables v = new IdentityVariables().set(IdentityVariables.USERNAME, username)
                .set(IdentityVariables.CLIENT_ID, clientId).freeze();
        return realm.authenticator("ldap").authenticate(new AuthenticationRequest(v,
                password.getBytes(StandardCharsets.UTF_8))).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void directoryChanges_areSeenOnceTheCacheEntryIsGone() throws Exception {
        try (LdapRealm realm = realm(template(null), memberOf(false), true, Duration.ZERO)) {
            allowed(login(realm, "sensor-2", "sensor-2-secret"));
            directory.server.modify("uid=sensor-2,ou=devices," + BASE,
                    new Modification(ModificationType.REPLACE, "userPassword", "sensor-2-new"));
            try {
                refused(login(realm, "sensor-2", "sensor-2-secret"), Decision.DenyKind.BAD_CREDENTIALS);
                allowed(login(realm, "sensor-2", "sensor-2-new"));
            } finally {
                directory.server.modify("uid=sensor-2,ou=devices," + BASE,
                        new Modification(ModificationType.REPLACE, "userPassword", "sensor-2-secret"));
            }
        }
    }
}
