package io.rampart.server.config;

import io.rampart.tls.RevocationSettings;
import io.rampart.tls.TlsSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code tls:} block of tls and secure-websocket listeners and the x509 manager: parsing and refusals. */
class ConfigTlsTest {

    @TempDir
    static Path dir;
    private static Path file;

    @BeforeAll
    static void files() throws Exception {
        file = dir.resolve("any.pem");
        Files.writeString(file, "not checked by the parser");
    }

    private static BrokerConfig parse(String tls) throws ConfigException {
        return ConfigLoader.parse("""
                listeners:
                  - type: tls
                    name: t
                    tls:
                %s""".formatted(tls.indent(6)), "test.yaml");
    }

    private static String failure(String tls) {
        try {
            parse(tls);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a ConfigException");
    }

    @Test
    void tlsListener_defaultsToPort8883_bothProtocols_andTheDevelopmentCertificate() throws ConfigException {
        BrokerConfig config = ConfigLoader.parse("listeners:\n  - {type: tls, name: t}\n  - {type: secure-websocket, name: w}\n",
                "test.yaml");
        ListenerConfig tls = config.listeners().get(0);
        assertThat(tls.port()).isEqualTo(8883);
        assertThat(tls.tls().protocols()).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
        assertThat(tls.tls().keyMaterial()).isNull();
        assertThat(tls.tls().clientAuth()).isEqualTo(TlsSettings.ClientAuthMode.NONE);
        ListenerConfig wss = config.listeners().get(1);
        assertThat(wss.port()).isEqualTo(8443);
        assertThat(wss.path()).isEqualTo("/mqtt");
    }

    @Test
    void fullBlock_isMapped() throws ConfigException {
        TlsSettings s = parse("""
                provider: jdk
                protocols: [TLSv1.3]
                tls13-cipher-suites: [TLS_AES_128_GCM_SHA256]
                handshake-timeout: 5
                certificate: "%1$s"
                private-key: "%1$s"
                private-key-password: secret
                client-authentication: required
                trust: {certificates: "%1$s"}
                sni:
                  - {host-names: ["*.example.com"], keystore: "%1$s", keystore-password: pw}
                revocation:
                  mode: ocsp-then-crl
                  crl-files: ["%1$s"]
                  ocsp-url: http://ocsp.example.com
                  on-unavailable: soft-fail
                  timeout: 3
                reload-interval: 0
                """.formatted(file)).listeners().get(0).tls();
        assertThat(s.provider()).isEqualTo(TlsSettings.Provider.JDK);
        assertThat(s.tls13CipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256");
        assertThat(s.handshakeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.keyMaterial().privateKeyPassword()).isEqualTo("secret");
        assertThat(s.sni()).singleElement().satisfies(e -> assertThat(e.hostNames()).containsExactly("*.example.com"));
        assertThat(s.revocation().mode()).isEqualTo(RevocationSettings.Mode.OCSP_THEN_CRL);
        assertThat(s.revocation().onUnavailable()).isEqualTo(RevocationSettings.FailurePolicy.SOFT_FAIL);
        assertThat(s.revocation().timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.reloadInterval()).isZero();
    }

    @Test
    void unknownCipherSuite_refusesToStart_namingIt() {
        assertThat(failure("cipher-suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_FANTASY_WITH_ROT13]"))
                .startsWith("test.yaml: listeners[0].tls.cipher-suites: unknown or unsupported cipher suite"
                        + " 'TLS_FANTASY_WITH_ROT13'");
    }

    @Test
    void oldProtocol_isRefused() {
        assertThat(failure("protocols: [TLSv1.1, TLSv1.2]"))
                .isEqualTo("test.yaml: listeners[0].tls.protocols: 'TLSv1.1' is not allowed (supported: TLSv1.2,"
                        + " TLSv1.3; older versions are insecure)");
    }

    @Test
    void clientAuthenticationWithoutTrust_isRefused() {
        assertThat(failure("client-authentication: required")).contains("listeners[0].tls.trust: is required");
    }

    @Test
    void missingFile_isRefusedWithItsPath() {
        assertThat(failure("certificate: /nowhere/cert.pem\nprivate-key: /nowhere/key.pem"))
                .isEqualTo("test.yaml: listeners[0].tls.certificate: file /nowhere/cert.pem does not exist or cannot be read");
    }

    @Test
    void revocationWithoutClientCertificates_isRefused() {
        assertThat(failure("revocation: {mode: ocsp}")).contains("listeners[0].tls.revocation: checks client certificates");
    }

    @Test
    void ocspStaplingOnTheJdkProvider_isRefused() {
        assertThat(failure("provider: jdk\nocsp-stapling: true"))
                .isEqualTo("test.yaml: listeners[0].tls.ocsp-stapling: needs the openssl provider");
    }

    @Test
    void tlsExample_parses() throws Exception {
        Path tlsDir = Files.createDirectories(dir.resolve("example-tls"));
        for (String name : java.util.List.of("broker.pem", "broker-key.pem", "device-ca.pem", "device-ca.crl",
                "mqtt-example-org.p12", "broker.p12")) {
            Files.writeString(tlsDir.resolve(name), "placeholder");
        }
        String yaml = Files.readString(Path.of("..", "config", "examples", "tls.yaml"))
                .replace("config/tls/", tlsDir + "/");
        BrokerConfig config = ConfigLoader.parse(yaml, "tls.yaml", name -> "from-env");
        assertThat(config.listeners()).extracting(ListenerConfig::type)
                .containsExactly(ListenerType.TLS, ListenerType.SECURE_WEBSOCKET);
        TlsSettings devices = config.listeners().get(0).tls();
        assertThat(devices.clientAuth()).isEqualTo(TlsSettings.ClientAuthMode.REQUIRED);
        assertThat(devices.revocation().mode()).isEqualTo(RevocationSettings.Mode.OCSP_THEN_CRL);
        assertThat(devices.ocspStapling()).isTrue();
        assertThat(devices.keyMaterial().privateKeyPassword()).isEqualTo("from-env");
        assertThat(devices.sessionTickets()).isTrue();
        assertThat(devices.sessionLifetime()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.security().pipelines().get(0).authentication()).extracting(SecurityConfig.Manager::type)
                .containsExactly("x509", "password");
    }

    @Test
    void sessionTicketsAndLifetime_areRead_andTheLifetimeIsBounded() throws ConfigException {
        TlsSettings tls = parse("provider: openssl\nsession-tickets: false\nsession-lifetime: 90\n").listeners().get(0).tls();
        assertThat(tls.sessionTickets()).isFalse();
        assertThat(tls.sessionLifetime()).isEqualTo(Duration.ofSeconds(90));
        assertThat(parse("protocols: [TLSv1.3]\n").listeners().get(0).tls().sessionLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(failure("session-lifetime: 0\n"))
                .isEqualTo("test.yaml: listeners[0].tls.session-lifetime: must be between 1 and 604800 seconds (was 0)");
        assertThat(failure("provider: jdk\nsession-tickets: false\n"))
                .startsWith("test.yaml: listeners[0].tls.session-tickets: false needs the openssl provider");
    }

    @Test
    void tlsBlockOnATcpListener_isRefused() {
        assertThatThrownBy(() -> ConfigLoader.parse("listeners:\n  - {type: tcp, name: t, port: 1, tls: {}}\n", "test.yaml"))
                .hasMessage("test.yaml: listeners[0].tls: is only allowed on tls, secure-websocket and admin listeners");
    }

    @Test
    void x509Manager_isMapped_andUnknownIdentityFieldRefused() throws ConfigException {
        String yaml = """
                listeners:
                  - {type: tls, name: t}
                security:
                  pipelines:
                    - name: p
                      listeners: [t]
                      authentication:
                        - {type: x509, identity: %s, must-match: client-id, ou-roles: {sensors: [sensor, reader], ops: admin},
                           permissions: [{topic: "devices/${tls-subject-cn}/#"}]}
                """;
        SecurityConfig.Manager m = ConfigLoader.parse(yaml.formatted("tls-san-uri"), "test.yaml").security().pipelines()
                .get(0).authentication().get(0);
        io.rampart.security.x509.X509Settings x = (io.rampart.security.x509.X509Settings) m.settings();
        assertThat(x.identityField()).isEqualTo("tls-san-uri");
        assertThat(x.mustMatch()).isEqualTo(io.rampart.security.x509.X509Settings.MustMatch.CLIENT_ID);
        assertThat(x.ouRoles()).containsEntry("ops", java.util.Set.of("admin"));
        assertThat(x.ouRoles().get("sensors")).containsExactly("sensor", "reader");
        assertThat(x.grants()).hasSize(1);
        assertThatThrownBy(() -> ConfigLoader.parse(yaml.formatted("tls-nonsense"), "test.yaml"))
                .hasMessageContaining("authentication[0].identity: must be one of");
    }
}
