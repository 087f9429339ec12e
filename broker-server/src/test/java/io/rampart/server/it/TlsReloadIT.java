package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.SecLogCapture;
import io.rampart.server.it.support.TestBroker;
import io.rampart.server.it.support.TlsPki;
import io.rampart.server.it.support.TlsTools;
import io.rampart.tls.ServerTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.next;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hot reload of a TLS listener's certificate: replacing the files makes new handshakes use the new certificate
 * while a connected client keeps its session; a broken file keeps the previous certificate and says why.
 */
class TlsReloadIT {

    @TempDir
    Path dir;

    @Test
    void replacedCertificate_servesNewHandshakes_liveClientStaysConnected_brokenFileKeepsThePrevious() throws Exception {
        TlsPki pki = TlsPki.create(dir.resolve("pki"), "reload");
        TlsPki.Issued first = pki.server("first.test");
        TlsPki.Issued second = pki.server("second.test");
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server-key.pem");
        Files.copy(first.certPem(), cert);
        Files.copy(first.keyPem(), key);
        try (TestBroker broker = TestBroker.startYaml("""
                data-dir: "%s"
                listeners:
                  - type: tls
                    name: tls
                    bind: 127.0.0.1
                    port: 0
                    allow-anonymous: true
                    tls: {certificate: "%s", private-key: "%s", reload-interval: 1}
                """.formatted(dir.resolve("data"), cert, key))) {
            int port = broker.port("tls");
            assertThat(subject(port, pki)).isEqualTo("CN=first.test");

            Mqtt5AsyncClient live = Mqtt5Client.builder().identifier("reload-live").serverHost("127.0.0.1")
                    .serverPort(port).sslConfig().trustManagerFactory(pki.trustManagers()).applySslConfig().buildAsync();
            await(live.connectWith().cleanStart(true).send());
            BlockingQueue<Mqtt5Publish> inbox = new LinkedBlockingQueue<>();
            await(live.subscribeWith().topicFilter("reload/#").qos(MqttQos.AT_LEAST_ONCE).callback(inbox::add).send());

            // Key first, then certificate: in between the pair does not match, which must not break anything.
            TlsPki.write(key, Files.readString(second.keyPem()));
            TlsPki.write(cert, Files.readString(second.certPem()));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> subject(port, pki).equals("CN=second.test"));

            await(live.publishWith().topic("reload/after").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("still here".getBytes(StandardCharsets.UTF_8)).send());
            assertThat(new String(next(inbox).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("still here");
            assertThat(live.getState().isConnected()).isTrue();

            try (SecLogCapture log = new SecLogCapture(ServerTls.class.getName())) {
                TlsPki.write(key, "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> log.messages().stream().anyMatch(m -> m.startsWith("ERROR")
                                && m.contains("keeping the previous one") && m.contains(key.toString())));
                // Restoring the content in use builds nothing new, but says the listener's material is sound again.
                TlsPki.write(key, Files.readString(second.keyPem()));
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> log.messages().stream().anyMatch(m -> m.startsWith("INFO")
                                && m.contains("listener 'tls': TLS material is valid again")
                                && m.contains("CN=second.test")));
            }
            assertThat(subject(port, pki)).isEqualTo("CN=second.test");
            await(live.disconnect());
        }
    }

    @Test
    void wrongKeyPassword_refusesToStart_namingTheFile() {
        TlsPki pki = TlsPki.create(dir.resolve("pki"), "refuse");
        TlsPki.Issued server = pki.server("refuse.test");
        java.nio.file.Path encrypted = pki.encryptedKey(server, "right-pass");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestBroker.startYaml("""
                        data-dir: "%s"
                        listeners:
                          - type: tls
                            name: tls
                            bind: 127.0.0.1
                            port: 0
                            allow-anonymous: true
                            tls: {certificate: "%s", private-key: "%s", private-key-password: wrong-pass}
                        """.formatted(dir.resolve("data"), server.certPem(), encrypted)).close())
                .hasMessageContaining("listener 'tls'").hasMessageContaining(encrypted.toString())
                .hasMessageContaining("wrong password");
    }

    private static String subject(int port, TlsPki pki) throws Exception {
        X509Certificate c = TlsTools.serverCertificate(port, pki.clientContext(null), null);
        return c.getSubjectX500Principal().getName();
    }
}
