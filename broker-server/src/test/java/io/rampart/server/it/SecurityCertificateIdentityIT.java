package io.rampart.server.it;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import io.rampart.server.it.support.TlsPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pipeline with {@code x509} before {@code password}: a client that sends a certificate and a user name with a
 * password is the certificate's identity, and the access log says so (the identity, the user name as presented,
 * and that the password was not checked). A certificate named {@code alice} is not the users file's
 * {@code alice}: it cannot take her session.
 */
class SecurityCertificateIdentityIT {

    private static final String PW = "cert-Pa55";

    @TempDir
    static Path dir;
    private static TlsPki pki;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void startBroker() {
        pki = TlsPki.create(dir.resolve("pki"), "certid");
        TlsPki.Issued server = pki.server("broker.test");
        Path users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, """
                users:
                  - {username: alice, password: "%s", permissions: [{topic: "alice/#"}]}
                """.formatted(SecSetup.hash(PW)));
        broker = SecSetup.start("""
                - {type: tls, name: tls, bind: 127.0.0.1, port: 0, tls: {certificate: "%s", private-key: "%s", client-authentication: optional, trust: {certificates: "%s"}}}
                """.formatted(server.certPem(), server.keyPem(), pki.caPem()), """
                realms:
                  - {name: local, type: file, path: "%s"}
                pipelines:
                  - name: default
                    listeners: ["*"]
                    authentication:
                      - {type: x509, identity: tls-subject-cn, permissions: [{topic: "devices/${tls-subject-cn}/#"}]}
                      - {type: password, realm: local}
                    authorization: [{type: realm, realm: local}]
                brute-force: {enabled: false}
                """.formatted(users));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static String id(String name) {
        return "certid-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Mqtt5AsyncClient tlsClient(TlsPki.Issued cert, String clientId) {
        return clients.track(Mqtt5Client.builder().identifier(clientId).serverHost(TestBroker.HOST)
                .serverPort(broker.port("tls"))
                .sslConfig().trustManagerFactory(pki.trustManagers()).keyManagerFactory(pki.keyManagers(cert))
                .applySslConfig().build());
    }

    @Test
    void certificateAndPassword_logsTheCertificatesIdentity_andThatThePasswordWasNotChecked() {
        String clientId = id("dev-2");
        assertThat(connect5(tlsClient(pki.client("dev-2"), clientId), "alice", "not-alices-password")).isZero();

        String line = SecAccessLog.await("client=\"" + clientId + "\"", 1).get(0);
        assertThat(line).contains("action=CONNECT result=ALLOWED kind=- listener=tls")
                .contains("user=\"alice\" identity=\"dev-2\"")
                .contains("manager=\"x509\"")
                .contains("reason=\"authenticated as 'dev-2' (password not checked)\"")
                .doesNotContain("not-alices-password");
    }

    @Test
    void passwordChecked_hasNoNote() {
        String clientId = id("alice");
        assertThat(connect5(clients.hive5(RawTransport.TCP, clientId), "alice", PW)).isZero();
        assertThat(SecAccessLog.await("client=\"" + clientId + "\"", 1).get(0))
                .contains("user=\"alice\" identity=\"alice\"")
                .contains("reason=\"authenticated as 'alice'\"");
    }

    @Test
    void aCertificateNamedAlice_cannotTakeTheSessionOfTheUsersFilesAlice() {
        String clientId = id("alice-session");
        Mqtt5AsyncClient alice = clients.hive5(RawTransport.TCP, clientId);
        await(alice.connectWith().cleanStart(false).sessionExpiryInterval(300)
                .simpleAuth().username("alice").password(utf8(PW)).applySimpleAuth().send());

        assertThat(connect5(tlsClient(pki.client("alice"), clientId), null, null)).isEqualTo(0x85);
        assertThat(alice.getState().isConnected()).isTrue();
        assertThat(SecAccessLog.await("client=\"" + clientId + "\" user=-", 1).get(0))
                .contains("kind=client-id-owned").contains("identity=\"alice\"")
                .contains("client id belongs to the session of 'alice' (realm local)");
    }
}
