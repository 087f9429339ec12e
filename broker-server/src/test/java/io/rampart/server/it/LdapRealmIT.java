package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.LdapMemoryDirectory;
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
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;

import static io.rampart.server.it.support.Await.next;
import static io.rampart.server.it.support.Connects.connect3;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.connectPaho3;
import static io.rampart.server.it.support.Connects.connectPaho5;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The LDAP realm end to end against the shipped example directory in an in-memory LDAP server, through real MQTT
 * clients: direct bind (devices) with roles from {@code memberOf} whose permissions come from a file realm;
 * search-then-bind with a service account (people) with nested groups and permission rules stored in the
 * directory; empty passwords and LDAP injection attempts in user names; the directory going down (CONNACK 0x88 /
 * return code 3) and coming back. Every decision is checked in the access log.
 */
class LdapRealmIT {

    @TempDir
    static Path dir;
    private static LdapMemoryDirectory directory;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void startBroker() throws Exception {
        directory = new LdapMemoryDirectory();
        Path roles = dir.resolve("roles.yaml");
        SecSetup.writeUsers(roles, """
                roles:
                  - name: sensors
                    permissions:
                      - {topic: "sensors/${mqtt-clientid}/#", activity: publish, qos: [0, 1]}
                  - name: operators
                    permissions:
                      - {topic: "sensors/#", activity: subscribe}
                """);
        broker = SecSetup.start("""
                - {type: tcp, name: people, bind: 127.0.0.1, port: 0}
                """, """
                realms:
                  - {name: roles, type: file, path: "%s"}
                  - name: devices-dir
                    type: ldap
                    servers: ["%s"]
                    allow-plaintext: true
                    user: {dn-template: "uid=${mqtt-username},ou=devices,dc=example,dc=org", object-class: account}
                    groups: {attribute: memberOf}
                    connect-timeout: 500ms
                    response-timeout: 2s
                    cache: {size: 100, ttl: 60, credential-ttl: 0}
                  - name: people-dir
                    type: ldap
                    servers: ["%s"]
                    allow-plaintext: true
                    bind-dn: "cn=rampart,ou=services,dc=example,dc=org"
                    bind-password: "${ENV:RAMPART_TEST_UNSET_LDAP_PW:-rampart-service-secret}"
                    user: {base-dn: "ou=people,dc=example,dc=org", filter: "(&(objectClass=inetOrgPerson)(uid=${mqtt-username}))"}
                    groups: {attribute: memberOf, nested: true, max-depth: 3}
                    permissions: {from-ldap: true}
                    pool-size: 2
                pipelines:
                  - name: devices
                    listeners: [tcp, ws]
                    authentication:
                      - {type: password, realm: devices-dir}
                    authorization:
                      - {type: realm, realm: roles}
                    timeout: 3
                  - name: people
                    listeners: [people]
                    authentication:
                      - {type: password, realm: people-dir}
                    authorization:
                      - {type: realm, realm: people-dir}
                    timeout: 3
                brute-force: {enabled: false}
                """.formatted(roles, directory.url(), directory.url()));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        directory.close();
    }

    private static String id(String name) {
        return "ldap-mem-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static int pubAck(Mqtt5AsyncClient c, String topic, MqttQos qos) {
        CompletableFuture<?> f = c.publishWith().topic(topic).qos(qos).payload(utf8("m")).send();
        try {
            f.get(10, java.util.concurrent.TimeUnit.SECONDS);
            return 0;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Mqtt5PubAckException refused) {
                return refused.getMqttMessage().getReasonCode().getCode();
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static int subAck(Mqtt5AsyncClient c, String filter) {
        try {
            return c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS).getReasonCodes().get(0).getCode();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Mqtt5SubAckException refused) {
                return refused.getMqttMessage().getReasonCodes().get(0).getCode();
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String line(String clientId) {
        List<String> lines = SecAccessLog.await("client=\"" + clientId + "\"", 1);
        return lines.get(0);
    }

    // ------------------------------------------------------------------ direct bind + file-realm roles

    @ParameterizedTest
    @EnumSource(RawTransport.class)
    void directBind_rightPassword_isAccepted_andRolesFromGroupsGetFileRealmPermissions(RawTransport transport)
            throws Exception {
        String clientId = id("s1");
        Mqtt5AsyncClient sensor = clients.hive5(transport, clientId);
        assertThat(connect5(sensor, "sensor-1", "sensor-1-secret")).isZero();
        assertThat(line(clientId)).contains("action=CONNECT result=ALLOWED", "user=\"sensor-1\"");

        assertThat(pubAck(sensor, "sensors/" + clientId + "/temp", MqttQos.AT_LEAST_ONCE)).isZero();
        assertThat(pubAck(sensor, "sensors/someone-else/temp", MqttQos.AT_LEAST_ONCE)).isEqualTo(0x87);
        assertThat(subAck(sensor, "sensors/#")).isEqualTo(0x87);
        assertThat(SecAccessLog.await("client=\"" + clientId + "\"", 3))
                .anyMatch(l -> l.contains("action=PUBLISH result=DENIED") && l.contains("sensors/someone-else/temp"))
                .anyMatch(l -> l.contains("action=SUBSCRIBE result=DENIED"));

        assertThat(connect3(clients.hive3(transport, id("s1v3")), "sensor-1", "sensor-1-secret")).isZero();
        assertThat(connectPaho3(clients.paho3(transport, id("s1p3")), "sensor-2", "sensor-2-secret")).isZero();
        assertThat(connectPaho5(clients.paho5(transport, id("s2p5")), "sensor-2", "sensor-2-secret")).isZero();
    }

    @Test
    void directBind_wrongPasswordOrUnknownDevice_isBadCredentials() {
        String wrong = id("wrong");
        assertThat(connect5(clients.hive5(RawTransport.TCP, wrong), "sensor-1", "sensor-2-secret")).isEqualTo(0x86);
        assertThat(line(wrong)).contains("result=DENIED kind=bad-credentials", "realm=\"devices-dir\"",
                "reason=\"unknown user or wrong password for 'sensor-1'");
        String unknown = id("unknown");
        assertThat(connect3(clients.hive3(RawTransport.TCP, unknown), "sensor-9", "sensor-1-secret")).isEqualTo(4);
        assertThat(line(unknown)).contains("result=DENIED kind=bad-credentials", "user=\"sensor-9\"");
    }

    @Test
    void emptyOrMissingPassword_isRefused_evenThoughTheDirectoryWouldAcceptAnAnonymousBind() {
        String empty = id("empty");
        assertThat(connect5(clients.hive5(RawTransport.TCP, empty), "sensor-1", "")).isEqualTo(0x86);
        assertThat(line(empty)).contains("kind=bad-credentials", "empty password refused");
        String none = id("none");
        assertThat(connect5(clients.hive5(RawTransport.TCP, none), "sensor-1", null)).isEqualTo(0x86);
        assertThat(line(none)).contains("kind=bad-credentials", "empty password refused");
        String v3 = id("empty3");
        assertThat(connect3(clients.hive3(RawTransport.TCP, v3), "sensor-1", "")).isEqualTo(4);
    }

    @Test
    void userWithoutGroups_connectsButHasNoPermissions() {
        String clientId = id("gw");
        Mqtt5AsyncClient gateway = clients.hive5(RawTransport.TCP, clientId);
        assertThat(connect5(gateway, "gateway-1", "gateway-1-secret")).isZero();
        assertThat(line(clientId)).contains("result=ALLOWED", "user=\"gateway-1\"", "manager=\"password-devices-dir\"");
        assertThat(pubAck(gateway, "sensors/" + clientId + "/temp", MqttQos.AT_LEAST_ONCE)).isEqualTo(0x87);
        assertThat(subAck(gateway, "sensors/#")).isEqualTo(0x87);
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "sensor-*", ")(uid=*", "sensor-1)(|(uid=*)", "\\", "sensor-1,ou=devices",
            "sensor-1+cn=x", ",=+<>#;\"", "#sensor-1", " sensor-1", "uid=sensor-1,ou=devices,dc=example,dc=org"})
    void injectionInUserName_isBadCredentials_forDevicesAndPeople(String username) {
        String device = id("inj-d");
        assertThat(connect5(clients.hive5(RawTransport.TCP, device), username, "sensor-1-secret")).isEqualTo(0x86);
        assertThat(line(device)).contains("result=DENIED kind=bad-credentials", "realm=\"devices-dir\"");
        String person = id("inj-p");
        assertThat(connect5(clients.hive5On("people", person), username.replace("sensor-1", "alice"), "alice-secret"))
                .isEqualTo(0x86);
        assertThat(line(person)).contains("result=DENIED kind=bad-credentials", "realm=\"people-dir\"");
    }

    // ------------------------------------------------------------------ search, then bind + rules from LDAP

    @Test
    void searchThenBind_nestedGroups_permissionsStoredInTheDirectory() throws Exception {
        String aliceId = id("alice");
        Mqtt5AsyncClient alice = clients.hive5On("people", aliceId);
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(alice);
        assertThat(connect5(alice, "alice", "alice-secret")).isZero();
        assertThat(line(aliceId)).contains("result=ALLOWED", "user=\"alice\"");
        assertThat(subAck(alice, "sensors/#")).isEqualTo(1);            // operators
        assertThat(subAck(alice, "sensors/secret/#")).isEqualTo(0x87);  // operators: deny
        assertThat(subAck(alice, "staff/#")).isEqualTo(1);              // staff, through operators (nested)
        assertThat(pubAck(alice, "commands/sensor-1/reboot", MqttQos.AT_LEAST_ONCE)).isZero();
        assertThat(pubAck(alice, "sensors/x/temp", MqttQos.AT_LEAST_ONCE)).isEqualTo(0x87);

        String sensorId = id("s1");
        Mqtt5AsyncClient sensor = clients.hive5(RawTransport.TCP, sensorId);
        assertThat(connect5(sensor, "sensor-1", "sensor-1-secret")).isZero();
        assertThat(pubAck(sensor, "sensors/" + sensorId + "/temp", MqttQos.AT_LEAST_ONCE)).isZero();
        assertThat(next(inbox).getTopic().toString()).isEqualTo("sensors/" + sensorId + "/temp");

        String bob = id("bob");
        assertThat(connectPaho3(clients.paho3(RawTransport.TCP, bob), "bob", "wrong")).isEqualTo(4);
        assertThat(line(bob)).contains("kind=bad-credentials", "wrong password for 'bob'");
    }

    // ------------------------------------------------------------------ outage

    @Test
    void directoryDown_connectIsServerUnavailableWithinTheTimeout_andTheBrokerRecovers() throws Exception {
        directory.stop();
        try {
            String v5 = id("down5");
            long start = System.nanoTime();
            assertThat(connect5(clients.hive5(RawTransport.TCP, v5), "sensor-1", "sensor-1-secret")).isEqualTo(0x88);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(line(v5)).contains("result=DENIED kind=unavailable", "realm=\"devices-dir\"",
                    "directory unavailable");
            String v3 = id("down3");
            assertThat(connect3(clients.hive3(RawTransport.TCP, v3), "sensor-2", "sensor-2-secret")).isEqualTo(3);
            assertThat(connectPaho3(clients.paho3(RawTransport.TCP, id("down-p3")), "sensor-2", "sensor-2-secret"))
                    .isEqualTo(3);
            String person = id("down-p");
            assertThat(connect5(clients.hive5On("people", person), "bob", "bob-secret")).isEqualTo(0x88);
            assertThat(line(person)).contains("kind=unavailable", "realm=\"people-dir\"");
        } finally {
            directory.start();
        }
        String back = id("back");
        assertThat(connect5(clients.hive5(RawTransport.TCP, back), "sensor-1", "sensor-1-secret")).isZero();
        assertThat(line(back)).contains("result=ALLOWED");
        assertThat(connect5(clients.hive5On("people", id("back-p")), "bob", "bob-secret")).isZero();
    }
}
