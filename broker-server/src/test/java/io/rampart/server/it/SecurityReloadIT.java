package io.rampart.server.it;

import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecLogCapture;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hot reload of the users file while the broker runs: new users, permission changes applied to live
 * sessions without a reconnect, an invalid edit that keeps the previous content (and says where it is
 * broken), and removed users disconnected when the pipeline asks for it.
 */
class SecurityReloadIT {

    private static final String PW = "reload-Pa55";

    @TempDir
    static Path dir;
    private static Path users;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);
    private final AtomicInteger packetIds = new AtomicInteger(1);

    @BeforeAll
    static void startBroker() {
        users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, usersFile(""));
        broker = SecSetup.start("""
                - {type: tcp, name: strict, bind: 127.0.0.1, port: 0}
                """, """
                realms:
                  - {name: local, type: file, path: "%s", credential-cache: 0}
                pipelines:
                  - name: default
                    listeners: [tcp, ws]
                    authentication: [{type: password, realm: local}]
                    authorization: [{type: realm, realm: local}]
                  - name: strict
                    listeners: [strict]
                    authentication: [{type: password, realm: local}]
                    authorization: [{type: realm, realm: local}]
                    disconnect-removed-users: true
                brute-force: {enabled: false}
                """.formatted(users));
    }

    /** keeper and doomed may use x/#; {@code extra} is appended to the user list. */
    private static String usersFile(String extra) {
        String hash = SecSetup.hash(PW);
        return """
                users:
                  - username: keeper
                    password: "%1$s"
                    permissions: [{topic: "x/#"}]
                  - username: doomed
                    password: "%1$s"
                    permissions: [{topic: "x/#"}]
                """.formatted(hash) + extra.formatted(hash);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void setUp() {
        SecSetup.writeUsers(users, usersFile(""));
        eventually().until(() -> connects("doomed") && !connects("newcomer"));
    }

    private static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100));
    }

    private boolean connects(String user) {
        try (Clients once = new Clients(broker)) {
            return connect5(once.hive5(RawTransport.TCP, "sec-reload-probe-" + UUID.randomUUID()), user, PW) == 0;
        }
    }

    private RawMqttClient live(String listener, String user) {
        RawMqttClient raw = listener.equals("tcp") ? clients.raw(RawTransport.TCP) : clients.rawOn(listener);
        raw.connect(RawPackets.connect(RawPackets.V5).clientId("sec-reload-" + user + "-" + UUID.randomUUID())
                .credentials(user, utf8(PW)).build());
        return raw;
    }

    private int pubAck(RawMqttClient raw, String topic) {
        int packetId = packetIds.getAndIncrement();
        raw.send(RawPackets.publish(RawPackets.V5, topic, 1, packetId, utf8("m")));
        RawPacket ack = raw.expect(RawPacket.PUBACK);
        assertThat(ack.packetId()).isEqualTo(packetId);
        return ack.reasonCode();
    }

    @Test
    void newUser_canConnectRightAfterTheFileIsWritten() {
        assertThat(connects("newcomer")).isFalse();
        SecSetup.writeUsers(users, usersFile("""
                  - {username: newcomer, password: "%1$s", permissions: [{topic: "n/#"}]}
                """));
        eventually().until(() -> connects("newcomer"));
    }

    @Test
    void permissionChange_appliesToLiveSessionWithoutReconnect() {
        RawMqttClient keeper = live("tcp", "keeper");
        assertThat(pubAck(keeper, "y/1")).isEqualTo(0x87);

        SecSetup.writeUsers(users, usersFile("").replace("permissions: [{topic: \"x/#\"}]\n  - username: doomed",
                "permissions: [{topic: \"x/#\"}, {topic: \"y/#\"}]\n  - username: doomed"));
        eventually().until(() -> pubAck(keeper, "y/1") < 0x80);

        SecSetup.writeUsers(users, usersFile(""));
        eventually().until(() -> pubAck(keeper, "y/1") == 0x87);
        assertThat(pubAck(keeper, "x/1")).isLessThan(0x80);
        assertThat(keeper.ping()).isTrue();
    }

    @Test
    void invalidEdit_keepsThePreviousContentAndLogsFileLineAndReason() {
        RawMqttClient keeper = live("tcp", "keeper");
        try (SecLogCapture log = new SecLogCapture("io.rampart.security.realm.file")) {
            SecSetup.writeUsers(users, usersFile("""
                  - username: broken
                    passwort: "%1$s"
                """));
            eventually().until(() -> log.messages().stream().anyMatch(m -> m.startsWith("ERROR")));
            List<String> errors = log.messages().stream().filter(m -> m.startsWith("ERROR")).toList();
            // users[2].passwort is on line 9 of the file
            assertThat(errors.get(0)).contains(users.toString() + ":9:").contains("users[2].passwort")
                    .contains("unknown key").contains("previous content");
        }
        assertThat(connects("keeper")).isTrue();
        assertThat(connects("broken")).isFalse();
        assertThat(pubAck(keeper, "x/1")).isLessThan(0x80);
    }

    @Test
    void removedUser_isDisconnectedWhenThePipelineSaysSo() {
        RawMqttClient strict = live("strict", "doomed");
        RawMqttClient lenient = live("tcp", "doomed");
        assertThat(pubAck(lenient, "x/1")).isLessThan(0x80);

        SecSetup.writeUsers(users, usersFile("").replaceAll("(?s)  - username: doomed.*", ""));

        List<RawPacket> last = strict.readUntilClosed(Duration.ofSeconds(15));
        assertThat(last).hasSize(1);
        assertThat(last.get(0).type()).isEqualTo(RawPacket.DISCONNECT);
        assertThat(last.get(0).reasonCode()).isEqualTo(0x87);

        // disconnect-removed-users: false keeps the connection but takes every permission away.
        eventually().until(() -> pubAck(lenient, "x/1") == 0x87);
        assertThat(lenient.ping()).isTrue();
    }
}
