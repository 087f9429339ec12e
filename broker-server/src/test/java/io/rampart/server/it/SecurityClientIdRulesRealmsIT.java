package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.JwtTokens;
import io.rampart.server.it.support.LdapTestCa;
import io.rampart.server.it.support.PubMosquitto;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Connects.connect3;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.utf8;
import static io.rampart.server.it.support.JwtTokens.claims;
import static io.rampart.server.it.support.JwtTokens.hs256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client-id rules from the LDAP and JWT realms end to end (the file and SQL realms: {@link SecurityClientIdRulesIT}),
 * with real HiveMQ clients and {@code mosquitto_pub}:
 * <ul>
 *   <li>LDAP (a real {@code slapd}): {@code rampartPermission: allow client-id ${mqtt-username}-*} on a group and
 *       {@code deny client-id ${mqtt-username}-admin} on the user's own entry add up; a user whose entries hold no
 *       client-id rule may use any id;</li>
 *   <li>JWT: a scope mapped to {@code client-id: "${jwt-sub}-*"} restricts the token's client ids, a token without
 *       that scope may use any id, and the rules of the scope and of a file-realm role add up.</li>
 * </ul>
 * Refusals are CONNACK 0x85 (MQTT 3.1.1: return code 2) with an access-log line naming the rule.
 */
class SecurityClientIdRulesRealmsIT {

    private static final String JWT_LISTENER = "jwt";
    private static final String ALLOWED_TRUCK_IDS = "allowed: 'truck-%s-*'";

    @TempDir
    static Path dir;
    private static Slapd slapd;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void start() throws Exception {
        assertThat(Slapd.installed()).as("Debian slapd is installed (scripts/test.sh installs slapd and ldap-utils)")
                .isTrue();
        LdapTestCa ca = new LdapTestCa(dir);
        slapd = new Slapd(dir, ca, """
                dn: uid=truck-a,ou=devices,dc=example,dc=org
                objectClass: account
                objectClass: simpleSecurityObject
                objectClass: rampartPermissionHolder
                uid: truck-a
                userPassword: truck-a-secret
                rampartPermission: deny client-id ${mqtt-username}-admin

                dn: uid=truck-b,ou=devices,dc=example,dc=org
                objectClass: account
                objectClass: simpleSecurityObject
                uid: truck-b
                userPassword: truck-b-secret

                dn: cn=fleet,ou=groups,dc=example,dc=org
                objectClass: groupOfNames
                objectClass: rampartPermissionHolder
                cn: fleet
                member: uid=truck-a,ou=devices,dc=example,dc=org
                member: uid=truck-b,ou=devices,dc=example,dc=org
                rampartPermission: allow client-id ${mqtt-username}-*
                rampartPermission: allow publish fleet/${mqtt-clientid}/#
                """);
        Path roles = dir.resolve("roles.yaml");
        SecSetup.writeUsers(roles, """
                roles:
                  - name: pool
                    permissions:
                      - client-id: "pool-*"
                      - {topic: "pool/${mqtt-clientid}/#", activity: publish}
                  - name: viewer
                    permissions:
                      - {topic: "view/#", activity: subscribe}
                """);
        broker = SecSetup.start("""
                - {type: tcp, name: %s, bind: 127.0.0.1, port: 0}
                """.formatted(JWT_LISTENER), """
                realms:
                  - {name: roles, type: file, path: "%s"}
                  - name: directory
                    type: ldap
                    servers: ["%s"]
                    trust: {pem: "%s"}
                    user: {dn-template: "uid=${mqtt-username},ou=devices,dc=example,dc=org", object-class: account}
                    groups: {base-dn: "ou=groups,dc=example,dc=org", filter: "(member=${user-dn})"}
                    permissions: {from-ldap: true}
                    connect-timeout: 1s
                    response-timeout: 2s
                    cache: {credential-ttl: 0}
                  - name: tokens
                    type: jwt
                    issuer: "%s"
                    audience: %s
                    secrets: ["%s"]
                    roles-claim: realm_access.roles
                    scope-permissions:
                      device:
                        - client-id: "${jwt-sub}-*"
                        - {topic: "devices/${mqtt-clientid}/#", activity: publish}
                      telemetry:
                        - {topic: "telemetry/#", activity: publish}
                pipelines:
                  - name: directory
                    listeners: [tcp, ws]
                    authentication: [{type: password, realm: directory}]
                    authorization: [{type: realm, realm: directory}]
                    timeout: 4
                  - name: tokens
                    listeners: [%s]
                    authentication: [{type: jwt, realm: tokens}]
                    authorization:
                      - {type: realm, realm: tokens}
                      - {type: realm, realm: roles}
                brute-force: {enabled: false}
                """.formatted(roles, slapd.ldapsUrl(), ca.caPem, JwtTokens.ISSUER, JwtTokens.AUDIENCE,
                JwtTokens.SECRET, JWT_LISTENER));
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

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static String refusal(String clientId) {
        return SecAccessLog.await("client=\"" + clientId + "\"", 1).get(0);
    }

    // ------------------------------------------------------------------ LDAP

    @Test
    void ldapGroupRule_acceptsTheUsersOwnIds_andRefusesAnotherUsersId() {
        String own = "truck-a-" + unique();
        Mqtt5AsyncClient truck = clients.hive5(RawTransport.TCP, own);
        assertThat(connect5(truck, "truck-a", "truck-a-secret")).isZero();
        await(truck.publishWith().topic("fleet/" + own + "/pos").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("1")).send());
        assertThat(connect3(clients.hive3(RawTransport.WEBSOCKET, "truck-b-" + unique()), "truck-b", "truck-b-secret"))
                .isZero();

        String others5 = "truck-b-" + unique();
        String others3 = "truck-b-" + unique();
        assertThat(connect5(clients.hive5(RawTransport.TCP, others5), "truck-a", "truck-a-secret")).isEqualTo(0x85);
        assertThat(connect3(clients.hive3(RawTransport.TCP, others3), "truck-a", "truck-a-secret")).isEqualTo(2);
        for (String id : new String[] {others5, others3}) {
            assertThat(refusal(id))
                    .contains("action=CONNECT result=DENIED kind=client-id-not-allowed")
                    .contains("user=\"truck-a\" identity=\"truck-a\"")
                    .contains("manager=\"password-directory+roles-directory\" realm=\"directory\"")
                    .contains("reason=\"client id matches no allow client-id rule (" + ALLOWED_TRUCK_IDS.formatted("a")
                            + ")\"");
        }
    }

    @Test
    void ldapDenyRuleOnTheUserEntry_addsUpWithTheGroupsAllowRule() {
        String admin = "truck-a-admin";
        assertThat(connect5(clients.hive5(RawTransport.TCP, admin), "truck-a", "truck-a-secret")).isEqualTo(0x85);
        assertThat(refusal(admin)).contains("kind=client-id-not-allowed")
                .contains("reason=\"client id matches the deny client-id rule 'truck-a-admin'\"");
        assertThat(connect5(clients.hive5(RawTransport.TCP, "truck-b-admin"), "truck-b", "truck-b-secret")).isZero();
    }

    @Test
    void ldapUserWithoutClientIdRules_mayUseAnyId() throws Exception {
        String id = "anything-" + unique();
        PubMosquitto.Result pub = PubMosquitto.run(broker, "mosquitto_pub", "-V", "mqttv311", "-i", id,
                "-u", "sensor-2", "-P", "sensor-2-secret", "-t", "sensors/" + id + "/t", "-m", "1");
        assertThat(pub.exitCode()).as(pub.stderr()).isZero();
    }

    // ------------------------------------------------------------------ JWT

    private static String token(String sub, String scope, String... roles) {
        return hs256(claims(sub, Duration.ofMinutes(5), roles).claim("scope", scope).build());
    }

    @Test
    void jwtScopeRule_acceptsTheSubjectsOwnIds_andRefusesAnotherSubjectsId() throws Exception {
        String sub = "truck-" + unique();
        String token = token(sub, "device");
        String own = sub + "-1";
        Mqtt5AsyncClient truck = clients.hive5On(JWT_LISTENER, own);
        assertThat(connect5(truck, "ignored", token)).isZero();
        await(truck.publishWith().topic("devices/" + own + "/pos").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("1")).send());

        String others5 = "truck-" + unique() + "-1";
        String others3 = "truck-" + unique() + "-1";
        assertThat(connect5(clients.hive5On(JWT_LISTENER, others5), "ignored", token)).isEqualTo(0x85);
        PubMosquitto.Result pub = PubMosquitto.startOn(broker.port(JWT_LISTENER), "mosquitto_pub", "-V", "mqttv311",
                "-i", others3, "-u", "ignored", "-P", token, "-t", "devices/" + others3 + "/pos", "-m", "1").await();
        assertThat(pub.exitCode()).as(pub.stderr()).isEqualTo(2);
        for (String id : new String[] {others5, others3}) {
            assertThat(refusal(id))
                    .contains("action=CONNECT result=DENIED kind=client-id-not-allowed")
                    .contains("identity=\"" + sub + "\"")
                    .contains("realm=\"tokens\"")
                    .contains("reason=\"client id matches no allow client-id rule (allowed: '" + sub + "-*')\"")
                    .doesNotContain(token);
        }
    }

    @Test
    void jwtTokenWithoutTheClientIdScope_mayUseAnyId() {
        String sub = "truck-" + unique();
        assertThat(connect5(clients.hive5On(JWT_LISTENER, "anything-" + unique()), "ignored", token(sub, "telemetry")))
                .isZero();
        assertThat(connect3(clients.hive3On(JWT_LISTENER, "anything-" + unique()), "ignored",
                token(sub, "telemetry", "viewer"))).isZero();
    }

    @Test
    void jwtScopeRulesAndFileRealmRoleRules_addUp() {
        String sub = "truck-" + unique();
        String token = token(sub, "device", "pool");
        assertThat(connect5(clients.hive5On(JWT_LISTENER, sub + "-1"), "ignored", token)).isZero();
        assertThat(connect5(clients.hive5On(JWT_LISTENER, "pool-" + unique()), "ignored", token)).isZero();
        String other = "other-" + unique();
        assertThat(connect5(clients.hive5On(JWT_LISTENER, other), "ignored", token)).isEqualTo(0x85);
        assertThat(refusal(other)).contains("kind=client-id-not-allowed")
                .contains("manager=\"jwt-tokens+roles-tokens+roles-roles\"")
                .contains("allowed: '" + sub + "-*', 'pool-*'");

        String roleOnly = token(sub, "telemetry", "pool");
        assertThat(connect5(clients.hive5On(JWT_LISTENER, "pool-" + unique()), "ignored", roleOnly)).isZero();
        assertThat(connect5(clients.hive5On(JWT_LISTENER, sub + "-2"), "ignored", roleOnly)).isEqualTo(0x85);
    }
}
