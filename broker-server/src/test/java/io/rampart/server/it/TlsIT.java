package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.rampart.server.it.support.Await;
import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.SecLogCapture;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import io.rampart.server.it.support.TlsPki;
import io.rampart.server.it.support.TlsTools;
import io.rampart.tls.revocation.RevocationChecker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TLS listeners end to end with real peers: {@code openssl s_client} (protocol and cipher enforcement, SNI),
 * HiveMQ and Paho over TLS and secure WebSocket, mTLS required and optional with the x509 manager and
 * certificate placeholders in permissions, CRL files (also revoked while running), CRLs from an HTTP
 * distribution point, OCSP against a real {@code openssl ocsp} responder (good, revoked, unknown, responder
 * down under soft- and hard-fail), {@code mosquitto_pub} with a client certificate, and the access-log line
 * of refused handshakes.
 */
class TlsIT {

    private static final String ALICE_PW = "alice-Pa55-tls";

    @TempDir
    static Path dir;
    private static TestBroker broker;
    private static TlsPki pki;
    private static TlsPki otherPki;
    private static TlsPki.Issued server;
    private static TlsPki.Issued device;
    private static TlsPki.Issued revokedByFile;
    private static Path crlFile;
    private static final List<TlsPki.Issued> revoked = new CopyOnWriteArrayList<>();
    private static TlsTools.CrlServer crlServer;
    private static TlsTools.OcspResponder ocsp;
    private static TlsPki.Issued cdpGood;
    private static TlsPki.Issued cdpRevoked;
    private static TlsPki.Issued ocspGood;
    private static TlsPki.Issued ocspRevoked;
    private static TlsPki.Issued ocspUnknown;
    private static TlsPki.Issued ocspDown;
    private static TlsPki.Issued stapledServer;

    private final List<Runnable> cleanup = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        pki = TlsPki.create(dir.resolve("pki"), "main");
        otherPki = TlsPki.create(dir.resolve("pki-other"), "other");
        server = pki.server("broker.test");
        TlsPki.Issued sniServer = pki.server("other.example", "other.example");
        Path sniP12 = pki.pkcs12(sniServer, "p12-pass");
        Path encryptedKey = pki.encryptedKey(server, "key-pass");
        device = pki.client(TlsPki.ClientSpec.of("dev-a").ou("sensors").org("Acme").uris("urn:dev:a")
                .emails("a@example.com"));
        revokedByFile = pki.client("dev-revoked");
        revoked.add(revokedByFile);
        crlFile = dir.resolve("crl.pem");
        pki.writeCrl(crlFile, pki.crl(Duration.ofDays(1), revokedByFile));

        crlServer = new TlsTools.CrlServer();
        cdpGood = pki.client(TlsPki.ClientSpec.of("cdp-good").crl(crlServer.url()));
        cdpRevoked = pki.client(TlsPki.ClientSpec.of("cdp-revoked").crl(crlServer.url()));
        crlServer.serve(pki.crl(Duration.ofDays(1), cdpRevoked));

        int ocspPort = TlsTools.freePort();
        String ocspUrl = "http://127.0.0.1:" + ocspPort;
        ocspGood = pki.client(TlsPki.ClientSpec.of("ocsp-good").ocsp(ocspUrl));
        ocspRevoked = pki.client(TlsPki.ClientSpec.of("ocsp-revoked").ocsp(ocspUrl));
        stapledServer = pki.serverWithOcsp("stapled.test", ocspUrl);
        Path index = dir.resolve("ocsp-index.txt");
        pki.writeOcspIndex(index, ocspRevoked);
        ocspUnknown = pki.client(TlsPki.ClientSpec.of("ocsp-unknown").ocsp(ocspUrl));
        ocspDown = pki.client(TlsPki.ClientSpec.of("ocsp-down").ocsp("http://127.0.0.1:" + TlsTools.freePort()));
        ocsp = new TlsTools.OcspResponder(pki, index, ocspPort);

        Path users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, """
                users:
                  - username: alice
                    password: "%s"
                    permissions:
                      - topic: "alice/#"
                roles:
                  - name: sensor
                    permissions:
                      - topic: "devices/${tls-subject-cn}/#"
                        activity: publish
                """.formatted(SecSetup.hash(ALICE_PW)));
        String mtls = """
                  certificate: "%s"
                  private-key: "%s"
                  client-authentication: required
                  trust: {certificates: "%s"}
                """.formatted(server.certPem(), server.keyPem(), pki.caPem());
        broker = TestBroker.startYaml("""
                data-dir: "%s"
                listeners:
                  - type: tls
                    name: tls
                    bind: 127.0.0.1
                    port: 0
                    tls:
                      certificate: "%s"
                      private-key: "%s"
                      private-key-password: key-pass
                      client-authentication: optional
                      trust: {certificates: "%s"}
                      cipher-suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
                      sni:
                        - host-names: [other.example]
                          keystore: "%s"
                          keystore-password: p12-pass
                  - type: secure-websocket
                    name: wss
                    port: 0
                    tls:
                      certificate: "%s"
                      private-key: "%s"
                      client-authentication: optional
                      trust: {certificates: "%s"}
                  - type: tls
                    name: mtls
                    port: 0
                    tls:
                %s      revocation: {mode: crl, crl-files: ["%s"]}
                      reload-interval: 1
                  - type: tls
                    name: jdk
                    port: 0
                    tls:
                      provider: jdk
                      certificate: "%s"
                      private-key: "%s"
                      client-authentication: required
                      trust: {keystore: "%s", keystore-password: trust-pass}
                      revocation: {mode: crl, crl-files: ["%s"]}
                      reload-interval: 1
                  - type: tls
                    name: cdp
                    port: 0
                    tls:
                %s      revocation: {mode: crl, crl-distribution-points: true}
                  - type: tls
                    name: ocsp-hard
                    port: 0
                    tls:
                %s      revocation: {mode: ocsp, on-unavailable: hard-fail, timeout: 2, ocsp-nonce: true}
                  - type: tls
                    name: ocsp-soft
                    port: 0
                    tls:
                %s      revocation: {mode: ocsp-then-crl, on-unavailable: soft-fail, timeout: 2, crl-distribution-points: true}
                  - type: tls
                    name: quick
                    port: 0
                    tls: {certificate: "%s", private-key: "%s", handshake-timeout: 1}
                  - type: tls
                    name: jdk-plain
                    port: 0
                    tls: {provider: jdk, certificate: "%s", private-key: "%s"}
                  - type: tls
                    name: stapled
                    port: 0
                    tls: {certificate: "%s", private-key: "%s", ocsp-stapling: true}
                security:
                  realms:
                    - {name: local, type: file, path: "%s"}
                  pipelines:
                    - name: tls
                      listeners: ["*"]
                      authentication:
                        - {type: x509, identity: tls-subject-cn, ou-roles: {sensors: sensor}}
                        - {type: password, realm: local}
                      authorization:
                        - {type: realm, realm: local}
                  brute-force: {enabled: false}
                """.formatted(dir.resolve("data"), server.certPem(), encryptedKey, pki.caPem(), sniP12,
                server.certPem(), server.keyPem(), pki.caPem(),
                indent(mtls), crlFile, server.certPem(), server.keyPem(), pki.trustPkcs12("trust-pass"), crlFile,
                indent(mtls), indent(mtls), indent(mtls),
                server.certPem(), server.keyPem(), server.certPem(), server.keyPem(), pki.chainPem(stapledServer),
                stapledServer.keyPem(), users));
    }

    private static String indent(String block) {
        return block.indent(4);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (ocsp != null) {
            ocsp.close();
        }
        if (crlServer != null) {
            crlServer.close();
        }
    }

    @AfterEach
    void closeClients() {
        cleanup.forEach(Runnable::run);
    }

    private static String id(String name) {
        return "tls-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Mqtt5AsyncClient hive(String listener, TlsPki.Issued cert, String clientId, boolean ws) {
        UnaryOperator<Mqtt5ClientBuilder> transport = ws
                ? b -> b.webSocketConfig().serverPath("mqtt").applyWebSocketConfig()
                : UnaryOperator.identity();
        Mqtt5AsyncClient c = transport.apply(Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1")
                        .serverPort(broker.port(listener))
                        .sslConfig().trustManagerFactory(pki.trustManagers()).keyManagerFactory(pki.keyManagers(cert))
                        .applySslConfig())
                .buildAsync();
        cleanup.add(() -> c.disconnect());
        return c;
    }

    // ------------------------------------------------------------------ protocols and ciphers (openssl s_client)

    @Test
    void tls11_isRefused() throws Exception {
        TlsTools.Result r = TlsTools.sClient(broker.port("tls"), pki.caPem(), "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
        assertThat(r.ok()).as(r.output()).isFalse();
    }

    @Test
    void tls13_isNegotiated() throws Exception {
        TlsTools.Result r = TlsTools.sClient(broker.port("tls"), pki.caPem(), "-tls1_3");
        assertThat(r.ok()).as(r.output()).isTrue();
        assertThat(r.output()).contains("Protocol version: TLSv1.3");
    }

    @Test
    void tls12_cipherOutsideTheList_isRefused_andOneInTheList_isAccepted() throws Exception {
        TlsTools.Result outside = TlsTools.sClient(broker.port("tls"), pki.caPem(), "-tls1_2", "-cipher",
                "ECDHE-ECDSA-CHACHA20-POLY1305");
        assertThat(outside.ok()).as(outside.output()).isFalse();
        TlsTools.Result inside = TlsTools.sClient(broker.port("tls"), pki.caPem(), "-tls1_2", "-cipher",
                "ECDHE-ECDSA-AES128-GCM-SHA256");
        assertThat(inside.ok()).as(inside.output()).isTrue();
        assertThat(inside.output()).contains("Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256");
    }

    @Test
    void tls12_defaultSuites_areForwardSecretAead_withAes128GcmPreferred_onBothProviders() throws Exception {
        // s_client offers AES-256 first: the server's order decides.
        String[] cert = {"-cert", device.certPem().toString(), "-key", device.keyPem().toString()};
        for (String listener : List.of("quick", "jdk")) {
            TlsTools.Result preferred = TlsTools.sClient(broker.port(listener), pki.caPem(),
                    concat(cert, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256"));
            assertThat(preferred.output()).as(listener).contains("Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256");
            TlsTools.Result cbc = TlsTools.sClient(broker.port(listener), pki.caPem(),
                    concat(cert, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384"));
            assertThat(cbc.ok()).as(listener + ": CBC suites " + cbc.output()).isFalse();
            TlsTools.Result chacha = TlsTools.sClient(broker.port(listener), pki.caPem(),
                    concat(cert, "-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"));
            assertThat(chacha.output()).as(listener).contains("Ciphersuite: ECDHE-ECDSA-CHACHA20-POLY1305");
        }
    }

    /** TLS 1.3 resumption, and resumption with client certificates: {@link TlsResumptionIT}. */
    @Test
    void tls12_sClientReconnect_resumes() throws Exception {
        TlsTools.Result r = TlsTools.run(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + broker.port("quick"), "-CAfile", pki.caPem().toString(), "-tls1_2", "-reconnect"));
        assertThat(r.output().lines().filter(l -> l.startsWith("Reused,")).count()).as(r.output()).isEqualTo(5);
    }

    /**
     * A client asking for a TLS 1.2 renegotiation (s_client's "R" command) gets a fatal alert on both providers
     * rather than a second full handshake; the JDK would otherwise perform it.
     */
    @Test
    void tls12_clientInitiatedRenegotiation_isRefused_onBothProviders() throws Exception {
        for (String listener : List.of("quick", "jdk-plain")) {
            TlsTools.Result r = TlsTools.runWithInput(List.of("openssl", "s_client", "-connect",
                    "127.0.0.1:" + broker.port(listener), "-CAfile", pki.caPem().toString(), "-tls1_2"),
                    "R\n");
            String output = r.output();
            assertThat(output).as(listener + ": " + output).contains("RENEGOTIATING");
            String after = output.substring(output.indexOf("RENEGOTIATING"));
            assertThat(after).as(listener + ": the renegotiation handshake never completes: " + output)
                    .doesNotContain("depth=0").contains("alert");
            assertThat(r.exitCode()).as(output).isNotZero();
        }
    }

    /**
     * A TLS 1.2 client whose only suite needs an RSA key (static RSA key exchange) meets EC server keys: a cipher
     * mismatch, whatever words the provider uses (BoringSSL's is about curves).
     */
    @Test
    void tls12_clientWithOnlyAnRsaSuite_againstAnEcKey_isLoggedAsACipherMismatch_onBothProviders() throws Exception {
        for (String listener : List.of("quick", "jdk-plain")) {
            int before = SecAccessLog.lines("listener=" + listener + " ").size();
            TlsTools.Result r = TlsTools.sClient(broker.port(listener), pki.caPem(), "-tls1_2", "-cipher", "AES128-SHA");
            assertThat(r.ok()).as(r.output()).isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> SecAccessLog.lines("listener=" + listener + " ").size() > before);
            List<String> lines = SecAccessLog.lines("listener=" + listener + " ");
            assertThat(lines.get(lines.size() - 1)).as(listener).contains("action=TLS result=DENIED kind=cipher");
        }
    }

    private static String[] concat(String[] first, String... rest) {
        String[] out = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, out, first.length, rest.length);
        return out;
    }

    @Test
    void sni_choosesTheCertificateOfTheRequestedHost() throws Exception {
        // A context per handshake: the JDK would otherwise resume the first session and its certificate.
        X509Certificate other = TlsTools.serverCertificate(broker.port("tls"), pki.clientContext(null), "other.example");
        X509Certificate fallback = TlsTools.serverCertificate(broker.port("tls"), pki.clientContext(null),
                "unknown.example");
        X509Certificate none = TlsTools.serverCertificate(broker.port("tls"), pki.clientContext(null), null);
        assertThat(other.getSubjectX500Principal().getName()).isEqualTo("CN=other.example");
        assertThat(fallback.getSubjectX500Principal().getName()).isEqualTo("CN=broker.test");
        assertThat(none.getSubjectX500Principal().getName()).isEqualTo("CN=broker.test");
        TlsTools.Result r = TlsTools.sClient(broker.port("tls"), pki.caPem(), "-servername", "other.example");
        assertThat(r.output()).contains("CN = other.example");
    }

    @Test
    void plainMqttOnATlsPort_isClosed_andLogged() throws Exception {
        // "tls" has SNI certificates (the ClientHello is read first), "quick" one certificate (TLS from the start).
        for (String listener : List.of("tls", "quick")) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", broker.port(listener))) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(new byte[]{0x10, 0x0d, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00,
                        0x3c, 0x00, 0x01, 'p'});
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
            List<String> lines = SecAccessLog.await("kind=protocol listener=" + listener, 1);
            assertThat(lines.get(lines.size() - 1)).contains("action=TLS result=DENIED kind=protocol listener=" + listener)
                    .contains("not a TLS connection");
        }
    }

    @Test
    void silentClient_isClosedAfterTheHandshakeTimeout_andLogged() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", broker.port("quick"))) {
            socket.setSoTimeout(10_000);
            long start = System.nanoTime();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
        assertThat(SecAccessLog.await("kind=timeout listener=quick", 1).get(0)).contains("action=TLS result=DENIED kind=timeout");
    }

    // ------------------------------------------------------------------ identity and permissions

    @Test
    void optional_clientWithCertificate_isTheCertificateIdentity_andPublishesOnlyUnderItsCn() {
        String clientId = id("cert");
        Mqtt5AsyncClient c = hive("tls", device, clientId, false);
        await(c.connectWith().cleanStart(true).send());
        var own = await(c.publishWith().topic("devices/dev-a/temp").qos(MqttQos.AT_LEAST_ONCE)
                .payload("21".getBytes(StandardCharsets.UTF_8)).send());
        assertThat(((Mqtt5PublishResult.Mqtt5Qos1Result) own).getPubAck().getReasonCode().isError()).isFalse();
        Throwable other = Await.failure(c.publishWith().topic("devices/dev-b/temp").qos(MqttQos.AT_LEAST_ONCE)
                .payload("21".getBytes(StandardCharsets.UTF_8)).send());
        assertThat(other).isInstanceOf(Mqtt5PubAckException.class);
        assertThat(((Mqtt5PubAckException) other).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(SecAccessLog.await("action=CONNECT result=ALLOWED", 1)).anyMatch(l -> l.contains(clientId)
                && l.contains("manager=\"x509+roles-local\"") && l.contains("authenticated as 'dev-a'"));
    }

    @Test
    void certificateExpiry_disconnectsTheSessionAtNotAfter_with0x87() throws Exception {
        java.time.Instant notAfter = java.time.Instant.now().plusSeconds(3);
        TlsPki.Issued shortLived = pki.client(TlsPki.ClientSpec.of("dev-short").ou("sensors")
                .valid(java.time.Instant.now().minus(Duration.ofMinutes(1)), notAfter));
        String clientId = id("short");
        java.util.concurrent.CompletableFuture<com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext> gone =
                new java.util.concurrent.CompletableFuture<>();
        Mqtt5AsyncClient c = Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(broker.port("tls"))
                .sslConfig().trustManagerFactory(pki.trustManagers()).keyManagerFactory(pki.keyManagers(shortLived))
                .applySslConfig().addDisconnectedListener(gone::complete).buildAsync();
        cleanup.add(() -> c.disconnect());
        await(c.connectWith().cleanStart(true).send());
        Throwable cause = gone.get(20, java.util.concurrent.TimeUnit.SECONDS).getCause();
        assertThat(java.time.Instant.now()).isAfterOrEqualTo(notAfter.minusSeconds(1));
        assertThat(cause).isInstanceOf(com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException.class);
        var disconnect = ((com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException) cause).getMqttMessage();
        assertThat(disconnect.getReasonCode())
                .isEqualTo(com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
        assertThat(disconnect.getReasonString()).hasValueSatisfying(r -> assertThat(r.toString())
                .isEqualTo("certificate expired"));
        assertThat(SecAccessLog.await("client=\"" + clientId + "\"", 2)).last().asString()
                .contains("action=EXPIRED result=DENIED", "certificate expired");
    }

    @Test
    void optional_clientWithoutCertificate_reachesThePasswordManager() {
        Mqtt5AsyncClient c = hive("tls", null, id("pw"), false);
        var ack = await(c.connectWith().cleanStart(true).simpleAuth().username("alice")
                .password(ALICE_PW.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
        assertThat(ack.getReasonCode().getCode()).isZero();
    }

    @Test
    void secureWebSocket_withHiveMqAndPaho() throws Exception {
        Mqtt5AsyncClient c = hive("wss", device, id("wss"), true);
        assertThat(await(c.connectWith().cleanStart(true).send()).getReasonCode().getCode()).isZero();

        MqttClient paho = new MqttClient("wss://127.0.0.1:" + broker.port("wss") + "/mqtt", id("paho"),
                new MemoryPersistence());
        cleanup.add(() -> {
            try {
                if (paho.isConnected()) {
                    paho.disconnect();
                }
                paho.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(pki.clientContext(device).getSocketFactory());
        options.setCleanSession(true);
        paho.connect(options);
        paho.publish("devices/dev-a/paho", "x".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(paho.isConnected()).isTrue();
    }

    @Test
    void pahoV5_overTls_withPassword() throws Exception {
        var paho = new org.eclipse.paho.mqttv5.client.MqttClient("ssl://127.0.0.1:" + broker.port("tls"), id("p5"),
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        cleanup.add(() -> {
            try {
                if (paho.isConnected()) {
                    paho.disconnect();
                }
                paho.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        });
        var options = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
        options.setSocketFactory(pki.clientContext(null).getSocketFactory());
        options.setUserName("alice");
        options.setPassword(ALICE_PW.getBytes(StandardCharsets.UTF_8));
        paho.connect(options);
        assertThat(paho.isConnected()).isTrue();
    }

    // ------------------------------------------------------------------ mTLS required

    @Test
    void required_clientWithoutCertificate_isRefused_andLogged() {
        assertThat(TlsTools.handshakes(broker.port("mtls"), pki.clientContext(null))).isFalse();
        assertThat(SecAccessLog.await("kind=no-certificate listener=mtls", 1)).isNotEmpty();
    }

    @Test
    void required_certificateOfAnotherCa_isRefusedAsUnknownIssuer() throws Exception {
        // s_client presents its certificate whatever CAs the server names (a JDK client would send none). TLS 1.2:
        // the server judges the certificate before the handshake ends, so s_client cannot hang up first.
        TlsPki.Issued stranger = otherPki.client("stranger");
        TlsTools.sClient(broker.port("mtls"), pki.caPem(), "-tls1_2", "-cert", stranger.certPem().toString(),
                "-key", stranger.keyPem().toString());
        assertThat(SecAccessLog.await("serial=\"" + stranger.serial().toString(16) + "\"", 1).get(0))
                .contains("kind=unknown-issuer listener=mtls");
    }

    @Test
    void required_expiredCertificate_isRefusedAsExpired() throws Exception {
        TlsPki.Issued expired = pki.client(TlsPki.ClientSpec.of("dev-expired")
                .valid(java.time.Instant.now().minus(Duration.ofDays(3)), java.time.Instant.now().minus(Duration.ofDays(1))));
        TlsTools.sClient(broker.port("mtls"), pki.caPem(), "-tls1_2", "-cert", expired.certPem().toString(),
                "-key", expired.keyPem().toString());
        assertThat(SecAccessLog.await("serial=\"" + expired.serial().toString(16) + "\"", 1).get(0))
                .contains("kind=expired listener=mtls").contains("subject=\"CN=dev-expired\"");
    }

    /** The alert a Python (OpenSSL) client reports for a refused certificate, and the access-log line. */
    private static String alertFor(String listener, TlsPki.Issued cert, String version) throws Exception {
        try (TlsTools.Resumer client = new TlsTools.Resumer(broker.port(listener), pki.caPem(), cert, version,
                id("alert"))) {
            TlsTools.Resumer.Attempt attempt = client.connect();
            assertThat(attempt.accepted()).as(attempt.toString()).isFalse();
            return attempt.error();
        }
    }

    @Test
    void refusedCertificate_getsTheAlertThatNamesTheProblem_onOpenSsl() throws Exception {
        TlsPki.Issued stranger = otherPki.client("alert-stranger");
        TlsPki.Issued expired = pki.client(TlsPki.ClientSpec.of("alert-expired")
                .valid(java.time.Instant.now().minus(Duration.ofDays(3)), java.time.Instant.now().minus(Duration.ofDays(1))));
        assertThat(alertFor("mtls", revokedByFile, "1.2")).isEqualTo("SSLV3_ALERT_CERTIFICATE_REVOKED");
        assertThat(alertFor("mtls", revokedByFile, "1.3")).isEqualTo("SSLV3_ALERT_CERTIFICATE_REVOKED");
        assertThat(alertFor("mtls", stranger, "1.2")).isEqualTo("TLSV1_ALERT_UNKNOWN_CA");
        assertThat(alertFor("mtls", expired, "1.2")).isEqualTo("SSLV3_ALERT_CERTIFICATE_EXPIRED");
        assertThat(alertFor("ocsp-hard", ocspUnknown, "1.2")).isEqualTo("SSLV3_ALERT_BAD_CERTIFICATE");
        // The JDK answers every refused client certificate with certificate_unknown (46); the access log has the reason.
        assertThat(alertFor("jdk", revokedByFile, "1.2")).isEqualTo("SSLV3_ALERT_CERTIFICATE_UNKNOWN");
    }

    @Test
    void notYetValidCertificate_isReportedAsNotYetValid_withItsDates_andBadCertificate() throws Exception {
        java.time.Instant from = java.time.Instant.now().plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        java.time.Instant to = from.plus(Duration.ofDays(30));
        TlsPki.Issued early = pki.client(TlsPki.ClientSpec.of("dev-early").valid(from, to));
        assertThat(alertFor("mtls", early, "1.2")).isEqualTo("SSLV3_ALERT_BAD_CERTIFICATE");
        assertThat(SecAccessLog.await("serial=\"" + early.serial().toString(16) + "\"", 1).get(0))
                .contains("kind=not-yet-valid listener=mtls")
                .contains("certificate not yet valid: valid from " + from + " to " + to);
    }

    @Test
    void cipherSuitesThatCannotWorkWithTheKey_jdkWarnsNamingThem_openSslRefusesToStart() throws Exception {
        String yaml = """
                data-dir: "%s"
                listeners:
                  - type: tls
                    name: mixed
                    bind: 127.0.0.1
                    port: 0
                    allow-anonymous: true
                    tls:
                      provider: %s
                      certificate: "%s"
                      private-key: "%s"
                      protocols: [%s]
                      cipher-suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256%s]
                """;
        try (SecLogCapture log = new SecLogCapture(io.rampart.tls.ServerTls.class.getName());
             TestBroker jdk = TestBroker.startYaml(yaml.formatted(dir.resolve("data-mixed"), "jdk", server.certPem(),
                     server.keyPem(), "TLSv1.2", ", TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
             TestBroker jdkTls13 = TestBroker.startYaml(yaml.formatted(dir.resolve("data-mixed"), "jdk",
                     server.certPem(), server.keyPem(), "TLSv1.3, TLSv1.2", ""))) {
            assertThat(log.messages()).anyMatch(m -> m.startsWith("WARN listener 'mixed': cipher-suites"
                    + " [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] cannot be used with the EC key of CN=broker.test"));
            assertThat(log.messages()).anyMatch(m -> m.startsWith("WARN listener 'mixed': none of the TLS 1.2"
                    + " cipher-suites works with the EC key") && m.contains("only TLS 1.3 clients can connect"));
            TlsTools.Result tls12 = TlsTools.sClient(jdk.port("mixed"), pki.caPem(), "-tls1_2");
            assertThat(tls12.output()).contains("Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256");
            TlsTools.Result tls13 = TlsTools.sClient(jdkTls13.port("mixed"), pki.caPem(), "-tls1_3");
            assertThat(tls13.ok()).as(tls13.output()).isTrue();
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestBroker.startYaml(yaml.formatted(
                        dir.resolve("data-mixed"), "openssl", server.certPem(), server.keyPem(), "TLSv1.3, TLSv1.2",
                        ", TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")).close())
                .hasMessageContaining("listeners[0].tls.cipher-suites")
                .hasMessageContaining("[TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] cannot be used with the EC key");
    }

    @Test
    void observer_receivesEveryHandshakeAndRevocationCheck() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        io.rampart.tls.TlsObserver observer = new io.rampart.tls.TlsObserver() {
            @Override
            public void handshake(String listener, String result, String protocol, String cipher) {
                seen.add("handshake " + listener + " " + result + " " + protocol);
            }

            @Override
            public void revocationCheck(String method, String result, boolean cached) {
                seen.add("revocation " + method + " " + result);
            }
        };
        io.rampart.server.config.BrokerConfig config = io.rampart.server.config.ConfigLoader.parse("""
                data-dir: "%s"
                listeners:
                  - type: tls
                    name: observed
                    bind: 127.0.0.1
                    port: 0
                    allow-anonymous: true
                    tls:
                      certificate: "%s"
                      private-key: "%s"
                      client-authentication: required
                      trust: {certificates: "%s"}
                      protocols: [TLSv1.3]
                      revocation: {mode: crl, crl-files: ["%s"]}
                """.formatted(dir.resolve("data-observed"), server.certPem(), server.keyPem(), pki.caPem(), crlFile),
                "observed.yaml");
        try (io.rampart.server.RampartBroker observed = io.rampart.server.RampartBroker.start(config, observer)) {
            assertThat(TlsTools.handshakes(observed.port("observed"), pki.clientContext(device))).isTrue();
            assertThat(TlsTools.handshakes(observed.port("observed"), pki.clientContext(revokedByFile))).isFalse();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen).contains(
                    "handshake observed success TLSv1.3", "revocation crl good", "revocation crl revoked",
                    "handshake observed revoked unknown"));
        }
    }

    @Test
    void required_mosquittoPubWithClientCertificate_connects() throws Exception {
        TlsTools.Result r = TlsTools.mosquittoPub(broker.port("mtls"), "--cafile", pki.caPem().toString(),
                "--cert", device.certPem().toString(), "--key", device.keyPem().toString(),
                "-i", "dev-a", "-t", "devices/dev-a/mosquitto", "-m", "hello", "-q", "1", "-V", "mqttv311");
        assertThat(r.ok()).as(r.output()).isTrue();
    }

    // ------------------------------------------------------------------ CRL

    @Test
    void crlFile_revokedCertificate_isRefused_onBothProviders_andLogged() {
        for (String listener : List.of("mtls", "jdk")) {
            assertThat(TlsTools.handshakes(broker.port(listener), pki.clientContext(revokedByFile))).as(listener).isFalse();
            assertThat(TlsTools.handshakes(broker.port(listener), pki.clientContext(device))).as(listener).isTrue();
        }
        String serial = revokedByFile.serial().toString(16);
        List<String> lines = SecAccessLog.await("serial=\"" + serial + "\"", 2);
        assertThat(lines).allMatch(l -> l.contains("action=TLS result=DENIED kind=revoked")
                && l.contains("subject=\"CN=dev-revoked\"") && l.contains("remote=127.0.0.1"));
    }

    @Test
    void crlFile_revokedWhileRunning_takesEffectOnTheNextHandshake() {
        TlsPki.Issued victim = pki.client("dev-victim");
        assertThat(TlsTools.handshakes(broker.port("mtls"), pki.clientContext(victim))).isTrue();
        revoked.add(victim);
        pki.writeCrl(crlFile, pki.crl(Duration.ofDays(1), revoked.toArray(TlsPki.Issued[]::new)));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> !TlsTools.handshakes(broker.port("mtls"), pki.clientContext(victim)));
        assertThat(TlsTools.handshakes(broker.port("mtls"), pki.clientContext(device))).isTrue();
    }

    @Test
    void crlDistributionPoint_revokedIsRefused_goodIsAccepted() {
        assertThat(TlsTools.handshakes(broker.port("cdp"), pki.clientContext(cdpGood))).isTrue();
        assertThat(TlsTools.handshakes(broker.port("cdp"), pki.clientContext(cdpRevoked))).isFalse();
        assertThat(crlServer.requests()).isPositive();
        assertThat(SecAccessLog.await("serial=\"" + cdpRevoked.serial().toString(16) + "\"", 1).get(0))
                .contains("kind=revoked");
    }

    // ------------------------------------------------------------------ OCSP

    @Test
    void ocsp_goodRevokedUnknown_withARealResponder() {
        int port = broker.port("ocsp-hard");
        assertThat(TlsTools.handshakes(port, pki.clientContext(ocspGood))).isTrue();
        assertThat(TlsTools.handshakes(port, pki.clientContext(ocspRevoked))).isFalse();
        assertThat(TlsTools.handshakes(port, pki.clientContext(ocspUnknown))).isFalse();
        assertThat(SecAccessLog.await("serial=\"" + ocspRevoked.serial().toString(16) + "\"", 1).get(0))
                .contains("kind=revoked").contains("OCSP");
        assertThat(SecAccessLog.await("serial=\"" + ocspUnknown.serial().toString(16) + "\"", 1).get(0))
                .contains("kind=revocation-unknown");
    }

    @Test
    void ocsp_responderDown_hardFailRefuses_softFailAllows_offTheEventLoop() {
        assertThat(TlsTools.handshakes(broker.port("ocsp-hard"), pki.clientContext(ocspDown))).isFalse();
        assertThat(SecAccessLog.await("serial=\"" + ocspDown.serial().toString(16) + "\"", 1).get(0))
                .contains("kind=revocation-unavailable")
                .containsPattern("OCSP responder http://127\\.0\\.0\\.1:\\d+ unreachable: connection refused");
        try (SecLogCapture log = new SecLogCapture(RevocationChecker.class.getName())) {
            assertThat(TlsTools.handshakes(broker.port("ocsp-soft"), pki.clientContext(ocspDown))).isTrue();
            // The check (and its network fetch) ran on the listener's handshake executor, not an I/O thread.
            assertThat(log.messagesWithThreads()).anyMatch(m -> m.startsWith("rampart-tls-ocsp-soft-")
                    && m.contains("CN=ocsp-down") && m.contains("allowed by soft-fail"));
        }
        assertThat(TlsTools.handshakes(broker.port("ocsp-soft"), pki.clientContext(ocspRevoked))).isFalse();
    }

    @Test
    void ocspStapling_serverStaplesTheResponderAnswerForItsCertificate() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            TlsTools.Result r = TlsTools.run(List.of("openssl", "s_client", "-connect",
                    "127.0.0.1:" + broker.port("stapled"), "-CAfile", pki.caPem().toString(), "-status"));
            assertThat(r.output()).contains("OCSP Response Status: successful").contains("Cert Status: good");
        });
    }

    // ------------------------------------------------------------------ development certificate

    @Test
    void tlsListenerWithoutKeyMaterial_generatesADevelopmentCertificate() throws Exception {
        Path data = dir.resolve("dev-data");
        try (TestBroker dev = TestBroker.startYaml("""
                data-dir: "%s"
                listeners:
                  - {type: tls, name: dev, bind: 127.0.0.1, port: 0, allow-anonymous: true}
                """.formatted(data))) {
            Path cert = data.resolve("tls/dev-cert.pem");
            assertThat(cert).exists();
            assertThat(Files.readString(data.resolve("tls/dev-key.pem"))).contains("PRIVATE KEY");
            TlsTools.Result r = TlsTools.sClient(dev.port("dev"), cert);
            assertThat(r.ok()).as(r.output()).isTrue();
        }
    }
}
