package io.rampart.server.it;

import io.rampart.server.Main;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import static io.rampart.server.it.support.Connects.connect3;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The SQL realm's embedded default (no jdbc-url: an H2 file database under the data directory, created with
 * the schema on first start), managed with {@code rampart users} while the broker runs, and used by real
 * clients end to end with the access log asserted.
 */
class SqlRealmEmbeddedIT {

    @TempDir
    static Path dir;
    private static Path config;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void start() throws Exception {
        String yaml = """
                data-dir: "%s"
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0}
                  - {type: websocket, name: ws, bind: 127.0.0.1, port: 0, path: /mqtt}
                security:
                  realms:
                    - {name: local, type: sql, cache: {size: 100, ttl: 1s}}
                  pipelines:
                    - name: default
                      listeners: [tcp, ws]
                      authentication: [{type: password, realm: local}]
                      authorization: [{type: realm, realm: local}]
                  brute-force: {enabled: false}
                """.formatted(dir.resolve("data"));
        config = dir.resolve("broker.yaml");
        Files.writeString(config, yaml);
        broker = TestBroker.startYaml(yaml);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static String id(String name) {
        return "sql-h2-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** {@code rampart users --config <config> --realm local ARGS}, as the launcher runs it. */
    private static String[] users(String stdin, String... args) {
        String[] full = new String[args.length + 5];
        full[0] = "users";
        full[1] = "--config";
        full[2] = config.toString();
        full[3] = "--realm";
        full[4] = "local";
        System.arraycopy(args, 0, full, 5, args.length);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        InputStream previous = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int code = cl.execute(full);
            return new String[]{Integer.toString(code), out.toString(), err.toString()};
        } finally {
            System.setIn(previous);
        }
    }

    private static void sql(String... statements) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("data/realms/local/rampart");
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    @Test
    void firstStart_createsTheDatabaseInTheDataDirectory() {
        assertThat(dir.resolve("data/realms/local/rampart.mv.db")).isRegularFile();
    }

    @Test
    void userAddedWithTheCli_connects_andRoleGrantsReachTheLiveSession() throws Exception {
        String[] add = users("cli-Pa55-word\n", "add", "cli-user", "--roles", "sensors", "--password-stdin");
        assertThat(add[0]).as(add[2]).isEqualTo("0");
        assertThat(add[1]).contains("added user 'cli-user' to realm 'local' with roles sensors");

        String ok = id("ok");
        assertThat(connect5(clients.hive5(RawTransport.TCP, ok), "cli-user", "cli-Pa55-word")).isZero();
        String bad = id("bad");
        assertThat(connect3(clients.hive3(RawTransport.WEBSOCKET, bad), "cli-user", "wrong")).isEqualTo(4);
        assertThat(SecAccessLog.await("client=\"" + ok + "\"", 1).get(0))
                .contains("action=CONNECT result=ALLOWED").contains("user=\"cli-user\"")
                .contains("realm=\"local\" reason=\"authenticated as 'cli-user'\"");
        assertThat(SecAccessLog.await("client=\"" + bad + "\"", 1).get(0))
                .contains("action=CONNECT result=DENIED kind=bad-credentials")
                .contains("reason=\"wrong password for 'cli-user'\"");

        sql("INSERT INTO roles (name) VALUES ('readers')",
                "INSERT INTO permissions (id, topic_filter, activity) VALUES (100, 'news/#', 'subscribe')",
                "INSERT INTO role_permissions VALUES ('readers', 100)");
        RawMqttClient live = clients.raw(RawTransport.TCP);
        live.connect(RawPackets.connect(RawPackets.V5).clientId(id("live")).credentials("cli-user",
                utf8("cli-Pa55-word")).build());
        assertThat(live.subscribe(1, 1, "news/#").reasonCodes()).containsExactly(0x87);

        String[] grant = users("", "grant", "cli-user", "readers");
        assertThat(grant[0]).as(grant[2]).isEqualTo("0");
        int[] packetId = {2};
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> live.subscribe(packetId[0]++, 1, "news/#").reasonCodes()[0] == 1);

        String[] list = users("", "list");
        assertThat(list[1]).contains("cli-user\tenabled\treaders,sensors");
    }

    @Test
    void permissionsPermittedAndForbiddenWithTheCli_reachTheLiveSession() {
        assertThat(users("perm-Pa55\n", "add", "perm-user", "--password-stdin")[0]).isEqualTo("0");
        RawMqttClient live = clients.raw(RawTransport.TCP);
        live.connect(RawPackets.connect(RawPackets.V5).clientId(id("perm")).credentials("perm-user",
                utf8("perm-Pa55")).build());
        assertThat(live.subscribe(1, 1, "alerts/perm-user/#").reasonCodes()).containsExactly(0x87);

        String[] permit = users("", "permit", "--user", "perm-user", "--activity", "subscribe", "--qos", "0,1",
                "alerts/${mqtt-username}/#");
        assertThat(permit[0]).as(permit[2]).isEqualTo("0");
        int[] packetId = {2};
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> live.subscribe(packetId[0]++, 1, "alerts/perm-user/#").reasonCodes()[0] == 1);

        String[] forbid = users("", "forbid", "--role", "quiet", "alerts/+/secret/#");
        assertThat(forbid[0]).as(forbid[2]).isEqualTo("0");
        assertThat(users("", "grant", "perm-user", "quiet")[0]).isEqualTo("0");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> live.subscribe(packetId[0]++, 1, "alerts/perm-user/secret/#").reasonCodes()[0] == 0x87);
        assertThat(live.subscribe(packetId[0]++, 1, "alerts/perm-user/open").reasonCodes()).containsExactly(1);

        String[] listed = users("", "permissions", "--user", "perm-user");
        assertThat(listed[1]).contains("\tuser:perm-user\tallow\tsubscribe\talerts/${mqtt-username}/#\tqos=0,1\t");
    }

    @Test
    void passwordChangeAndRemoval_withTheCli_reachTheBrokerWithinTheTtl() {
        assertThat(users("first-Pa55\n", "add", "temp-user", "--password-stdin")[0]).isEqualTo("0");
        assertThat(connect5(clients.hive5(RawTransport.TCP, id("t1")), "temp-user", "first-Pa55")).isZero();

        assertThat(users("second-Pa55\n", "passwd", "temp-user", "--algorithm", "bcrypt", "--password-stdin")[0])
                .isEqualTo("0");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> connect5(clients.hive5(RawTransport.TCP, id("t2")), "temp-user", "second-Pa55") == 0);

        assertThat(users("", "remove", "temp-user")[0]).isEqualTo("0");
        String gone = id("gone");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> connect5(clients.hive5(RawTransport.TCP, gone + System.nanoTime()), "temp-user",
                        "second-Pa55") == 0x86);
        assertThat(SecAccessLog.await("reason=\"unknown user 'temp-user'\"", 1).get(0)).contains("realm=\"local\"");
    }

    @Test
    void clientIdRuleOfARoleInTheDatabase_refusesAnotherUsersId_andAcceptsItsOwn() throws Exception {
        assertThat(users("ids-Pa55\n", "add", "sqlbob", "--roles", "sqldevices", "--password-stdin")[0]).isEqualTo("0");
        sql("INSERT INTO permissions (id, client_id) VALUES (300, '${mqtt-username}-*')",
                "INSERT INTO role_permissions VALUES ('sqldevices', 300)");

        String alices = "alice-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(connect5(clients.hive5(RawTransport.TCP, alices), "sqlbob", "ids-Pa55")).isEqualTo(0x85);
        assertThat(connect3(clients.hive3(RawTransport.TCP, alices), "sqlbob", "ids-Pa55")).isEqualTo(2);
        assertThat(connect5(clients.hive5(RawTransport.TCP, "sqlbob-" + UUID.randomUUID()), "sqlbob", "ids-Pa55"))
                .isZero();
        assertThat(SecAccessLog.await("client=\"" + alices + "\"", 2)).allSatisfy(line -> assertThat(line)
                .contains("action=CONNECT result=DENIED kind=client-id-not-allowed")
                .contains("identity=\"sqlbob\"").contains("realm=\"local\"")
                .contains("reason=\"client id matches no allow client-id rule (allowed: 'sqlbob-*')\""));
    }
}
