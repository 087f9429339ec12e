package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.next;
import static io.rampart.server.it.support.Connects.connect3;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Client ids are bound to the identity whose session they name: with the default {@code client-id-ownership:
 * strict}, bob can neither resume alice's persistent session nor knock her live connection off, while alice herself
 * resumes and takes over as MQTT requires; with {@code takeover} the plain MQTT behaviour applies. Real HiveMQ
 * clients (MQTT 5 and 3.1.1), the access log asserted.
 */
class SecurityClientIdOwnershipIT {

    private static final String PW = "owner-Pa55";
    private static final String SECURITY = """
            realms:
              - {name: local, type: file, path: "%s"}
            pipelines:
              - name: default
                listeners: ["*"]
                authentication:
                  - {type: password, realm: local}
                  - {type: anonymous, permissions: [{topic: "guests/#"}]}
                authorization: [{type: realm, realm: local}]
            brute-force: {enabled: false}
            """;

    @TempDir
    static Path dir;
    private static TestBroker strict;
    private static TestBroker takeover;
    @RegisterExtension
    final Clients clients = new Clients(strict);
    @RegisterExtension
    final Clients lax = new Clients(takeover);

    @BeforeAll
    static void startBrokers() {
        Path users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, """
                users:
                  - {username: alice, password: "%1$s", permissions: [{topic: "inbox/alice/#"}]}
                  - {username: bob, password: "%1$s", permissions: [{topic: "inbox/#", activity: publish}]}
                """.formatted(SecSetup.hash(PW)));
        strict = SecSetup.start("", SECURITY.formatted(users), "");
        takeover = SecSetup.start("", SECURITY.formatted(users), "client-id-ownership: takeover");
    }

    @AfterAll
    static void stopBrokers() {
        strict.close();
        takeover.close();
    }

    private static String id(String name) {
        return "own-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** CONNECT with a password and the given session flags; the CONNACK, also when it refuses. */
    private static Mqtt5ConnAck connack(Mqtt5AsyncClient c, String user, boolean cleanStart, long expiry) {
        try {
            return await(c.connectWith().cleanStart(cleanStart).sessionExpiryInterval(expiry)
                    .simpleAuth().username(user).password(utf8(PW)).applySimpleAuth().send());
        } catch (AssertionError e) {
            if (e.getCause() instanceof Mqtt5ConnAckException refused) {
                return refused.getMqttMessage();
            }
            throw e;
        }
    }

    private static int code(Mqtt5ConnAck ack) {
        return ack.getReasonCode().getCode();
    }

    private static void publish(Mqtt5AsyncClient c, String topic, String payload) {
        await(c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(utf8(payload)).send());
    }

    private static String text(Mqtt5Publish p) {
        return p.getTopic() + "=" + new String(p.getPayloadAsBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Bob, connected under a client id of his own, to publish to alice. */
    private Mqtt5AsyncClient bobPublisher(Clients on) {
        Mqtt5AsyncClient bob = on.hive5(RawTransport.TCP, id("bob-pub"));
        assertThat(code(connack(bob, "bob", true, 0))).isZero();
        return bob;
    }

    @Test
    void bob_cannotTakeAlicesPersistentSession_andAliceResumesItWithWhatArrivedMeanwhile() {
        String phone = id("alice-phone");
        Mqtt5AsyncClient alice = clients.hive5(RawTransport.TCP, phone);
        assertThat(code(connack(alice, "alice", true, 300))).isZero();
        await(alice.subscribeWith().topicFilter("inbox/alice/#").qos(MqttQos.AT_LEAST_ONCE).send());
        await(alice.disconnect());

        assertThat(code(connack(clients.hive5(RawTransport.TCP, phone), "bob", false, 300))).isEqualTo(0x85);
        assertThat(code(connack(clients.hive5(RawTransport.TCP, phone), "bob", true, 0))).as("clean start").isEqualTo(0x85);
        assertThat(connect3(clients.hive3(RawTransport.TCP, phone), "bob", PW)).as("MQTT 3.1.1").isEqualTo(2);

        publish(bobPublisher(clients), "inbox/alice/m1", "while away");
        Mqtt5AsyncClient back = clients.hive5(RawTransport.TCP, phone);
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(back);
        Mqtt5ConnAck resumed = connack(back, "alice", false, 300);
        assertThat(code(resumed)).isZero();
        assertThat(resumed.isSessionPresent()).isTrue();
        assertThat(text(next(inbox))).isEqualTo("inbox/alice/m1=while away");

        List<String> refused = SecAccessLog.await("client=\"" + phone + "\" user=\"bob\"", 3);
        assertThat(refused).hasSize(3).allSatisfy(line -> assertThat(line)
                .contains("action=CONNECT result=DENIED kind=client-id-owned")
                .contains("identity=\"bob\"")
                .contains("manager=\"password-local+roles-local\"")
                .contains("reason=\"client id belongs to the session of 'alice' (realm local)"
                        + " (mqtt.client-id-ownership: strict)\""));
    }

    @Test
    void bob_cannotKnockAlicesLiveConnectionOff_sheStaysConnectedAndKeepsReceiving() {
        String sensor = id("alice-sensor");
        Mqtt5AsyncClient alice = clients.hive5(RawTransport.TCP, sensor);
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(alice);
        assertThat(code(connack(alice, "alice", true, 0))).isZero();
        await(alice.subscribeWith().topicFilter("inbox/alice/#").qos(MqttQos.AT_LEAST_ONCE).send());

        assertThat(code(connack(clients.hive5(RawTransport.TCP, sensor), "bob", true, 0))).isEqualTo(0x85);
        assertThat(connect3(clients.hive3(RawTransport.WEBSOCKET, sensor), "bob", PW)).isEqualTo(2);

        assertThat(alice.getState().isConnected()).isTrue();
        assertThat(strict.session(sensor).isConnected()).isTrue();
        publish(bobPublisher(clients), "inbox/alice/live", "still here");
        assertThat(text(next(inbox))).isEqualTo("inbox/alice/live=still here");
    }

    @Test
    void alice_reconnecting_takesOverHerOwnLiveConnection() {
        String laptop = id("alice-laptop");
        Mqtt5AsyncClient first = clients.hive5(RawTransport.TCP, laptop);
        assertThat(code(connack(first, "alice", false, 300))).isZero();

        Mqtt5ConnAck second = connack(clients.hive5(RawTransport.WEBSOCKET, laptop), "alice", false, 300);

        assertThat(code(second)).isZero();
        assertThat(second.isSessionPresent()).isTrue();
        await().atMost(Duration.ofSeconds(15)).until(() -> !first.getState().isConnected());
    }

    @Test
    void anonymousClients_ownNothing_andCannotTakeAnIdentitysSession() {
        String owned = id("alice-owned");
        assertThat(code(connack(clients.hive5(RawTransport.TCP, owned), "alice", true, 0))).isZero();
        Mqtt5AsyncClient guest = clients.hive5(RawTransport.TCP, owned);
        Throwable refused = io.rampart.server.it.support.Await.failure(guest.connectWith().cleanStart(true).send());
        assertThat(refused).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x85));

        String guestId = id("guest");
        Mqtt5AsyncClient anonymous = clients.hive5(RawTransport.TCP, guestId);
        await(anonymous.connectWith().cleanStart(false).sessionExpiryInterval(300).send());
        assertThat(code(connack(clients.hive5(RawTransport.TCP, guestId), "alice", false, 300))).isZero();
        await().atMost(Duration.ofSeconds(15)).until(() -> !anonymous.getState().isConnected());
        assertThat(SecAccessLog.await("client=\"" + owned + "\" user=-", 1).get(0))
                .contains("kind=client-id-owned").contains("identity=\"anonymous\"");
    }

    @Test
    void onceTheOwnersSessionExpired_theClientIdIsFree() {
        String shortLived = id("alice-short");
        Mqtt5AsyncClient alice = clients.hive5(RawTransport.TCP, shortLived);
        assertThat(code(connack(alice, "alice", true, 1))).isZero();
        await(alice.disconnect());
        await().atMost(Duration.ofSeconds(15)).until(() -> strict.session(shortLived) == null);

        Mqtt5ConnAck bob = connack(clients.hive5(RawTransport.TCP, shortLived), "bob", false, 0);
        assertThat(code(bob)).isZero();
        assertThat(bob.isSessionPresent()).isFalse();
    }

    @Test
    void withTakeover_bobTakesAlicesSessionAndHerLiveConnection() {
        String phone = id("alice-phone");
        Mqtt5AsyncClient alice = lax.hive5(RawTransport.TCP, phone);
        assertThat(code(connack(alice, "alice", false, 300))).isZero();

        Mqtt5ConnAck bob = connack(lax.hive5(RawTransport.TCP, phone), "bob", false, 300);

        assertThat(code(bob)).isZero();
        assertThat(bob.isSessionPresent()).isTrue();
        await().atMost(Duration.ofSeconds(15)).until(() -> !alice.getState().isConnected());
        assertThat(SecAccessLog.await("client=\"" + phone + "\" user=\"bob\"", 1).get(0))
                .contains("action=CONNECT result=ALLOWED").contains("identity=\"bob\"");
    }
}
