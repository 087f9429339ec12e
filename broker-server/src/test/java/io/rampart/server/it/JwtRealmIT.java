package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.auth.Mqtt5EnhancedAuthMechanism;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5Auth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5AuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.nimbusds.jose.JWSAlgorithm;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.JwtTokens;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawProperties;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.failure;
import static io.rampart.server.it.support.Await.next;
import static io.rampart.server.it.support.Connects.connect3;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.JwtTokens.claims;
import static io.rampart.server.it.support.JwtTokens.hs256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JWT realm end to end: tokens in the password and in MQTT 5 enhanced authentication, roles from token
 * claims driving publish/subscribe permissions through a file realm, expiry disconnects (MQTT 5 and 3), the
 * will of an expired session, MQTT 5 re-authentication with the HiveMQ client and byte by byte, and an
 * unreachable JWKS endpoint. Access-log lines are asserted.
 */
class JwtRealmIT {

    @TempDir
    static Path dir;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void startBroker() throws Exception {
        Path roles = dir.resolve("roles.yaml");
        SecSetup.writeUsers(roles, """
                roles:
                  - name: sensors
                    permissions:
                      - {topic: "sensors/${jwt-sub}/#", activity: publish}
                  - name: dashboards
                    permissions:
                      - {topic: "sensors/#", activity: subscribe}
                """);
        Path keys = JwtTokens.writePublicKeys(dir.resolve("idp-keys.pem"));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String tokenRealm = """
                    issuer: "%s"
                    audience: %s
                    keys: ["%s"]
                    secrets: ["%s"]
                    roles-claim: realm_access.roles
                    clock-skew: 0s
                    scope-permissions:
                      "fleet:admin": [{topic: "#"}]
                """.formatted(JwtTokens.ISSUER, JwtTokens.AUDIENCE, keys, JwtTokens.SECRET);
        broker = SecSetup.start("""
                - {type: tcp, name: enhanced, bind: 127.0.0.1, port: 0}
                - {type: tcp, name: idp-down, bind: 127.0.0.1, port: 0}
                """, """
                realms:
                  - name: roles
                    type: file
                    path: "%s"
                  - name: tokens
                    type: jwt
                %s
                  - name: tokens5
                    type: jwt
                    token-source: auth-method
                    auth-method: JWT
                %s
                  - name: unreachable
                    type: jwt
                    jwks: {url: "https://127.0.0.1:%d/jwks.json", timeout: 1s}
                pipelines:
                  - name: password-tokens
                    listeners: [tcp, ws]
                    authentication:
                      - {type: jwt, realm: tokens}
                    authorization:
                      - {type: realm, realm: tokens}
                      - {type: realm, realm: roles}
                  - name: enhanced
                    listeners: [enhanced]
                    authentication:
                      - {type: jwt, realm: tokens5}
                    authorization:
                      - {type: realm, realm: tokens5}
                      - {type: realm, realm: roles}
                  - name: idp-down
                    listeners: [idp-down]
                    authentication:
                      - {type: jwt, realm: unreachable}
                    authorization:
                      - {type: realm, realm: roles}
                brute-force: {enabled: false}
                """.formatted(roles, tokenRealm, tokenRealm, closedPort));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static String id(String name) {
        return "jwt-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ CONNECT with a token in the password

    @Test
    void connect_withValidTokenOfEachSignatureKind_isAccepted_andLogged() {
        for (JWSAlgorithm alg : List.of(JWSAlgorithm.HS256, JWSAlgorithm.RS256, JWSAlgorithm.ES256)) {
            String sub = id("dev-" + alg.getName());
            String token = JwtTokens.sign(alg, claims(sub, Duration.ofMinutes(5), "sensors").build());
            assertThat(connect5(clients.hive5(RawTransport.TCP, id("c5")), "ignored", token)).isZero();
            assertThat(connect3(clients.hive3(RawTransport.WEBSOCKET, id("c3")), "ignored", token)).isZero();
            List<String> lines = SecAccessLog.await("authenticated as '" + sub + "'", 2);
            assertThat(lines.get(0)).contains("action=CONNECT result=ALLOWED", "manager=\"jwt-tokens+roles-roles\"",
                    "realm=\"tokens\"");
        }
    }

    @Test
    void connect_withExpiredOrForeignToken_isRefusedAsBadCredentials() {
        String expiredSub = id("expired");
        String expired = hs256(claims(expiredSub, Duration.ofSeconds(-30), "sensors").build());
        String clientId = id("exp5");
        assertThat(connect5(clients.hive5(RawTransport.TCP, clientId), "u", expired)).isEqualTo(0x86);
        assertThat(connect3(clients.hive3(RawTransport.TCP, id("exp3")), "u", expired)).isEqualTo(4);
        String line = SecAccessLog.await("client=\"" + clientId + "\"", 1).get(0);
        assertThat(line).contains("action=CONNECT result=DENIED kind=bad-credentials", "manager=\"jwt-tokens\"",
                "reason=\"invalid token: token expired at");
        assertThat(line).doesNotContain(expired);

        String wrongAudience = hs256(claims(id("aud"), Duration.ofMinutes(5)).audience("web").build());
        assertThat(connect5(clients.hive5(RawTransport.TCP, id("aud5")), "u", wrongAudience)).isEqualTo(0x86);
        String wrongIssuer = hs256(claims(id("iss"), Duration.ofMinutes(5)).issuer("https://evil").build());
        assertThat(connect5(clients.hive5(RawTransport.TCP, id("iss5")), "u", wrongIssuer)).isEqualTo(0x86);
        assertThat(connect5(clients.hive5(RawTransport.TCP, id("pw5")), "alice", "not-a-token")).isEqualTo(0x86);
    }

    @Test
    void connect_whenJwksEndpointIsUnreachable_isRefusedAsServerUnavailable() {
        String token = JwtTokens.sign(JWSAlgorithm.RS256, claims(id("down"), Duration.ofMinutes(5)).build());
        String clientId = id("down5");
        assertThat(connect5(clients.hive5On("idp-down", clientId), "u", token)).isEqualTo(0x88);
        assertThat(connect3(clients.hive3On("idp-down", id("down3")), "u", token)).isEqualTo(3);
        assertThat(SecAccessLog.await("client=\"" + clientId + "\"", 1).get(0))
                .contains("result=DENIED kind=unavailable", "realm=\"unreachable\"");
    }

    // ------------------------------------------------------------------ roles from claims → permissions

    /** Subscribes at QoS 0 and returns the SUBACK reason code, also when it is an error. */
    private static Mqtt5SubAckReasonCode subscribe(Mqtt5AsyncClient client, String filter) {
        try {
            return await(client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_MOST_ONCE).send()).getReasonCodes().get(0);
        } catch (AssertionError e) {
            if (e.getCause() instanceof Mqtt5SubAckException refused) {
                return refused.getMqttMessage().getReasonCodes().get(0);
            }
            throw e;
        }
    }

    @Test
    void rolesFromTokenClaims_drivePublishAndSubscribePermissions() {
        String sensor = id("sensor");
        String dashboardToken = hs256(claims(id("dash"), Duration.ofMinutes(5), "dashboards").build());
        Mqtt5AsyncClient dashboard = clients.hive5(RawTransport.TCP, id("dash"));
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(dashboard);
        assertThat(connect5(dashboard, "u", dashboardToken)).isZero();
        assertThat(await(dashboard.subscribeWith().topicFilter("sensors/#").qos(MqttQos.AT_LEAST_ONCE).send())
                .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        assertThat(subscribe(dashboard, "#")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);

        Mqtt5AsyncClient device = clients.hive5(RawTransport.TCP, id("device"));
        assertThat(connect5(device, "u", hs256(claims(sensor, Duration.ofMinutes(5), "sensors").build()))).isZero();
        assertThat(await(device.publishWith().topic("sensors/" + sensor + "/temp").qos(MqttQos.AT_LEAST_ONCE)
                .payload(utf8("21.5")).send()).getError()).isEmpty();
        Mqtt5Publish received = next(inbox);
        assertThat(received.getTopic().toString()).isEqualTo("sensors/" + sensor + "/temp");
        assertThat(failure(device.publishWith().topic("sensors/someone-else/temp").qos(MqttQos.AT_LEAST_ONCE)
                .payload(utf8("0")).send())).isInstanceOf(Mqtt5PubAckException.class);
        assertThat(subscribe(device, "sensors/#")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);

        // A scope mapped in the JWT realm grants its permissions (combined with those of the token's roles, if any).
        Mqtt5AsyncClient admin = clients.hive5(RawTransport.TCP, id("admin"));
        assertThat(connect5(admin, "u", hs256(claims(id("admin"), Duration.ofMinutes(5))
                .claim("scope", "openid fleet:admin").build()))).isZero();
        assertThat(subscribe(admin, "#")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_0);

        // No role the file knows and no mapped scope: no permissions at all.
        assertThat(connect5(clients.hive5(RawTransport.TCP, id("nobody")), "u",
                hs256(claims(id("nobody"), Duration.ofMinutes(5), "unknown-role").build()))).isEqualTo(0x87);
    }

    // ------------------------------------------------------------------ expiry

    @Test
    void tokenExpiry_disconnectsMqtt5With0x87_andLogsIt() {
        String clientId = id("expiry5");
        CompletableFuture<MqttClientDisconnectedContext> gone = new CompletableFuture<>();
        Mqtt5AsyncClient c = clients.hive5(RawTransport.TCP, clientId, b -> b.addDisconnectedListener(gone::complete));
        Instant start = Instant.now();
        assertThat(connect5(c, "u", hs256(claims(id("short"), Duration.ofSeconds(2), "sensors").build()))).isZero();
        Throwable cause = await(gone).getCause();
        assertThat(Duration.between(start, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
        Mqtt5Disconnect disconnect = ((Mqtt5DisconnectException) cause).getMqttMessage();
        assertThat(disconnect.getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
        assertThat(disconnect.getReasonString()).hasValueSatisfying(r -> assertThat(r.toString()).isEqualTo("token expired"));
        assertThat(SecAccessLog.await("client=\"" + clientId + "\"", 2)).last().asString()
                .contains("action=EXPIRED result=DENIED kind=credential-expired", "realm=\"tokens\"");
    }

    @Test
    void tokenExpiry_closesMqtt3Connection_andPublishesTheWill() {
        String sensor = id("will-sensor");
        String willTopic = "sensors/" + sensor + "/status";
        Mqtt5AsyncClient watcher = clients.hive5(RawTransport.TCP, id("watcher"));
        BlockingQueue<Mqtt5Publish> wills = Clients.inbox(watcher);
        assertThat(connect5(watcher, "u", hs256(claims(id("watch"), Duration.ofMinutes(5), "dashboards").build()))).isZero();
        await(watcher.subscribeWith().topicFilter(willTopic).qos(MqttQos.AT_LEAST_ONCE).send());

        RawMqttClient v3 = clients.raw(RawTransport.TCP);
        String token = hs256(claims(sensor, Duration.ofSeconds(2), "sensors").build());
        v3.connect(RawPackets.connect(RawPackets.V3_1_1).clientId(id("will3")).keepAlive(60)
                .will(willTopic, utf8("offline"), 1, false).credentials("u", utf8(token)).build());
        assertThat(v3.readUntilClosed()).isEmpty();
        Mqtt5Publish will = next(wills);
        assertThat(will.getTopic().toString()).isEqualTo(willTopic);
        assertThat(new String(will.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("offline");
    }

    // ------------------------------------------------------------------ MQTT 5 enhanced authentication

    /** Enhanced authentication with method JWT for the HiveMQ client: CONNECT and re-authentication tokens. */
    static final class JwtMechanism implements Mqtt5EnhancedAuthMechanism {
        final AtomicReference<String> token = new AtomicReference<>();
        final CompletableFuture<Mqtt5Auth> reauthSucceeded = new CompletableFuture<>();

        JwtMechanism(String first) {
            token.set(first);
        }

        @Override
        public MqttUtf8String getMethod() {
            return MqttUtf8String.of("JWT");
        }

        @Override
        public int getTimeout() {
            return 10;
        }

        @Override
        public CompletableFuture<Void> onAuth(Mqtt5ClientConfig config, Mqtt5Connect connect, Mqtt5EnhancedAuthBuilder auth) {
            auth.data(utf8(token.get()));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig config, Mqtt5AuthBuilder auth) {
            auth.data(utf8(token.get()));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig config, Mqtt5Auth auth, Mqtt5AuthBuilder builder) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletableFuture<Boolean> onAuthSuccess(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletableFuture<Boolean> onReAuthSuccess(Mqtt5ClientConfig config, Mqtt5Auth auth) {
            reauthSucceeded.complete(auth);
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public void onAuthRejected(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
        }

        @Override
        public void onReAuthRejected(Mqtt5ClientConfig config, Mqtt5Disconnect disconnect) {
        }

        @Override
        public void onAuthError(Mqtt5ClientConfig config, Throwable cause) {
        }

        @Override
        public void onReAuthError(Mqtt5ClientConfig config, Throwable cause) {
        }
    }

    @Test
    void reauthentication_withHiveMq_replacesTheTokenBeforeItExpires_thenTheNewOneExpires() {
        String sub = id("reauth");
        String clientId = id("reauth5");
        JwtMechanism mechanism = new JwtMechanism(hs256(claims(sub, Duration.ofSeconds(2), "sensors").build()));
        CompletableFuture<MqttClientDisconnectedContext> gone = new CompletableFuture<>();
        Mqtt5AsyncClient c = clients.hive5(RawTransport.TCP, clientId,
                b -> b.serverPort(broker.port("enhanced")).enhancedAuth(mechanism).addDisconnectedListener(gone::complete));
        Mqtt5ConnAck connAck = await(c.connectWith().cleanStart(true).send());
        assertThat(connAck.getReasonCode().getCode()).isZero();
        assertThat(connAck.getEnhancedAuth()).hasValueSatisfying(a -> assertThat(a.getMethod().toString()).isEqualTo("JWT"));

        Instant firstExpiry = Instant.now().plusSeconds(2);
        mechanism.token.set(hs256(claims(sub, Duration.ofSeconds(5), "sensors", "dashboards").build()));
        await(c.reauth());
        assertThat(await(mechanism.reauthSucceeded).getReasonCode().getCode()).isZero();
        // the new token's roles apply at once
        assertThat(subscribe(c, "sensors/+/none")).isEqualTo(Mqtt5SubAckReasonCode.GRANTED_QOS_0);
        // still connected well past the first token's expiry
        Awaitility.await().atMost(Duration.ofSeconds(6)).until(() -> Instant.now().isAfter(firstExpiry.plusMillis(800))
                && c.getState().isConnected());
        assertThat(gone).isNotDone();
        assertThat(await(c.publishWith().topic("sensors/" + sub + "/t").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("1"))
                .send()).getError()).isEmpty();
        // the second token expires in its turn
        Throwable cause = await(gone).getCause();
        assertThat(((Mqtt5DisconnectException) cause).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
        assertThat(SecAccessLog.await("client=\"" + clientId + "\"", 4)).anySatisfy(l -> assertThat(l)
                .contains("action=AUTH result=ALLOWED", "reason=\"re-authenticated as '" + sub + "'\""));
        assertThat(SecAccessLog.lines("client=\"" + clientId + "\"")).last().asString().contains("action=EXPIRED");
    }

    private static byte[] authProperties(String method, String token) {
        RawProperties.Builder p = RawProperties.builder().add(RawProperties.AUTHENTICATION_METHOD, method);
        if (token != null) {
            p.add(RawProperties.AUTHENTICATION_DATA, utf8(token));
        }
        return p.build();
    }

    private static byte[] auth(int reason, String method, String token) {
        return RawPackets.packet(0xF0, new byte[]{(byte) reason}, authProperties(method, token));
    }

    private RawMqttClient enhanced(String clientId, String method, String token) {
        RawMqttClient raw = clients.rawOn("enhanced");
        RawPacket connack = raw.sendConnect(RawPackets.connect(RawPackets.V5).clientId(clientId)
                .properties(authProperties(method, token)).build());
        assertThat(connack.type()).isEqualTo(RawPacket.CONNACK);
        return raw;
    }

    @Test
    void enhancedAuth_connackEchoesTheMethod_unknownMethodsAreRefusedWith0x8C() {
        String token = hs256(claims(id("enh"), Duration.ofMinutes(5), "sensors").build());
        RawMqttClient ok2 = clients.rawOn("enhanced");
        RawPacket connack = ok2.sendConnect(RawPackets.connect(RawPackets.V5).clientId(id("enh-ok2"))
                .properties(authProperties("JWT", token)).build());
        assertThat(connack.reasonCode()).isZero();
        assertThat(connack.properties().string(RawProperties.AUTHENTICATION_METHOD)).isEqualTo("JWT");

        RawMqttClient scram = clients.rawOn("enhanced");
        RawPacket refused = scram.sendConnect(RawPackets.connect(RawPackets.V5).clientId(id("enh-scram"))
                .properties(authProperties("SCRAM-SHA-256", "x")).build());
        assertThat(refused.reasonCode()).isEqualTo(0x8C);
        // the password listener's JWT manager reads the password, so it offers no authentication method
        RawMqttClient onPasswordListener = clients.raw(RawTransport.TCP);
        assertThat(onPasswordListener.sendConnect(RawPackets.connect(RawPackets.V5).clientId(id("enh-pw"))
                .properties(authProperties("JWT", token)).build()).reasonCode()).isEqualTo(0x8C);

        RawMqttClient bad = clients.rawOn("enhanced");
        assertThat(bad.sendConnect(RawPackets.connect(RawPackets.V5).clientId(id("enh-bad"))
                .properties(authProperties("JWT", hs256(claims(id("x"), Duration.ofSeconds(-5)).build()))).build())
                .reasonCode()).isEqualTo(0x86);
    }

    @Test
    void auth_fromAClientThatDidNotUseEnhancedAuth_isAProtocolError() {
        RawMqttClient raw = clients.raw(RawTransport.TCP);
        raw.connect(RawPackets.connect(RawPackets.V5).clientId(id("noenh"))
                .credentials("u", utf8(hs256(claims(id("noenh"), Duration.ofMinutes(5), "sensors").build()))).build());
        raw.send(auth(0x19, "JWT", "x"));
        RawPacket disconnect = raw.expect(RawPacket.DISCONNECT);
        assertThat(disconnect.reasonCode()).isEqualTo(0x82);
        assertThat(raw.readUntilClosed()).isEmpty();
    }

    @Test
    void reauthentication_raw_successReplacesPermissions_failureDisconnects() {
        String sub = id("raw-reauth");
        RawMqttClient raw = enhanced(id("raw5"), "JWT", hs256(claims(sub, Duration.ofMinutes(5), "sensors").build()));
        assertThat(raw.subscribe(1, 0, "sensors/#").reasonCodes()).containsExactly(0x87);

        raw.send(auth(0x19, "JWT", hs256(claims(sub, Duration.ofMinutes(5), "sensors", "dashboards").build())));
        RawPacket ok = raw.expect(RawPacket.AUTH);
        assertThat(ok.reasonCode()).isZero();
        assertThat(ok.properties().string(RawProperties.AUTHENTICATION_METHOD)).isEqualTo("JWT");
        assertThat(raw.subscribe(2, 0, "sensors/#").reasonCodes()).containsExactly(0);

        // a token of another identity does not take the session over
        raw.send(auth(0x19, "JWT", hs256(claims(id("other"), Duration.ofMinutes(5), "sensors").build())));
        RawPacket refused = raw.expect(RawPacket.DISCONNECT);
        assertThat(refused.reasonCode()).isEqualTo(0x87);
        assertThat(refused.reasonString()).contains("re-authentication refused");
        assertThat(raw.readUntilClosed()).isEmpty();

        RawMqttClient expiredReauth = enhanced(id("raw5b"), "JWT", hs256(claims(sub, Duration.ofMinutes(5), "sensors").build()));
        expiredReauth.send(auth(0x19, "JWT", hs256(claims(sub, Duration.ofSeconds(-10), "sensors").build())));
        assertThat(expiredReauth.expect(RawPacket.DISCONNECT).reasonCode()).isEqualTo(0x87);

        RawMqttClient otherMethod = enhanced(id("raw5c"), "JWT", hs256(claims(sub, Duration.ofMinutes(5), "sensors").build()));
        otherMethod.send(auth(0x19, "SCRAM-SHA-256", "x"));
        assertThat(otherMethod.expect(RawPacket.DISCONNECT).reasonCode()).isEqualTo(0x8C);
    }

    @Test
    void reauthentication_dropsAWillTheNewIdentityMayNotPublish() {
        String sub = id("will-reauth");
        String clientId = id("will5");
        String willTopic = "sensors/" + sub + "/status";
        RawMqttClient raw = clients.rawOn("enhanced");
        RawPacket connack = raw.sendConnect(RawPackets.connect(RawPackets.V5).clientId(clientId)
                .properties(authProperties("JWT", hs256(claims(sub, Duration.ofMinutes(5), "sensors").build())))
                .will(willTopic, utf8("offline"), 1, false).build());
        assertThat(connack.reasonCode()).isZero();
        assertThat(broker.session(clientId).will()).isNotNull();

        raw.send(auth(0x19, "JWT", hs256(claims(sub, Duration.ofMinutes(5), "dashboards").build())));
        assertThat(raw.expect(RawPacket.AUTH).reasonCode()).isZero();
        assertThat(broker.session(clientId).will()).isNull();
        assertThat(SecAccessLog.await("client=\"" + clientId + "\"", 4)).anySatisfy(l -> assertThat(l)
                .contains("action=WILL result=DENIED", "will dropped: the re-authenticated identity may not publish"));
    }
}
