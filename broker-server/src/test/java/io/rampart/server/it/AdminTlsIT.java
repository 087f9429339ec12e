package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.TestBroker;
import io.rampart.server.it.support.TlsPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS around the admin plane: an HTTPS admin listener with optional client certificates identifies operators by
 * certificate through the pipeline's x509 manager (its OU mapped to a role), and the details of an MQTT client that
 * connected over TLS name its protocol, cipher and certificate.
 */
class AdminTlsIT {

    @TempDir
    Path dir;

    @Test
    void clientCertificate_identifiesAnOperator_andMqttTlsClientsShowTheirCertificate() throws Exception {
        TlsPki pki = TlsPki.create(dir.resolve("pki"), "admin");
        TlsPki.Issued server = pki.server("broker.test");
        TlsPki.Issued operator = pki.client(TlsPki.ClientSpec.of("ops-1").ou("mqtt-ops"));
        TlsPki.Issued device = pki.client("sensor-9");
        String tls = "tls: {certificate: \"%s\", private-key: \"%s\", client-authentication: optional,"
                + " trust: {certificates: \"%s\"}}";
        String serverTls = tls.formatted(server.certPem(), server.keyPem(), pki.caPem());
        AdminSetup setup = AdminSetup.in(dir)
                .adminListener("{type: admin, name: admin, bind: 127.0.0.1, port: 0, " + serverTls + "}")
                .listeners("- {type: tls, name: mqtts, bind: 127.0.0.1, port: 0, " + serverTls + "}")
                .adminRealms("", "- {type: x509, identity: tls-subject-cn, ou-roles: {mqtt-ops: operators}}");
        try (TestBroker broker = setup.start()) {
            int port = broker.port(AdminSetup.ADMIN_LISTENER);
            JsonNode me = AdminClient.https(port, pki.clientContext(operator)).get("/api/v1/whoami").json();
            assertThat(me.path("name").asText()).isEqualTo("ops-1");
            assertThat(me.path("authenticationMethod").asText()).isEqualTo("x509");
            assertThat(me.path("roles")).extracting(JsonNode::asText).containsExactly("operators");
            assertThat(me.path("grants").get(0).path("template").asText()).isEqualTo("operator");
            assertThat(AdminClient.https(port, pki.clientContext(null)).get("/api/v1/whoami").status())
                    .as("no certificate, no credentials").isEqualTo(401);
            assertThat(AdminClient.https(port, pki.clientContext(null)).as("root").get("/api/v1/whoami").status())
                    .isEqualTo(200);

            Mqtt5AsyncClient mqtt = Mqtt5Client.builder().identifier("tls-sensor").serverHost("127.0.0.1")
                    .serverPort(broker.port("mqtts")).sslConfig().trustManagerFactory(pki.trustManagers())
                    .keyManagerFactory(pki.keyManagers(device)).applySslConfig().buildAsync();
            await(mqtt.connect());
            try {
                JsonNode d = AdminClient.https(port, pki.clientContext(operator)).get("/api/v1/clients/tls-sensor").json();
                assertThat(d.path("listener").asText()).isEqualTo("mqtts");
                assertThat(d.path("tls").path("protocol").asText()).startsWith("TLSv1.");
                assertThat(d.path("tls").path("cipher").asText()).isNotEmpty();
                assertThat(d.path("tls").path("certificateSubject").asText()).contains("CN=sensor-9");
                assertThat(d.path("tls").path("certificateSerial").asText())
                        .isEqualToIgnoringCase(device.serial().toString(16));
                assertThat(d.has("address")).as("operator has no data:address").isFalse();
            } finally {
                await(mqtt.disconnect());
            }
        }
    }
}
