package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.Await;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.failure;
import static io.rampart.server.it.support.Await.next;
import static io.rampart.server.it.support.Connects.connect3;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.connectPaho3;
import static io.rampart.server.it.support.Connects.connectPaho5;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONNECT through the security pipeline end to end: bad credentials, no permissions, unavailable or
 * silent realms (fail closed within the timeout), listeners without a pipeline, the anonymous manager,
 * and the will's authorization. MQTT 5 reason codes 0x86/0x87/0x88 and MQTT 3 return codes 4/5/3.
 */
class SecurityConnectIT {

    private static final String ALICE_PW = "alice-Pa55-connect";

    @TempDir
    static Path dir;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void startBroker() {
        Path users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, """
                users:
                  - username: alice
                    password: "%s"
                    permissions:
                      - topic: "alice/#"
                      - topic: "will/ok/#"
                """.formatted(SecSetup.hash(ALICE_PW)));
        broker = SecSetup.start("""
                - {type: tcp, name: noperm, bind: 127.0.0.1, port: 0}
                - {type: tcp, name: slow, bind: 127.0.0.1, port: 0}
                - {type: tcp, name: failing, bind: 127.0.0.1, port: 0}
                - {type: tcp, name: bare, bind: 127.0.0.1, port: 0}
                """, """
                realms:
                  - {name: local, type: file, path: "%s", credential-cache: 60}
                pipelines:
                  - name: default
                    listeners: [tcp, ws]
                    authentication:
                      - {type: password, realm: local}
                      - {type: anonymous, permissions: [{topic: "public/#", activity: subscribe}]}
                    authorization:
                      - {type: realm, realm: local}
                  - name: noperm
                    listeners: [noperm]
                    authentication:
                      - {type: password, realm: local}
                    authorization:
                      - {type: custom, class: io.rampart.server.it.support.SecNoOpinionAuthorizer}
                  - name: slow
                    listeners: [slow]
                    authentication:
                      - {type: custom, name: slow-realm, class: io.rampart.server.it.support.SecSlowAuthenticator}
                    timeout: 1
                  - name: failing
                    listeners: [failing]
                    authentication:
                      - {type: custom, name: broken-realm, class: io.rampart.server.it.support.SecFailingAuthenticator,
                         options: {message: "directory offline"}}
                    timeout: 1
                brute-force: {enabled: false}
                """.formatted(users));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static String id(String name) {
        return "sec-conn-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // ------------------------------------------------------------------ credentials

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void connect_withRightPassword_isAccepted(RawTransport transport) throws Exception {
        assertThat(connect5(clients.hive5(transport, id("ok5")), "alice", ALICE_PW)).isZero();
        assertThat(connect3(clients.hive3(transport, id("ok3")), "alice", ALICE_PW)).isZero();
        assertThat(connectPaho3(clients.paho3(transport, id("okp3")), "alice", ALICE_PW)).isZero();
        assertThat(connectPaho5(clients.paho5(transport, id("okp5")), "alice", ALICE_PW)).isZero();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void connect_withWrongPassword_isRefusedAsBadCredentials(RawTransport transport) throws Exception {
        assertThat(connect5(clients.hive5(transport, id("bad5")), "alice", "wrong")).isEqualTo(0x86);
        assertThat(connect3(clients.hive3(transport, id("bad3")), "alice", "wrong")).isEqualTo(4);
        assertThat(connectPaho3(clients.paho3(transport, id("badp3")), "alice", "wrong")).isEqualTo(4);
        assertThat(connectPaho5(clients.paho5(transport, id("badp5")), "alice", "wrong")).isEqualTo(0x86);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void connect_withUnknownUser_isRefusedAsBadCredentials(RawTransport transport) throws Exception {
        assertThat(connect5(clients.hive5(transport, id("unk5")), "mallory", ALICE_PW)).isEqualTo(0x86);
        assertThat(connect3(clients.hive3(transport, id("unk3")), "mallory", ALICE_PW)).isEqualTo(4);
        assertThat(connectPaho3(clients.paho3(transport, id("unkp3")), "mallory", ALICE_PW)).isEqualTo(4);
        assertThat(connectPaho5(clients.paho5(transport, id("unkp5")), "mallory", ALICE_PW)).isEqualTo(0x86);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void connect_whenRefused_theConnectionIsClosed(RawTransport transport) {
        RawMqttClient raw = clients.raw(transport);
        RawPacket connack = raw.sendConnect(RawPackets.connect(RawPackets.V5).clientId(id("raw-bad"))
                .credentials("alice", utf8("wrong")).build());
        assertThat(connack.type()).isEqualTo(RawPacket.CONNACK);
        assertThat(connack.reasonCode()).isEqualTo(0x86);
        assertThat(raw.readUntilClosed()).isEmpty();
    }

    // ------------------------------------------------------------------ authorization and realms

    @Test
    void connect_whenNoAuthorizationManagerGrantsAnything_aKnownUserConnectsWithNoPermissions() {
        String clientId = id("noperm5");
        assertThat(connect5(clients.hive5On("noperm", clientId), "alice", ALICE_PW)).isZero();
        assertThat(connect3(clients.hive3On("noperm", id("noperm3")), "alice", ALICE_PW)).isZero();
        assertThat(SecAccessLog.await("client=\"" + clientId + "\"", 1).get(0))
                .contains("action=CONNECT result=ALLOWED", "manager=\"password-local\"");
        RawMqttClient raw = clients.rawOn("noperm");
        raw.connect(RawPackets.connect(RawPackets.V5).clientId(id("noperm-raw")).credentials("alice", utf8(ALICE_PW))
                .build());
        assertThat(raw.subscribe(1, 1, "alice/#").reasonCodes()).containsExactly(0x87);
    }

    @Test
    void connect_whenRealmNeverAnswers_isRefusedAsUnavailableAfterTheTimeout() {
        long start = System.nanoTime();
        assertThat(connect5(clients.hive5On("slow", id("slow5")), "alice", ALICE_PW)).isEqualTo(0x88);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        // The 1 s timeout decided, not the client's or the listener's connect timeout (10 s).
        assertThat(elapsedMs).isGreaterThanOrEqualTo(900).isLessThan(Await.TIMEOUT.toMillis());
        assertThat(connect3(clients.hive3On("slow", id("slow3")), "alice", ALICE_PW)).isEqualTo(3);
    }

    @Test
    void connect_whenRealmFails_isRefusedAsUnavailable() {
        assertThat(connect5(clients.hive5On("failing", id("fail5")), "alice", ALICE_PW)).isEqualTo(0x88);
        assertThat(connect3(clients.hive3On("failing", id("fail3")), "alice", ALICE_PW)).isEqualTo(3);
    }

    @Test
    void connect_onListenerWithoutPipelineOrAllowAnonymous_isRefusedAsNotAuthorized() {
        assertThat(connect5(clients.hive5On("bare", id("bare5")), "alice", ALICE_PW)).isEqualTo(0x87);
        assertThat(connect5(clients.hive5On("bare", id("bare5-anon")), null, null)).isEqualTo(0x87);
        assertThat(connect3(clients.hive3On("bare", id("bare3")), null, null)).isEqualTo(5);
    }

    // ------------------------------------------------------------------ anonymous

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void connect_withoutCredentials_isAnonymousWithOnlyItsPermissions(RawTransport transport) {
        RawMqttClient raw = clients.raw(transport);
        raw.connect(RawPackets.V5, id("anon"));
        assertThat(raw.subscribe(1, 1, "public/#", "alice/#", "#").reasonCodes()).containsExactly(1, 0x87, 0x87);
        raw.send(RawPackets.publish(RawPackets.V5, "public/news", 1, 2, utf8("x")));
        RawPacket puback = raw.expect(RawPacket.PUBACK);
        assertThat(puback.reasonCode()).isEqualTo(0x87);

        Mqtt3AsyncClient v3 = clients.hive3(transport, id("anon3"));
        assertThat(connect3(v3, null, null)).isZero();
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void connect_withCredentials_isNeverTreatedAsAnonymous(RawTransport transport) {
        assertThat(connect5(clients.hive5(transport, id("cred-wrong")), "alice", "wrong")).isEqualTo(0x86);
        assertThat(connect5(clients.hive5(transport, id("cred-nopw")), "alice", null)).isEqualTo(0x86);
        assertThat(connect5(clients.hive5(transport, id("cred-unknown")), "nobody", null)).isEqualTo(0x86);
        assertThat(connect3(clients.hive3(transport, id("cred-wrong3")), "alice", "wrong")).isEqualTo(4);
    }

    // ------------------------------------------------------------------ will

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void connect_withWillToForbiddenTopic_isRefusedAsNotAuthorized(RawTransport transport) {
        Mqtt5AsyncClient v5 = clients.hive5(transport, id("will5"));
        Throwable refused5 = failure(v5.connectWith().simpleAuth().username("alice").password(utf8(ALICE_PW))
                .applySimpleAuth().willPublish().topic("forbidden/will").payload(utf8("gone")).applyWillPublish().send());
        assertThat(refused5).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87));

        Mqtt3AsyncClient v3 = clients.hive3(transport, id("will3"));
        Throwable refused3 = failure(v3.connectWith().simpleAuth().username("alice").password(utf8(ALICE_PW))
                .applySimpleAuth().willPublish().topic("forbidden/will").payload(utf8("gone")).applyWillPublish().send());
        assertThat(refused3).isInstanceOfSatisfying(Mqtt3ConnAckException.class,
                e -> assertThat(e.getMqttMessage().getReturnCode().getCode()).isEqualTo(5));

        // An anonymous client's will is checked against the anonymous manager's permissions as well.
        RawMqttClient raw = clients.raw(transport);
        RawPacket connack = raw.sendConnect(RawPackets.connect(RawPackets.V5).clientId(id("will-anon"))
                .will("public/will", utf8("gone"), 0, false).build());
        assertThat(connack.reasonCode()).isEqualTo(0x87);
    }

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void will_whenAllowed_isPublishedOnAbnormalClose(RawTransport transport) {
        Mqtt5AsyncClient watcher = clients.hive5(transport, id("watcher"));
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(watcher);
        assertThat(connect5(watcher, "alice", ALICE_PW)).isZero();
        await(watcher.subscribeWith().topicFilter("will/ok/#").qos(MqttQos.AT_LEAST_ONCE).send());

        RawMqttClient raw = clients.raw(transport);
        String topic = "will/ok/" + UUID.randomUUID();
        raw.connect(RawPackets.connect(RawPackets.V5).clientId(id("dying")).credentials("alice", utf8(ALICE_PW))
                .will(topic, utf8("last words"), 1, false).build());
        raw.abort();

        Mqtt5Publish will = next(inbox);
        assertThat(will.getTopic().toString()).isEqualTo(topic);
        assertThat(new String(will.getPayloadAsBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("last words");
    }
}
