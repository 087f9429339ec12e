package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.failure;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Placeholders in permission topic filters end to end: {@code ${mqtt-clientid}}, {@code ${mqtt-username}}
 * and a variable a regex preprocessor derives from the client id. A client id holding '+', '#' or '/'
 * must never widen what a rule allows.
 */
class SecurityPlaceholderIT {

    private static final String PW = "device-Pa55-ph";

    @TempDir
    static Path dir;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void startBroker() {
        Path users = dir.resolve("users.yaml");
        String hash = SecSetup.hash(PW);
        SecSetup.writeUsers(users, """
                users:
                  - {username: dev-a, password: "%1$s", roles: [devices]}
                  - {username: dev-b, password: "%1$s", roles: [devices]}
                  - {username: gateway, password: "%1$s", roles: [devices]}
                roles:
                  - name: devices
                    permissions:
                      - topic: "devices/${mqtt-clientid}/#"
                        activity: publish
                      - topic: "users/${mqtt-username}/#"
                      - topic: "sites/${site}/#"
                        activity: publish
                """.formatted(hash));
        broker = SecSetup.start("""
                realms:
                  - {name: local, type: file, path: "%s"}
                pipelines:
                  - name: default
                    listeners: ["*"]
                    preprocessors:
                      - {type: regex, from: mqtt-clientid, pattern: "^(?<site>[a-z]+)-(?<device>.+)$"}
                    authentication: [{type: password, realm: local}]
                    authorization: [{type: realm, realm: local}]
                brute-force: {enabled: false}
                """.formatted(users));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private RawMqttClient raw(String clientId, String user) {
        RawMqttClient raw = clients.raw(RawTransport.TCP);
        raw.connect(RawPackets.connect(RawPackets.V5).clientId(clientId).credentials(user, utf8(PW)).build());
        return raw;
    }

    private static int pubAck(RawMqttClient raw, String topic, int packetId) {
        raw.send(RawPackets.publish(RawPackets.V5, topic, 1, packetId, utf8("m")));
        RawPacket ack = raw.expect(RawPacket.PUBACK);
        assertThat(ack.packetId()).isEqualTo(packetId);
        return ack.reasonCode();
    }

    @Test
    void clientIdPlaceholder_letsADevicePublishOnlyBelowItsOwnId() {
        Mqtt5AsyncClient a = clients.hive5(RawTransport.TCP, "dev-a");
        assertThat(connect5(a, "gateway", PW)).isZero();
        await(a.publishWith().topic("devices/dev-a/temp").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("21")).send());
        Throwable refused = failure(a.publishWith().topic("devices/dev-b/temp").qos(MqttQos.AT_LEAST_ONCE)
                .payload(utf8("21")).send());
        assertThat(refused).isInstanceOfSatisfying(Mqtt5PubAckException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87));

        RawMqttClient b = raw("dev-b", "gateway");
        assertThat(pubAck(b, "devices/dev-b/temp", 1)).isLessThan(0x80);
        assertThat(pubAck(b, "devices/dev-a/temp", 2)).isEqualTo(0x87);
        assertThat(pubAck(b, "devices/dev-bb/temp", 3)).isEqualTo(0x87);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+", "#", "dev-a/x", "x/+/#"})
    void clientIdWithWildcardsOrSlashes_gainsNothing(String clientId) {
        RawMqttClient raw = raw(clientId, "gateway");
        assertThat(pubAck(raw, "devices/dev-a/t", 1)).isEqualTo(0x87);
        assertThat(pubAck(raw, "devices/dev-a/x/t", 2)).isEqualTo(0x87);
        assertThat(pubAck(raw, "devices/other", 3)).isEqualTo(0x87);
        // Only the rule with the unsafe placeholder is dropped; the session's other rules still apply.
        assertThat(pubAck(raw, "users/gateway/t", 4)).isLessThan(0x80);
    }

    @Test
    void usernamePlaceholder_isTheAuthenticatedUser() {
        RawMqttClient raw = raw("some-client", "dev-a");
        assertThat(pubAck(raw, "users/dev-a/x", 1)).isLessThan(0x80);
        assertThat(pubAck(raw, "users/dev-b/x", 2)).isEqualTo(0x87);
        assertThat(raw.subscribe(3, 1, "users/dev-a/#", "users/dev-b/#", "users/+/x").reasonCodes())
                .containsExactly(1, 0x87, 0x87);
    }

    @Test
    void preprocessorVariable_canBeUsedAsPlaceholder() {
        RawMqttClient berlin = raw("berlin-42", "gateway");
        assertThat(pubAck(berlin, "sites/berlin/42/temp", 1)).isLessThan(0x80);
        assertThat(pubAck(berlin, "sites/paris/42/temp", 2)).isEqualTo(0x87);

        // No match, no variable: the rule is dropped for this session rather than widened.
        RawMqttClient unmatched = raw("NOMATCH", "gateway");
        assertThat(pubAck(unmatched, "sites/NOMATCH/temp", 1)).isEqualTo(0x87);
        assertThat(pubAck(unmatched, "sites/berlin/temp", 2)).isEqualTo(0x87);
    }
}
