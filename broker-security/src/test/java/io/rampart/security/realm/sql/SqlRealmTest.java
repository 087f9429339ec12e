package io.rampart.security.realm.sql;

import io.rampart.security.hash.HashAlgorithm;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Grant;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The SQL realm against its embedded H2 database (PostgreSQL end to end: SqlRealmIT in broker-server). */
class SqlRealmTest {

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

    private SqlRealmSettings embedded(Duration ttl, Duration recheck) {
        return new SqlRealmSettings("db", SqlRealmSettings.embeddedUrl(dir, "db"), true, null, null, 2,
                Duration.ofMillis(500), Duration.ofSeconds(1), Map.of(), 100, ttl, recheck, true);
    }

    private void sql(SqlRealmSettings s, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(s.jdbcUrl()); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private Decision<Identity> login(String user, String password) {
        IdentityVariables v = new IdentityVariables().set(IdentityVariables.USERNAME, user).freeze();
        return realm.authenticator("password-db").authenticate(new AuthenticationRequest(v,
                password == null ? null : password.getBytes(StandardCharsets.UTF_8))).toCompletableFuture().join();
    }

    private Decision<List<Permission>> permissionsOf(String name, Set<String> roles) {
        Identity id = new Identity(name, roles, List.of(), Map.of(), "m", "db");
        return realm.authorizer("roles-db").authorize(id, new IdentityVariables().freeze()).toCompletableFuture().join()
                .map(Grant::permissions);
    }

    @Test
    void firstStart_createsTheEmbeddedDatabaseWithTheSchema() throws Exception {
        SqlRealmSettings s = embedded(Duration.ofSeconds(60), Duration.ZERO);
        realm = new SqlRealm(s, timers);

        assertThat(Files.exists(dir.resolve("realms/db/rampart.mv.db"))).isTrue();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl())) {
            assertThat(SqlSchema.installedVersion(c)).isEqualTo(SqlSchema.VERSION);
        }
        realm.close();
        realm = new SqlRealm(s, timers); // second start: schema kept, not created again
        assertThat(realm.unavailableReason()).isNull();
    }

    @Test
    void authenticate_everyHashFormat_disabledAndUnknownUsers() throws Exception {
        SqlRealmSettings s = embedded(Duration.ofSeconds(60), Duration.ZERO);
        realm = new SqlRealm(s, timers);
        PasswordHasher h = new PasswordHasher();
        sql(s, "INSERT INTO roles (name) VALUES ('sensors')",
                "INSERT INTO users VALUES ('pb', '" + h.hash("pw1".toCharArray()) + "', TRUE)",
                "INSERT INTO users VALUES ('bc', '" + h.hash("pw2".toCharArray(), HashAlgorithm.BCRYPT) + "', TRUE)",
                "INSERT INTO users VALUES ('ar', '" + h.hash("pw3".toCharArray(), HashAlgorithm.ARGON2ID) + "', TRUE)",
                "INSERT INTO users VALUES ('off', '" + h.hash("pw4".toCharArray()) + "', FALSE)",
                "INSERT INTO users VALUES ('nopw', NULL, TRUE)",
                "INSERT INTO user_roles VALUES ('pb', 'sensors')");

        Decision<Identity> ok = login("pb", "pw1");
        assertThat(ok).isInstanceOfSatisfying(Decision.Allow.class, a -> {
            Identity id = (Identity) a.value();
            assertThat(id.roles()).containsExactly("sensors");
            assertThat(id.realm()).isEqualTo("db");
            assertThat(id.manager()).isEqualTo("password-db");
        });
        assertThat(login("bc", "pw2")).isInstanceOf(Decision.Allow.class);
        assertThat(login("ar", "pw3")).isInstanceOf(Decision.Allow.class);
        assertThat(reason(login("pb", "wrong"))).isEqualTo("wrong password for 'pb'");
        assertThat(reason(login("off", "pw4"))).isEqualTo("user 'off' is disabled");
        assertThat(reason(login("nobody", "pw1"))).isEqualTo("unknown user 'nobody'");
        assertThat(reason(login("nopw", "x"))).startsWith("no password login for 'nopw'");
        assertThat(reason(login("pb", null))).isEqualTo("no password given for 'pb'");
        assertThat(login(null, "x")).isInstanceOf(Decision.NoOpinion.class);
    }

    private static List<Permission> allowed(Decision<List<Permission>> d) {
        assertThat(d).isInstanceOf(Decision.Allow.class);
        return ((Decision.Allow<List<Permission>>) d).value();
    }

    private static String reason(Decision<?> d) {
        assertThat(d).isInstanceOf(Decision.Deny.class);
        Decision.Deny<?> deny = (Decision.Deny<?>) d;
        assertThat(deny.kind()).isEqualTo(Decision.DenyKind.BAD_CREDENTIALS);
        return deny.reason();
    }

    @Test
    void authorize_readsEveryPermissionColumn_userThenRoles_skipsInvalidRows() throws Exception {
        SqlRealmSettings s = embedded(Duration.ofSeconds(60), Duration.ZERO);
        realm = new SqlRealm(s, timers);
        sql(s, "INSERT INTO roles (name) VALUES ('r1'), ('extra')",
                "INSERT INTO users VALUES ('u', NULL, TRUE)",
                "INSERT INTO user_roles VALUES ('u', 'r1')",
                "INSERT INTO permissions (id, topic_filter, activity, qos_0, qos_1, qos_2, retain, shared_subscription,"
                        + " share_groups, effect, ordering) VALUES"
                        + " (1, 'own/${mqtt-clientid}/#', 'publish', TRUE, TRUE, FALSE, FALSE, TRUE, NULL, 'allow', 0),"
                        + " (2, 'feeds/#', 'subscribe', TRUE, TRUE, TRUE, TRUE, TRUE, 'g1, g2', 'allow', 0),"
                        + " (3, 'feeds/secret/#', 'all', TRUE, TRUE, TRUE, TRUE, TRUE, NULL, 'deny', 0),"
                        + " (4, 'bad/#/x', 'all', TRUE, TRUE, TRUE, TRUE, TRUE, NULL, 'allow', 0),"
                        + " (5, 'extra/#', 'all', TRUE, TRUE, TRUE, TRUE, FALSE, NULL, 'allow', 0)",
                "INSERT INTO user_permissions VALUES ('u', 1), ('u', 4)",
                "INSERT INTO role_permissions VALUES ('r1', 2), ('r1', 3), ('extra', 5)");

        Decision<List<Permission>> d = permissionsOf("u", Set.of("extra", "unknown"));

        assertThat(allowed(d)).containsExactly(
                new Permission("own/${mqtt-clientid}/#", Activity.PUBLISH, 0b011, false, true, Set.of(), Effect.ALLOW),
                new Permission("feeds/#", Activity.SUBSCRIBE, 0b111, true, true, Set.of("g1", "g2"), Effect.ALLOW),
                new Permission("feeds/secret/#", Activity.ALL, 0b111, true, true, Set.of(), Effect.DENY),
                new Permission("extra/#", Activity.ALL, 0b111, true, false, Set.of(), Effect.ALLOW));
        assertThat(allowed(permissionsOf("certificate-cn", Set.of("extra")))).hasSize(1);
        assertThat(permissionsOf("stranger", Set.of("unknown"))).isInstanceOf(Decision.NoOpinion.class);
    }

    @Test
    void authorize_readsTheLimitsOfTheUserAndItsRoles_theStrictestOfEachWins() throws Exception {
        SqlRealmSettings s = embedded(Duration.ofSeconds(60), Duration.ZERO);
        realm = new SqlRealm(s, timers);
        sql(s, "INSERT INTO roles (name) VALUES ('sensors'), ('gateways'), ('plain')",
                "INSERT INTO users VALUES ('s1', NULL, TRUE)",
                "INSERT INTO user_roles VALUES ('s1', 'sensors')",
                "INSERT INTO role_limits (role_name, messages_per_second, message_burst, bytes_per_second,"
                        + " max_packet_size, disconnect_after_seconds) VALUES ('sensors', 10, 20, 4096, 65536, 30)",
                "INSERT INTO role_limits (role_name, messages_per_second, deliveries_per_second, max_queued_messages,"
                        + " queue_overflow) VALUES ('gateways', 5000, 0.5, 500, 'drop-newest')",
                "INSERT INTO user_limits (username, messages_per_second, message_burst, max_queued_messages,"
                        + " max_queued_bytes) VALUES ('s1', 15, 5, 800, 65536)");

        IdentityLimits s1 = limitsOf("s1", Set.of("gateways"));

        assertThat(s1.publish()).isEqualTo(new IdentityLimits.Rate(10, 5));
        assertThat(s1.publishBytes()).isEqualTo(new IdentityLimits.Rate(4096, 4096));
        assertThat(s1.deliver()).isEqualTo(new IdentityLimits.Rate(0.5, 1));
        assertThat(s1.maxPacketSize()).isEqualTo(65_536);
        assertThat(s1.disconnectAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s1.maxQueuedMessages()).isEqualTo(500);
        assertThat(s1.maxQueuedBytes()).isEqualTo(65_536);
        assertThat(s1.queueOverflow()).isEqualTo(IdentityLimits.Overflow.DROP_NEWEST);
        assertThat(limitsOf("certificate-cn", Set.of("gateways")).publish())
                .isEqualTo(new IdentityLimits.Rate(5000, 5000));
        assertThat(limitsOf("certificate-cn", Set.of("plain"))).isEqualTo(IdentityLimits.NONE);
    }

    private IdentityLimits limitsOf(String name, Set<String> roles) {
        Identity id = new Identity(name, roles, List.of(), Map.of(), "m", "db");
        Decision<Grant> d = realm.authorizer("roles-db").authorize(id, new IdentityVariables().freeze())
                .toCompletableFuture().join();
        assertThat(d).isInstanceOf(Decision.Allow.class);
        return ((Decision.Allow<Grant>) d).value().limits();
    }

    @Test
    void cache_servesWithinTtl_thenReadsTheDatabaseAgain_andRecheckNotifies() throws Exception {
        SqlRealmSettings s = embedded(Duration.ofSeconds(3), Duration.ofMillis(200));
        realm = new SqlRealm(s, timers);
        AtomicInteger changes = new AtomicInteger();
        realm.authorizer("roles-db").onChange(changes::incrementAndGet);
        sql(s, "INSERT INTO users VALUES ('c', '" + new PasswordHasher().hash("pw".toCharArray()) + "', TRUE)");
        assertThat(login("c", "pw")).isInstanceOf(Decision.Allow.class);
        assertThat(allowed(permissionsOf("c", Set.of()))).isEmpty();

        sql(s, "UPDATE users SET enabled = FALSE WHERE username = 'c'",
                "INSERT INTO permissions (id, topic_filter) VALUES (1, 'late/#')",
                "INSERT INTO user_permissions VALUES ('c', 1)");
        assertThat(login("c", "pw")).as("cached").isInstanceOf(Decision.Allow.class);

        await().atMost(Duration.ofSeconds(15)).until(() -> login("c", "pw") instanceof Decision.Deny);
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() >= 2);
        assertThat(permissionsOf("c", Set.of())).as("disabled users hold no permissions")
                .isInstanceOf(Decision.NoOpinion.class);
    }

    @Test
    void ownUser_rolesAreReadFromTheDatabase_notThoseItLoggedInWith_andARemovedOrDisabledUserIsDenied() throws Exception {
        SqlRealmSettings s = embedded(Duration.ofSeconds(60), Duration.ZERO);
        realm = new SqlRealm(s, timers);
        sql(s, "INSERT INTO roles (name) VALUES ('sensors')",
                "INSERT INTO users VALUES ('live', '" + new PasswordHasher().hash("pw".toCharArray()) + "', TRUE)",
                "INSERT INTO user_roles VALUES ('live', 'sensors')",
                "INSERT INTO permissions (id, topic_filter) VALUES (1, 'live/#')",
                "INSERT INTO role_permissions VALUES ('sensors', 1)");
        Identity live = ((Decision.Allow<Identity>) login("live", "pw")).value();
        assertThat(live.rolesRealm()).isEqualTo("db");
        AtomicInteger changes = new AtomicInteger();
        realm.authenticator("password-db").onChange(changes::incrementAndGet);
        assertThat(allowed(authorize(live))).containsExactly(Permission.allow("live/#", Activity.ALL));

        sql(s, "DELETE FROM user_roles WHERE username = 'live'");
        realm.recheck();
        assertThat(changes).hasValue(1);
        assertThat(refresh(live)).isEqualTo(Decision.allow(live.withRoles(Set.of())));
        assertThat(allowed(authorize(live))).as("the role it logged in with no longer counts").isEmpty();

        sql(s, "UPDATE users SET enabled = FALSE WHERE username = 'live'");
        realm.recheck();
        assertThat(refresh(live)).isEqualTo(Decision.deny(Decision.DenyKind.NOT_AUTHORIZED, "user 'live' is disabled"));
        assertThat(authorize(live)).isEqualTo(Decision.deny(Decision.DenyKind.NOT_AUTHORIZED,
                "'live' is no longer an enabled user of realm 'db'"));

        sql(s, "DELETE FROM users WHERE username = 'live'");
        realm.recheck();
        assertThat(refresh(live)).isEqualTo(Decision.deny(Decision.DenyKind.NOT_AUTHORIZED,
                "'live' is no longer a user of realm 'db'"));
        // An identity of that name from elsewhere (a certificate) is not this realm's to deny.
        assertThat(permissionsOf("live", Set.of("sensors"))).isInstanceOf(Decision.Allow.class);
        assertThat(permissionsOf("live", Set.of())).isInstanceOf(Decision.NoOpinion.class);
    }

    private Decision<List<Permission>> authorize(Identity identity) {
        return realm.authorizer("roles-db").authorize(identity, new IdentityVariables().freeze()).toCompletableFuture()
                .join().map(Grant::permissions);
    }

    private Decision<Identity> refresh(Identity identity) {
        return realm.authenticator("password-db").refresh(identity, new IdentityVariables().freeze())
                .toCompletableFuture().join();
    }

    @Test
    void customQueries_readAnExistingSchema_optionalColumnsDefault() throws Exception {
        SqlQueries queries = new SqlQueries(
                "SELECT pw FROM accounts WHERE login = ? AND active",
                "SELECT grp FROM account_groups WHERE login = ?",
                "SELECT topic AS topic_filter, CASE rw WHEN 'r' THEN 'subscribe' WHEN 'w' THEN 'publish' ELSE 'all' END"
                        + " AS activity FROM acl WHERE login = ? ORDER BY topic",
                "SELECT topic AS topic_filter FROM group_acl WHERE grp = ?",
                "SELECT 1 FROM group_acl WHERE grp = ?");
        SqlRealmSettings s = new SqlRealmSettings("db", SqlRealmSettings.embeddedUrl(dir, "db"), true, null, null, 2,
                Duration.ofMillis(500), Duration.ofSeconds(1), Map.of(), 100, Duration.ofSeconds(60), Duration.ZERO,
                true, queries);
        realm = new SqlRealm(s, timers);
        sql(s, "CREATE TABLE accounts (login VARCHAR(100) PRIMARY KEY, pw VARCHAR(512), active BOOLEAN)",
                "CREATE TABLE account_groups (login VARCHAR(100), grp VARCHAR(100))",
                "CREATE TABLE acl (login VARCHAR(100), topic VARCHAR(200), rw VARCHAR(2))",
                "CREATE TABLE group_acl (grp VARCHAR(100), topic VARCHAR(200))",
                "INSERT INTO accounts VALUES ('legacy', '" + new PasswordHasher().hash("pw".toCharArray()) + "', TRUE)",
                "INSERT INTO account_groups VALUES ('legacy', 'ops')",
                "INSERT INTO acl VALUES ('legacy', 'in/#', 'r'), ('legacy', 'out/#', 'w')",
                "INSERT INTO group_acl VALUES ('ops', 'ops/#')");

        assertThat(login("legacy", "pw")).isInstanceOfSatisfying(Decision.Allow.class,
                a -> assertThat(((Identity) a.value()).roles()).containsExactly("ops"));
        assertThat(allowed(permissionsOf("legacy", Set.of()))).containsExactly(
                Permission.allow("in/#", Activity.SUBSCRIBE), Permission.allow("out/#", Activity.PUBLISH),
                Permission.allow("ops/#", Activity.ALL));
    }

    @Test
    void customQueries_mustBeOneSelectWithOneParameter() {
        String ok = "SELECT 1 FROM t WHERE a = ?";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SqlQueries("DELETE FROM t WHERE a = ?", ok, ok, ok, ok))
                .hasMessage("queries.user: must be a SELECT");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SqlQueries(ok, "SELECT 1 FROM t", ok, ok, ok))
                .hasMessage("queries.user-roles: must have exactly one '?' (the name)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SqlQueries(ok, ok, ok + "; DROP TABLE t", ok, ok))
                .hasMessage("queries.user-permissions: must be one statement (no ';')");
    }

    @Test
    void unreachableDatabase_opensAndAnswersUnavailableQuickly() {
        realm = new SqlRealm(new SqlRealmSettings("down", "jdbc:postgresql://127.0.0.1:1/none", false, "u", "p", 1,
                Duration.ofMillis(300), Duration.ofSeconds(1), Map.of(), 10, Duration.ofSeconds(60), Duration.ZERO,
                true), timers);
        assertThat(realm.unavailableReason()).startsWith("SQL realm 'down' unavailable: ");

        long start = System.nanoTime();
        Decision<Identity> d = login("x", "y");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(d).isInstanceOfSatisfying(Decision.Deny.class,
                deny -> assertThat(deny.kind()).isEqualTo(Decision.DenyKind.UNAVAILABLE));
        assertThat(ms).isLessThan(3_000);
        assertThat(permissionsOf("x", Set.of())).isInstanceOfSatisfying(Decision.Deny.class,
                deny -> assertThat(deny.kind()).isEqualTo(Decision.DenyKind.UNAVAILABLE));
    }

    @Test
    void schemaStatements_dropCommentsAndSplit() {
        assertThat(SqlSchema.statements(SqlSchema.script("h2", 1))).hasSize(11)
                .allSatisfy(s -> assertThat(s).doesNotContain("--"));
        assertThat(SqlSchema.statements(SqlSchema.script("postgresql", 1))).hasSize(11);
        assertThat(SqlSchema.statements(SqlSchema.script("h2", 2))).hasSize(4);
        assertThat(SqlSchema.statements(SqlSchema.script("postgresql", 2))).hasSize(4);
    }

    @Test
    void authorize_readsClientIdRules_anInvalidPatternMatchesNothing() throws Exception {
        SqlRealmSettings s = embedded(Duration.ofSeconds(60), Duration.ZERO);
        realm = new SqlRealm(s, timers);
        sql(s, "INSERT INTO roles (name) VALUES ('devices')",
                "INSERT INTO users VALUES ('bob', NULL, TRUE)",
                "INSERT INTO user_roles VALUES ('bob', 'devices')",
                "INSERT INTO permissions (id, client_id) VALUES (1, '${mqtt-username}-*')",
                "INSERT INTO permissions (id, client_id, effect) VALUES (2, '${mqtt-username}-admin', 'deny')",
                "INSERT INTO permissions (id, topic_filter) VALUES (3, 'devices/${mqtt-clientid}/#')",
                "INSERT INTO permissions (id, client_id) VALUES (4, 'broken-${x')",
                "INSERT INTO role_permissions VALUES ('devices', 1), ('devices', 2), ('devices', 3)",
                "INSERT INTO user_permissions VALUES ('bob', 4)");

        assertThat(allowed(permissionsOf("bob", Set.of()))).containsExactly(
                Permission.clientId("broken-${x", Effect.ALLOW),
                Permission.clientId("${mqtt-username}-*", Effect.ALLOW),
                Permission.clientId("${mqtt-username}-admin", Effect.DENY),
                Permission.allow("devices/${mqtt-clientid}/#", Activity.ALL));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sql(s,
                        "INSERT INTO permissions (id, topic_filter, client_id) VALUES (5, 'a', 'b')"))
                .as("a row is a topic rule or a client-id rule").hasMessageContaining("PERMISSIONS_TOPIC_OR_CLIENT_ID");
    }

    @Test
    void embeddedDatabaseOfSchemaVersion1_isUpgradedAtStartup_andKeepsItsRows() throws Exception {
        SqlRealmSettings s = embedded(Duration.ofSeconds(60), Duration.ZERO);
        Files.createDirectories(dir.resolve("realms/db"));
        try (Connection c = DriverManager.getConnection(s.jdbcUrl()); Statement st = c.createStatement()) {
            for (String sql : SqlSchema.statements(SqlSchema.script("h2", 1))) {
                st.execute(sql);
            }
            st.execute("INSERT INTO users VALUES ('old', NULL, TRUE)");
            st.execute("INSERT INTO permissions (id, topic_filter) VALUES (1, 'old/#')");
            st.execute("INSERT INTO user_permissions VALUES ('old', 1)");
        }

        realm = new SqlRealm(s, timers);

        try (Connection c = DriverManager.getConnection(s.jdbcUrl())) {
            assertThat(SqlSchema.installedVersion(c)).isEqualTo(SqlSchema.VERSION);
        }
        assertThat(allowed(permissionsOf("old", Set.of()))).containsExactly(Permission.allow("old/#", Activity.ALL));
    }

    @Test
    void externalDatabaseOfSchemaVersion1_refusesToStart_namingTheScriptToApply() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("ext").toAbsolutePath();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String sql : SqlSchema.statements(SqlSchema.script("h2", 1))) {
                st.execute(sql);
            }
        }
        SqlRealmSettings s = new SqlRealmSettings("ext", url, false, null, null, 1, Duration.ofMillis(500),
                Duration.ofSeconds(1), Map.of(), 10, Duration.ofSeconds(60), Duration.ZERO, true);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SqlRealm(s, timers))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("SQL realm 'ext': schema version 1 is older than this broker reads (5); apply "
                        + "config/sql/h2/V2__client_id_rules.sql and the later scripts first");
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String sql : SqlSchema.statements(SqlSchema.script("h2", 2))) {
                st.execute(sql);
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SqlRealm(s, timers))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("SQL realm 'ext': schema version 2 is older than this broker reads (5); apply "
                        + "config/sql/h2/V3__limits.sql and the later scripts first");
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String sql : SqlSchema.statements(SqlSchema.script("h2", 3))) {
                st.execute(sql);
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SqlRealm(s, timers))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("SQL realm 'ext': schema version 3 is older than this broker reads (5); apply "
                        + "config/sql/h2/V4__admin_permissions.sql and the later scripts first");
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String sql : SqlSchema.statements(SqlSchema.script("h2", 4))) {
                st.execute(sql);
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SqlRealm(s, timers))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("SQL realm 'ext': schema version 4 is older than this broker reads (5); apply "
                        + "config/sql/h2/V5__queue_limits.sql first");
    }
}
