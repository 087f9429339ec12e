package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
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
import java.util.UUID;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Connects.connect3;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.connectPaho3;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client-id rules of a role in the file realm end to end: {@code client-id: "${mqtt-username}-*"} lets bob use
 * {@code bob-1} but not {@code alice-1} (CONNACK 0x85, MQTT 3.1.1 return code 2), a deny rule carves ids out,
 * rules of several roles add up, and an identity without client-id rules may use any id. Real HiveMQ and Paho
 * clients; the access log names the rule and the manager that granted it.
 */
class SecurityClientIdRulesIT {

    private static final String PW = "rules-Pa55";

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
                  - {username: bob, password: "%1$s", roles: [devices]}
                  - {username: carl, password: "%1$s", roles: [devices, pool]}
                  - {username: free, password: "%1$s", permissions: [{topic: "free/#"}]}
                roles:
                  - name: devices
                    permissions:
                      - client-id: "${mqtt-username}-*"
                      - client-id: "*-admin"
                        effect: deny
                      - topic: "devices/${mqtt-clientid}/#"
                  - name: pool
                    permissions:
                      - client-id: "pool-*"
                """.formatted(SecSetup.hash(PW)));
        broker = SecSetup.start("""
                realms:
                  - {name: local, type: file, path: "%s"}
                pipelines:
                  - name: default
                    listeners: ["*"]
                    authentication: [{type: password, realm: local}]
                    authorization: [{type: realm, realm: local}]
                brute-force: {enabled: false}
                """.formatted(users));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void rolePattern_refusesBobWithAlicesId_andAcceptsHisOwn() {
        String alices = "alice-" + unique();
        String bobs = "bob-" + unique();

        assertThat(connect5(clients.hive5(RawTransport.TCP, alices), "bob", PW)).isEqualTo(0x85);
        assertThat(connect3(clients.hive3(RawTransport.WEBSOCKET, alices), "bob", PW)).isEqualTo(2);
        Mqtt5AsyncClient bob = clients.hive5(RawTransport.TCP, bobs);
        assertThat(connect5(bob, "bob", PW)).isZero();
        await(bob.publishWith().topic("devices/" + bobs + "/t").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("1")).send());

        assertThat(SecAccessLog.await("client=\"" + alices + "\"", 2)).allSatisfy(line -> assertThat(line)
                .contains("action=CONNECT result=DENIED kind=client-id-not-allowed")
                .contains("user=\"bob\" identity=\"bob\"")
                .contains("manager=\"password-local+roles-local\" realm=\"local\"")
                .contains("reason=\"client id matches no allow client-id rule (allowed: 'bob-*')\""));
        assertThat(SecAccessLog.await("client=\"" + bobs + "\"", 1).get(0)).contains("action=CONNECT result=ALLOWED");
    }

    @Test
    void denyRule_carvesIdsOutOfTheAllowedOnes() throws Exception {
        String admin = "bob-" + unique() + "-admin";
        assertThat(connectPaho3(clients.paho3(RawTransport.TCP, admin), "bob", PW)).isEqualTo(2);
        assertThat(SecAccessLog.await("client=\"" + admin + "\"", 1).get(0))
                .contains("kind=client-id-not-allowed")
                .contains("reason=\"client id matches the deny client-id rule '*-admin'\"");
    }

    @Test
    void rulesOfSeveralRoles_addUp() {
        assertThat(connect5(clients.hive5(RawTransport.TCP, "pool-" + unique()), "carl", PW)).isZero();
        assertThat(connect5(clients.hive5(RawTransport.TCP, "carl-" + unique()), "carl", PW)).isZero();
        assertThat(connect5(clients.hive5(RawTransport.TCP, "bob-" + unique()), "carl", PW)).isEqualTo(0x85);
    }

    @Test
    void identityWithoutClientIdRules_mayUseAnyId() {
        assertThat(connect5(clients.hive5(RawTransport.TCP, "bob-" + unique()), "free", PW)).isZero();
        assertThat(connect5(clients.hive5(RawTransport.TCP, "anything-" + unique()), "free", PW)).isZero();
    }

    @Test
    void anIdTheBrokerAssigns_isNotSubjectToTheRules() {
        Mqtt5AsyncClient c = clients.hive5(RawTransport.TCP, null);
        Mqtt5ConnAck ack = await(c.connectWith().cleanStart(true).simpleAuth().username("bob").password(utf8(PW))
                .applySimpleAuth().send());
        assertThat(ack.getReasonCode().getCode()).isZero();
        assertThat(ack.getAssignedClientIdentifier()).hasValueSatisfying(id -> assertThat(id.toString())
                .startsWith("rampart-"));
    }
}
