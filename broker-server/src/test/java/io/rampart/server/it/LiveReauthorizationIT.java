package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.rampart.core.session.DropReason;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.JwtTokens;
import io.rampart.server.it.support.LdapMemoryDirectory;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.SecLogCapture;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.SqlPostgres;
import io.rampart.server.it.support.TestBroker;
import org.apache.logging.log4j.Level;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.rampart.server.it.support.Await.next;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a realm change does to live sessions, for every realm type and every kind of change: a user deleted (or
 * disabled), a role taken from the user, a role deleted, a permission taken from the role. For each, a HiveMQ client
 * of the user keeps publishing at QoS 1 until its PUBACK turns 0x87, a HiveMQ subscriber of the user stops receiving
 * (the broker drops the delivery as not authorized), and a session on a pipeline with
 * {@code disconnect-removed-users: true} is closed with DISCONNECT 0x87 when the user is gone (and keeps its
 * connection, without the revoked grants, otherwise). Realms: a users file; the SQL realm on its embedded H2 database
 * and on a real PostgreSQL server; an LDAP directory (in memory) with rules in the directory, and with its groups as
 * roles of a users file; JWT identities whose token roles are defined by the users file. Also: a known user without
 * grants connects with none, JWT scope grants and file role grants combine in one session, and the periodic re-checks
 * log only sessions whose permissions changed.
 */
class LiveReauthorizationIT {

    private static final String PW = "live-Pa55-word";
    private static final String TOPIC = "live/${mqtt-username}/#";
    private static final String LDAP_BASE = LdapMemoryDirectory.BASE;

    /** The realm setups under test, each with a listener (and a {@code -strict} one) named after its pipeline. */
    enum Realm {
        FILE("file"), SQL_H2("sql"), SQL_POSTGRES("pg"), LDAP("ldap"), LDAP_FILE_ROLES("ldapfile"), JWT_FILE_ROLES("jwt");

        final String pipeline;

        Realm(String pipeline) {
            this.pipeline = pipeline;
        }

        boolean hasUsers() {
            return this != JWT_FILE_ROLES;
        }
    }

    enum Change {
        USER_DELETED, USER_DISABLED, ROLE_REMOVED_FROM_USER, ROLE_DELETED, PERMISSION_REMOVED_FROM_ROLE;

        boolean removesUser() {
            return this == USER_DELETED || this == USER_DISABLED;
        }

        boolean appliesTo(Realm realm) {
            return switch (this) {
                case USER_DELETED, ROLE_REMOVED_FROM_USER -> realm.hasUsers();
                case USER_DISABLED -> realm == Realm.SQL_H2 || realm == Realm.SQL_POSTGRES;
                case ROLE_DELETED, PERMISSION_REMOVED_FROM_ROLE -> true;
            };
        }
    }

    @TempDir
    static Path dir;
    private static Path usersFile;
    private static LdapMemoryDirectory ldap;
    private static SqlPostgres pg;
    private static TestBroker broker;
    private static final UsersFile file = new UsersFile();
    private static final AtomicLong permissionIds = new AtomicLong(1000);
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void startBroker() throws Exception {
        usersFile = dir.resolve("users.yaml");
        file.write();
        ldap = new LdapMemoryDirectory();
        pg = SqlPostgres.start();
        // "tcp" (which the client helpers also expect) lets anonymous clients publish to every user's topics.
        StringBuilder listeners = new StringBuilder("  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0}\n");
        StringBuilder pipelines = new StringBuilder("""
                    - name: keeper
                      listeners: [tcp]
                      authentication: [{type: anonymous, permissions: [{topic: "live/#", activity: publish}]}]
                """);
        for (Realm realm : Realm.values()) {
            for (String suffix : new String[]{"", "-strict"}) {
                String name = realm.pipeline + suffix;
                listeners.append("  - {type: tcp, name: ").append(name).append(", bind: 127.0.0.1, port: 0}\n");
                pipelines.append("    - name: ").append(name).append('\n')
                        .append("      listeners: [").append(name).append("]\n")
                        .append("      disconnect-removed-users: ").append(!suffix.isEmpty()).append('\n')
                        .append(chains(realm));
            }
        }
        String ldapRealm = """
                      type: ldap
                      servers: ["%s"]
                      allow-plaintext: true
                      bind-dn: "cn=rampart,ou=services,%s"
                      bind-password: "rampart-service-secret"
                      user: {dn-template: "uid=${mqtt-username},ou=devices,%s"}
                      groups: {base-dn: "ou=groups,%s", filter: "(member=${user-dn})"}
                      cache: {size: 100, ttl: 60, credential-ttl: 0}
                      recheck-interval: 300ms
                """.formatted(ldap.url(), LDAP_BASE, LDAP_BASE, LDAP_BASE);
        broker = TestBroker.startYaml("""
                data-dir: "%s"
                listeners:
                %ssecurity:
                  realms:
                    - {name: users, type: file, path: "%s", credential-cache: 0}
                    - {name: db, type: sql, cache: {size: 100, ttl: 1s}, recheck-interval: 300ms}
                    - name: pg
                      type: sql
                      jdbc-url: "%s"
                      username: %s
                      password: "%s"
                      driver-properties: {sslmode: disable}
                      cache: {size: 100, ttl: 1s}
                      recheck-interval: 300ms
                    - name: dir
                %s      permissions: {from-ldap: true}
                    - name: dir-roles
                %s    - name: tokens
                      type: jwt
                      secrets: ["%s"]
                      issuer: "%s"
                      audience: %s
                      roles-claim: realm_access.roles
                      scope-permissions:
                        "telemetry:read": [{topic: "telemetry/#", activity: subscribe}]
                  pipelines:
                %s  brute-force: {enabled: false}
                """.formatted(dir.resolve("data"), listeners, usersFile, pg.jdbcUrl(), SqlPostgres.USER,
                SqlPostgres.PASSWORD, ldapRealm, ldapRealm, JwtTokens.SECRET, JwtTokens.ISSUER, JwtTokens.AUDIENCE,
                pipelines));
    }

    private static String chains(Realm realm) {
        return switch (realm) {
            case FILE -> chain("password", "users", "users");
            case SQL_H2 -> chain("password", "db", "db");
            case SQL_POSTGRES -> chain("password", "pg", "pg");
            case LDAP -> chain("password", "dir", "dir");
            case LDAP_FILE_ROLES -> chain("password", "dir-roles", "users");
            case JWT_FILE_ROLES -> chain("jwt", "tokens", "tokens") + "        - {type: realm, realm: users}\n";
        };
    }

    private static String chain(String authType, String authRealm, String authzRealm) {
        return "      authentication: [{type: " + authType + ", realm: " + authRealm + "}]\n"
                + "      authorization:\n        - {type: realm, realm: " + authzRealm + "}\n";
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (ldap != null) {
            ldap.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    static Stream<Arguments> changes() {
        List<Arguments> cases = new ArrayList<>();
        for (Realm realm : Realm.values()) {
            for (Change change : Change.values()) {
                if (change.appliesTo(realm)) {
                    cases.add(Arguments.of(realm, change));
                }
            }
        }
        return cases.stream();
    }

    // ------------------------------------------------------------------ the realm changes reach live sessions

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("changes")
    void realmChange_reachesTheLiveSessionsOfTheUser(Realm realm, Change change) throws Exception {
        String n = unique();
        String user = "u" + n;
        String role = "r" + n;
        create(realm, user, role, true);
        awaitPublishAllowed(realm, user, role);

        Mqtt5AsyncClient publisher = live(realm, realm.pipeline, user, role, "pub");
        Mqtt5AsyncClient subscriber = clients.hive5On(realm.pipeline, "live-sub-" + n);
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(subscriber);
        assertThat(connect5(subscriber, user, password(realm, user, role))).isZero();
        assertThat(subAck(subscriber, "live/" + user + "/k/#")).isZero();
        RawMqttClient strict = clients.rawOn(realm.pipeline + "-strict");
        strict.connect(RawPackets.connect(RawPackets.V5).clientId("live-strict-" + n)
                .credentials(user, utf8(password(realm, user, role))).build());
        Mqtt5AsyncClient keeper = clients.hive5On("tcp", "live-keeper-" + n);
        assertThat(connect5(keeper, null, null)).isZero();

        assertThat(pubAck(publisher, "live/" + user + "/t")).isLessThan(0x80);
        assertThat(rawPubAck(strict, "live/" + user + "/d", 1)).isLessThan(0x80);
        assertThat(pubAck(keeper, "live/" + user + "/k/1")).isLessThan(0x80);
        assertThat(next(inbox).getTopic().toString()).isEqualTo("live/" + user + "/k/1");

        change(realm, change, user, role);

        // The publisher keeps publishing until the broker answers Not authorized.
        eventually().until(() -> pubAck(publisher, "live/" + user + "/t") == 0x87);
        if (change.removesUser()) {
            List<RawPacket> last = strict.readUntilClosed(Duration.ofSeconds(30));
            assertThat(last).isNotEmpty();
            assertThat(last.get(last.size() - 1).type()).isEqualTo(RawPacket.DISCONNECT);
            assertThat(last.get(last.size() - 1).reasonCode()).isEqualTo(0x87);
        } else {
            AtomicInteger packetId = new AtomicInteger(2);
            eventually().until(() -> rawPubAck(strict, "live/" + user + "/d", packetId.getAndIncrement()) == 0x87);
            assertThat(strict.ping()).as("a user that still exists keeps its connection").isTrue();
        }

        // The subscription is still there, but the broker no longer delivers through it.
        long dropped = broker.broker().metrics().droppedCount(DropReason.NOT_AUTHORIZED);
        assertThat(pubAck(keeper, "live/" + user + "/k/2")).isLessThan(0x80);
        eventually().until(() -> broker.broker().metrics().droppedCount(DropReason.NOT_AUTHORIZED) > dropped);
        assertThat(inbox).as("deliveries after the change").isEmpty();
        assertThat(subscriber.getState().isConnected()).isTrue();
        assertThat(subAck(subscriber, "live/" + user + "/again")).isEqualTo(0x87);
    }

    // ------------------------------------------------------------------ known users without grants

    @ParameterizedTest
    @EnumSource(names = {"FILE", "SQL_H2", "SQL_POSTGRES", "LDAP", "LDAP_FILE_ROLES"})
    void knownUserWithoutGrants_connectsWithNoPermissions(Realm realm) {
        String n = unique();
        String user = "g" + n;
        create(realm, user, "r" + n, false);
        String clientId = "live-grantless-" + n;
        eventually().until(() -> connectCode(realm, user, PW) == 0);

        Mqtt5AsyncClient client = clients.hive5On(realm.pipeline, clientId);
        assertThat(connect5(client, user, PW)).isZero();
        assertThat(pubAck(client, "live/" + user + "/t")).isEqualTo(0x87);
        assertThat(subAck(client, "live/" + user + "/#")).isEqualTo(0x87);
        assertThat(SecAccessLog.await("client=\"" + clientId + "\"", 1).get(0))
                .contains("action=CONNECT result=ALLOWED", "user=\"" + user + "\"");
    }

    // ------------------------------------------------------------------ grants of several authorizers combine

    @Test
    void jwtScopeGrants_andFileRoleGrants_combineInOneSession_andTheAccessLogNamesBothAuthorizers() throws Exception {
        String n = unique();
        String user = "j" + n;
        String role = "r" + n;
        create(Realm.JWT_FILE_ROLES, user, role, true);
        awaitPublishAllowed(Realm.JWT_FILE_ROLES, user, role);

        String clientId = "live-combined-" + n;
        Mqtt5AsyncClient client = clients.hive5On(Realm.JWT_FILE_ROLES.pipeline, clientId);
        assertThat(connect5(client, user, JwtTokens.hs256(JwtTokens.claims(user, Duration.ofMinutes(5), role)
                .claim("scope", "openid telemetry:read").build()))).isZero();
        assertThat(subAck(client, "telemetry/#")).as("granted by the token's scope").isZero();
        assertThat(pubAck(client, "live/" + user + "/t")).as("granted by the file's role").isLessThan(0x80);
        assertThat(subAck(client, "#")).isEqualTo(0x87);
        assertThat(SecAccessLog.await("client=\"" + clientId + "\"", 1).get(0))
                .contains("action=CONNECT result=ALLOWED", "manager=\"jwt-tokens+roles-tokens+roles-users\"");
    }

    // ------------------------------------------------------------------ what a re-check logs

    @ParameterizedTest
    @EnumSource(names = {"SQL_H2", "LDAP"})
    void recheck_logsOnlySessionsWhosePermissionsChanged(Realm realm) throws Exception {
        String n = unique();
        String user = "l" + n;
        String role = "r" + n;
        String clientId = "live-logged-" + n;
        create(realm, user, role, true);
        awaitPublishAllowed(realm, user, role);
        String gateLogger = "io.rampart.server.security.PipelineGate";
        String realmLogger = realm == Realm.LDAP ? "io.rampart.security.realm.ldap" : "io.rampart.security.realm.sql";
        try (SecLogCapture gate = new SecLogCapture(gateLogger, Level.DEBUG);
             SecLogCapture realmLog = new SecLogCapture(realmLogger)) {
            Mqtt5AsyncClient client = clients.hive5On(realm.pipeline, clientId);
            assertThat(connect5(client, user, PW)).isZero();
            String passDone = "DEBUG pipeline '" + realm.pipeline + "': re-authorized ";
            int before = count(gate, passDone);
            eventually().until(() -> count(gate, passDone) >= before + 2);
            assertThat(gate.messages()).noneMatch(m -> m.startsWith("INFO") || m.startsWith("WARN"));

            change(realm, Change.ROLE_REMOVED_FROM_USER, user, role);

            String changed = "INFO pipeline '" + realm.pipeline + "': permissions of '" + user + "' (client '"
                    + clientId + "') changed after a realm change: 0 rule(s) now, 1 before";
            eventually().until(() -> count(gate, changed) == 1);
            int after = count(gate, passDone);
            eventually().until(() -> count(gate, passDone) >= after + 2);
            assertThat(gate.messages()).filteredOn(m -> m.startsWith("INFO") || m.startsWith("WARN"))
                    .containsExactly(changed);
            assertThat(realmLog.messages()).noneMatch(m -> m.startsWith("INFO"));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static ConditionFactory eventually() {
        return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200));
    }

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static int count(SecLogCapture log, String prefix) {
        return (int) log.messages().stream().filter(m -> m.startsWith(prefix)).count();
    }

    /** The password the user presents: its password, or for a JWT realm a token that carries its role. */
    private static String password(Realm realm, String user, String role) {
        return realm == Realm.JWT_FILE_ROLES ? JwtTokens.hs256(JwtTokens.claims(user, Duration.ofMinutes(10), role).build())
                : PW;
    }

    private Mqtt5AsyncClient live(Realm realm, String listener, String user, String role, String name) {
        Mqtt5AsyncClient c = clients.hive5On(listener, "live-" + name + "-" + unique());
        assertThat(connect5(c, user, password(realm, user, role))).isZero();
        return c;
    }

    /** Waits until a fresh session of the user may publish to its topic (the realm has taken the new user in). */
    private void awaitPublishAllowed(Realm realm, String user, String role) {
        eventually().until(() -> {
            try (RawMqttClient probe = RawMqttClient.tcp(broker.port(realm.pipeline))) {
                RawPacket connack = probe.sendConnect(RawPackets.connect(RawPackets.V5).clientId("live-probe-" + unique())
                        .credentials(user, utf8(password(realm, user, role))).build());
                return connack.reasonCode() == 0 && rawPubAck(probe, "live/" + user + "/probe", 1) < 0x80;
            }
        });
    }

    private int connectCode(Realm realm, String user, String password) {
        try (RawMqttClient probe = RawMqttClient.tcp(broker.port(realm.pipeline))) {
            return probe.sendConnect(RawPackets.connect(RawPackets.V5).clientId("live-probe-" + unique())
                    .credentials(user, utf8(password)).build()).reasonCode();
        }
    }

    private static int pubAck(Mqtt5AsyncClient c, String topic) {
        try {
            c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("m")).send().get(10, TimeUnit.SECONDS);
            return 0;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5PubAckException refused) {
                return refused.getMqttMessage().getReasonCode().getCode();
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int subAck(Mqtt5AsyncClient c, String filter) {
        try {
            return c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_MOST_ONCE).send()
                    .get(10, TimeUnit.SECONDS).getReasonCodes().get(0).getCode();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5SubAckException refused) {
                return refused.getMqttMessage().getReasonCodes().get(0).getCode();
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int rawPubAck(RawMqttClient raw, String topic, int packetId) {
        raw.send(RawPackets.publish(RawPackets.V5, topic, 1, packetId, utf8("m")));
        RawPacket ack = raw.expect(RawPacket.PUBACK);
        assertThat(ack.packetId()).isEqualTo(packetId);
        return ack.reasonCode();
    }

    // ------------------------------------------------------------------ the realms' stores

    /** A user with password {@link #PW} and, when {@code withRole}, role {@code role} granting all on its topic. */
    private static void create(Realm realm, String user, String role, boolean withRole) {
        switch (realm) {
            case FILE -> {
                if (withRole) {
                    file.role(role, true);
                }
                file.user(user, withRole ? List.of(role) : List.of());
                file.write();
            }
            case SQL_H2, SQL_POSTGRES -> {
                List<String> sql = new ArrayList<>(List.of(
                        "INSERT INTO users (username, password_hash, enabled) VALUES ('" + user + "', '"
                                + SecSetup.hash(PW) + "', TRUE)"));
                if (withRole) {
                    long id = permissionIds.incrementAndGet();
                    sql.addAll(List.of("INSERT INTO roles (name) VALUES ('" + role + "')",
                            "INSERT INTO permissions (id, topic_filter) VALUES (" + id + ", '" + TOPIC + "')",
                            "INSERT INTO role_permissions (role_name, permission_id) VALUES ('" + role + "', " + id + ")",
                            "INSERT INTO user_roles (username, role_name) VALUES ('" + user + "', '" + role + "')"));
                }
                sql(realm, sql.toArray(String[]::new));
            }
            case LDAP, LDAP_FILE_ROLES -> {
                ldap("dn: " + userDn(user), "objectClass: account", "objectClass: simpleSecurityObject",
                        "uid: " + user, "userPassword: " + PW);
                if (withRole) {
                    List<String> group = new ArrayList<>(List.of("dn: " + groupDn(role), "objectClass: groupOfNames",
                            "cn: " + role, "member: " + userDn(user)));
                    if (realm == Realm.LDAP) {
                        group.add("rampartPermission: allow all " + TOPIC);
                    } else {
                        file.role(role, true);
                        file.write();
                    }
                    ldap(group.toArray(String[]::new));
                }
            }
            case JWT_FILE_ROLES -> {
                file.role(role, true);
                file.write();
            }
        }
    }

    private static void change(Realm realm, Change change, String user, String role) throws Exception {
        switch (realm) {
            case FILE, JWT_FILE_ROLES -> {
                switch (change) {
                    case USER_DELETED -> file.users.remove(user);
                    case ROLE_REMOVED_FROM_USER -> file.user(user, List.of());
                    case ROLE_DELETED -> file.deleteRole(role);
                    case PERMISSION_REMOVED_FROM_ROLE -> file.role(role, false);
                    default -> throw new IllegalArgumentException(change + " for " + realm);
                }
                file.write();
            }
            case SQL_H2, SQL_POSTGRES -> sql(realm, switch (change) {
                case USER_DELETED -> "DELETE FROM users WHERE username = '" + user + "'";
                case USER_DISABLED -> "UPDATE users SET enabled = FALSE WHERE username = '" + user + "'";
                case ROLE_REMOVED_FROM_USER -> "DELETE FROM user_roles WHERE username = '" + user + "'";
                case ROLE_DELETED -> "DELETE FROM roles WHERE name = '" + role + "'";
                case PERMISSION_REMOVED_FROM_ROLE -> "DELETE FROM role_permissions WHERE role_name = '" + role + "'";
            });
            case LDAP, LDAP_FILE_ROLES -> {
                switch (change) {
                    case USER_DELETED -> ldap.server().delete(userDn(user));
                    case ROLE_REMOVED_FROM_USER -> ldap.server().modify(groupDn(role),
                            new Modification(ModificationType.DELETE, "member", userDn(user)));
                    case ROLE_DELETED -> ldap.server().delete(groupDn(role));
                    case PERMISSION_REMOVED_FROM_ROLE -> {
                        if (realm == Realm.LDAP) {
                            ldap.server().modify(groupDn(role),
                                    new Modification(ModificationType.DELETE, "rampartPermission"));
                        } else {
                            file.role(role, false);
                            file.write();
                        }
                    }
                    default -> throw new IllegalArgumentException(change + " for " + realm);
                }
            }
        }
    }

    private static void sql(Realm realm, String... statements) {
        if (realm == Realm.SQL_POSTGRES) {
            pg.execute(statements);
            return;
        }
        String url = "jdbc:h2:file:" + dir.resolve("data/realms/db/rampart");
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    private static String userDn(String user) {
        return "uid=" + user + ",ou=devices," + LDAP_BASE;
    }

    private static String groupDn(String role) {
        return "cn=" + role + ",ou=groups," + LDAP_BASE;
    }

    private static void ldap(String... ldif) {
        try {
            ldap.server().add(ldif);
        } catch (Exception e) {
            throw new IllegalStateException("LDAP add failed: " + e.getMessage(), e);
        }
    }

    /** The users file all file-backed setups share: users with roles, and roles that grant all on the user's topic. */
    private static final class UsersFile {
        final Map<String, List<String>> users = new LinkedHashMap<>();
        final Map<String, Boolean> roles = new LinkedHashMap<>();

        synchronized void user(String name, List<String> userRoles) {
            users.put(name, List.copyOf(userRoles));
        }

        synchronized void role(String name, boolean grants) {
            roles.put(name, grants);
        }

        synchronized void deleteRole(String name) {
            roles.remove(name);
            users.replaceAll((user, userRoles) -> userRoles.stream().filter(r -> !r.equals(name)).toList());
        }

        synchronized void write() {
            StringBuilder yaml = new StringBuilder("users:\n");
            users.forEach((name, userRoles) -> {
                yaml.append("  - username: ").append(name).append("\n    password: \"").append(SecSetup.hash(PW))
                        .append("\"\n");
                if (!userRoles.isEmpty()) {
                    yaml.append("    roles: [").append(String.join(", ", userRoles)).append("]\n");
                }
            });
            yaml.append("roles:\n");
            roles.forEach((name, grants) -> {
                yaml.append("  - name: ").append(name).append('\n');
                if (grants) {
                    yaml.append("    permissions: [{topic: \"").append(TOPIC).append("\"}]\n");
                }
            });
            SecSetup.writeUsers(usersFile, yaml.toString().replace("users:\nroles:", "users: []\nroles:")
                    .replaceAll("roles:\n$", "roles: []\n"));
        }
    }
}
