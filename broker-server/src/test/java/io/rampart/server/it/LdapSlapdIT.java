package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.LdapTestCa;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.Slapd;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.rampart.server.it.support.Connects.connect3;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.connectPaho3;
import static io.rampart.server.it.support.Connects.connectPaho5;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The LDAP realm end to end against a real OpenLDAP {@code slapd} that the test starts from the shipped
 * {@code config/ldap/rampart.ldif} and {@code example.ldif} with a test CA, through real MQTT clients:
 * <ul>
 *   <li>{@code devices}: {@code ldaps://}, trust from a PEM bundle, direct bind with a DN template, lookups as the
 *       bound user, groups found by {@code member} search (nested), permission rules from the directory;</li>
 *   <li>{@code people}: {@code ldap://} + StartTLS, trust from PKCS#12, a dead first server (failover),
 *       search-then-bind as a service account, rules from the directory;</li>
 *   <li>{@code mixed}: the devices realm for authentication, roles → permissions from a file realm;</li>
 *   <li>{@code wrongca}: a trust bundle that does not hold the directory's CA: never connects (no trust-all).</li>
 * </ul>
 * Plus empty passwords, injection attempts in user names, and slapd stopped (0x88 / 3) and started again.
 */
class LdapSlapdIT {

    @TempDir
    static Path dir;
    private static Slapd slapd;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void start() throws Exception {
        // scripts/test.sh installs slapd; a missing server must fail the suite, not skip the real-server tests.
        assertThat(Slapd.installed()).as("Debian slapd is installed (scripts/test.sh installs slapd and ldap-utils)")
                .isTrue();
        LdapTestCa ca = new LdapTestCa(dir);
        slapd = new Slapd(dir, ca);
        Path roles = dir.resolve("roles.yaml");
        SecSetup.writeUsers(roles, """
                roles:
                  - name: sensors
                    permissions:
                      - {topic: "file/${mqtt-username}/#", activity: publish}
                """);
        broker = SecSetup.start("""
                - {type: tcp, name: people, bind: 127.0.0.1, port: 0}
                - {type: tcp, name: mixed, bind: 127.0.0.1, port: 0}
                - {type: tcp, name: wrongca, bind: 127.0.0.1, port: 0}
                """, """
                realms:
                  - {name: roles, type: file, path: "%s"}
                  - name: slapd-devices
                    type: ldap
                    servers: ["%s"]
                    trust: {pem: "%s"}
                    user: {dn-template: "uid=${mqtt-username},ou=devices,dc=example,dc=org", object-class: account}
                    groups: {base-dn: "ou=groups,dc=example,dc=org", filter: "(member=${user-dn})", nested: true}
                    permissions: {from-ldap: true}
                    connect-timeout: 1s
                    response-timeout: 2s
                    cache: {credential-ttl: 0}
                  - name: slapd-people
                    type: ldap
                    servers: ["ldap://127.0.0.1:1", "%s"]
                    start-tls: true
                    trust: {pkcs12: "%s", password: "%s"}
                    bind-dn: "cn=rampart,ou=services,dc=example,dc=org"
                    bind-password: "rampart-service-secret"
                    user: {base-dn: "dc=example,dc=org", filter: "(&(objectClass=inetOrgPerson)(uid=${mqtt-username}))"}
                    groups: {base-dn: "ou=groups,dc=example,dc=org", filter: "(|(member=${user-dn})(uniqueMember=${user-dn}))", nested: true, max-depth: 2}
                    permissions: {from-ldap: true, attribute: rampartPermission}
                    connect-timeout: 1s
                    cache: {credential-ttl: 0}
                  - name: slapd-wrong-ca
                    type: ldap
                    servers: ["%s"]
                    trust: {pem: "%s"}
                    user: {dn-template: "uid=${mqtt-username},ou=devices,dc=example,dc=org"}
                pipelines:
                  - name: devices
                    listeners: [tcp, ws]
                    authentication: [{type: password, realm: slapd-devices}]
                    authorization: [{type: realm, realm: slapd-devices}]
                    timeout: 4
                  - name: people
                    listeners: [people]
                    authentication: [{type: password, realm: slapd-people}]
                    authorization: [{type: realm, realm: slapd-people}]
                    timeout: 4
                  - name: mixed
                    listeners: [mixed]
                    authentication: [{type: password, name: ldap-devices, realm: slapd-devices}]
                    authorization: [{type: realm, realm: roles}]
                    timeout: 4
                  - name: wrongca
                    listeners: [wrongca]
                    authentication: [{type: password, realm: slapd-wrong-ca}]
                    timeout: 4
                brute-force: {enabled: false}
                """.formatted(roles, slapd.ldapsUrl(), ca.caPem, slapd.ldapUrl(), ca.caP12, LdapTestCa.TRUST_PASSWORD,
                slapd.ldapsUrl(), ca.otherCaPem));
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (slapd != null) {
            slapd.close();
        }
    }

    private static String id(String name) {
        return "ldap-slapd-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String line(String clientId) {
        List<String> lines = SecAccessLog.await("client=\"" + clientId + "\"", 1);
        return lines.get(0);
    }

    private static int pubAck(Mqtt5AsyncClient c, String topic) throws Exception {
        CompletableFuture<?> f = c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("m")).send();
        try {
            f.get(10, TimeUnit.SECONDS);
            return 0;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5PubAckException refused) {
                return refused.getMqttMessage().getReasonCode().getCode();
            }
            throw e;
        }
    }

    @Test
    void ldaps_directBind_groupsByMemberSearch_permissionsFromTheDirectory() throws Exception {
        String clientId = id("s1");
        Mqtt5AsyncClient sensor = clients.hive5(RawTransport.WEBSOCKET, clientId);
        assertThat(connect5(sensor, "sensor-1", "sensor-1-secret")).isZero();
        assertThat(line(clientId)).contains("action=CONNECT result=ALLOWED", "user=\"sensor-1\"");
        assertThat(pubAck(sensor, "sensors/" + clientId + "/t")).isZero();   // group sensors
        assertThat(pubAck(sensor, "status/sensor-1")).isZero();               // the user entry's own rule
        assertThat(pubAck(sensor, "status/sensor-2")).isEqualTo(0x87);
        assertThat(LdapRealmIT.subAck(sensor, "commands/" + clientId + "/#")).isEqualTo(1);
        assertThat(LdapRealmIT.subAck(sensor, "sensors/#")).isEqualTo(0x87);
        assertThat(SecAccessLog.await("client=\"" + clientId + "\"", 3))
                .anyMatch(l -> l.contains("action=PUBLISH result=DENIED") && l.contains("status/sensor-2"));

        String wrong = id("wrong");
        assertThat(connectPaho3(clients.paho3(RawTransport.TCP, wrong), "sensor-1", "nope")).isEqualTo(4);
        assertThat(line(wrong)).contains("kind=bad-credentials", "realm=\"slapd-devices\"");
        String gateway = id("gw");
        Mqtt5AsyncClient gatewayClient = clients.hive5(RawTransport.TCP, gateway);
        assertThat(connect5(gatewayClient, "gateway-1", "gateway-1-secret")).as("in no group: connects, with no permissions")
                .isZero();
        assertThat(line(gateway)).contains("result=ALLOWED", "user=\"gateway-1\"");
        assertThat(pubAck(gatewayClient, "status/gateway-1")).isEqualTo(0x87);
    }

    @Test
    void startTls_failover_searchThenBind_nestedGroups() throws Exception {
        String clientId = id("alice");
        Mqtt5AsyncClient alice = clients.hive5On("people", clientId);
        assertThat(connect5(alice, "alice", "alice-secret")).isZero();
        assertThat(line(clientId)).contains("result=ALLOWED", "user=\"alice\"");
        assertThat(LdapRealmIT.subAck(alice, "sensors/+/t")).isEqualTo(1);
        assertThat(LdapRealmIT.subAck(alice, "sensors/secret/#")).isEqualTo(0x87);
        assertThat(pubAck(alice, "staff/notice")).isZero();                  // staff via operators

        String bob = id("bob");
        assertThat(connect3(clients.hive3(RawTransport.TCP, bob, b -> b.serverPort(broker.port("people"))), "bob",
                "bob-secret")).isZero();
        Mqtt5AsyncClient bob5 = clients.hive5On("people", id("bob5"));
        assertThat(connect5(bob5, "bob", "bob-secret")).isZero();
        assertThat(LdapRealmIT.subAck(bob5, "audit/#")).isEqualTo(1);       // auditors: uniqueMember
        assertThat(LdapRealmIT.subAck(bob5, "sensors/#")).isEqualTo(0x87);
        String bad = id("bad");
        assertThat(connectPaho5(clients.paho5(RawTransport.TCP, bad), "alice", "wrong")).isEqualTo(0x86);
    }

    @Test
    void rolesFromTheDirectory_permissionsFromAFileRealm() throws Exception {
        String clientId = id("mixed");
        Mqtt5AsyncClient sensor = clients.hive5On("mixed", clientId);
        assertThat(connect5(sensor, "sensor-2", "sensor-2-secret")).isZero();
        assertThat(pubAck(sensor, "file/sensor-2/x")).isZero();
        assertThat(pubAck(sensor, "sensors/" + clientId + "/t")).isEqualTo(0x87); // the LDAP rules are not consulted here
    }

    @Test
    void untrustedServerCertificate_neverConnects() {
        String clientId = id("wrongca");
        assertThat(connect5(clients.hive5On("wrongca", clientId), "sensor-1", "sensor-1-secret")).isEqualTo(0x88);
        assertThat(line(clientId)).contains("kind=unavailable", "realm=\"slapd-wrong-ca\"");
    }

    @Test
    void emptyPassword_isRefused_thoughSlapdWouldTreatItAsAnonymous() {
        String clientId = id("empty");
        assertThat(connect5(clients.hive5(RawTransport.TCP, clientId), "sensor-1", "")).isEqualTo(0x86);
        assertThat(line(clientId)).contains("kind=bad-credentials", "empty password refused");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "sensor-*", ")(uid=*", "alice)(|(uid=*)", "\\", "sensor-1,ou=devices", ",=+<>#;\"",
            "alice\\2a"})
    void injectionInUserName_isBadCredentials(String username) {
        String device = id("inj-d");
        assertThat(connect5(clients.hive5(RawTransport.TCP, device), username, "sensor-1-secret")).isEqualTo(0x86);
        assertThat(line(device)).contains("kind=bad-credentials", "realm=\"slapd-devices\"");
        String person = id("inj-p");
        assertThat(connect5(clients.hive5On("people", person), username, "alice-secret")).isEqualTo(0x86);
        assertThat(line(person)).contains("kind=bad-credentials", "realm=\"slapd-people\"");
    }

    @Test
    void slapdDown_connectIsServerUnavailable_andTheBrokerRecoversWhenItIsBack() throws Exception {
        // warm the pools, so the outage hits connections that were alive
        assertThat(connect5(clients.hive5(RawTransport.TCP, id("warm")), "sensor-2", "sensor-2-secret")).isZero();
        assertThat(connect5(clients.hive5On("people", id("warm-p")), "bob", "bob-secret")).isZero();
        slapd.stop();
        try {
            String v5 = id("down5");
            long start = System.nanoTime();
            assertThat(connect5(clients.hive5(RawTransport.TCP, v5), "sensor-2", "sensor-2-secret")).isEqualTo(0x88);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            assertThat(line(v5)).contains("result=DENIED kind=unavailable", "realm=\"slapd-devices\"");
            String v3 = id("down3");
            assertThat(connect3(clients.hive3(RawTransport.TCP, v3), "sensor-2", "sensor-2-secret")).isEqualTo(3);
            String person = id("down-p");
            assertThat(connectPaho3(clients.paho3(RawTransport.TCP, person), "sensor-1", "x")).isEqualTo(3);
            String people = id("down-people");
            assertThat(connect5(clients.hive5On("people", people), "bob", "bob-secret")).isEqualTo(0x88);
            assertThat(line(people)).contains("kind=unavailable", "realm=\"slapd-people\"");
        } finally {
            slapd.start();
        }
        String back = id("back");
        assertThat(connect5(clients.hive5(RawTransport.TCP, back), "sensor-2", "sensor-2-secret")).isZero();
        assertThat(line(back)).contains("result=ALLOWED");
        assertThat(connect5(clients.hive5On("people", id("back-p")), "bob", "bob-secret")).isZero();
    }
}
