package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event log written by real client actions: connected (every key present, unknown values written as
 * such), disconnected gracefully and not, subscription added and removed, will published, session expired,
 * message dropped; plain key=value lines by default and JSON lines as an option, escaped so that a client id
 * cannot break a line.
 */
class EventLogIT {

    @TempDir
    static Path dir;
    private static EventLogFile events;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void start() {
        events = new EventLogFile(dir.resolve("events.log"));
        broker = TestBroker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
        events.close();
    }

    private static String id(String name) {
        return "evt-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void connectSubscribeUnsubscribeAndDisconnect_areLoggedWithEveryKey() {
        String clientId = id("life");
        Mqtt5AsyncClient c = clients.hive5(RawTransport.TCP, clientId);
        await(c.connectWith().cleanStart(true).sessionExpiryInterval(30).keepAlive(45).send());
        String connected = events.await("event=client-connected", "client=\"" + clientId + "\"");
        assertThat(connected).matches("^\\d{4}-\\d\\d-\\d\\dT\\S+Z event=client-connected .*")
                .containsPattern(" address=127\\.0\\.0\\.1:\\d+ ")
                .contains(" listener=tcp ", " protocol=MQTT-5.0 ", " protocol-version=5 ", " user=none ",
                        " clean-start=true ", " session-expiry=30 ", " keep-alive=45 ", " session-present=false ",
                        " tls-protocol=none ", " tls-cipher=none ", " tls-subject=none");

        await(c.subscribeWith().topicFilter("evt/life/#").qos(MqttQos.AT_LEAST_ONCE).send());
        assertThat(events.await("event=subscription-added", clientId))
                .contains(" filter=\"evt/life/#\" ", " qos=1");
        await(c.unsubscribeWith().topicFilter("evt/life/#").send());
        assertThat(events.await("event=subscription-removed", clientId)).contains(" filter=\"evt/life/#\"");

        await(c.disconnect());
        assertThat(events.await("event=client-disconnected", clientId))
                .contains(" graceful=true ", " close=client-disconnect ", " reason-code=0x00 ",
                        " reason=\"client sent DISCONNECT 0x0\"");
    }

    @Test
    void droppedConnection_isLoggedAsNotGracefulWithoutReasonCode() {
        String clientId = id("abort");
        RawMqttClient raw = clients.raw(RawTransport.TCP);
        raw.connect(RawPackets.V3_1_1, clientId);
        events.await("event=client-connected", clientId);
        raw.abort();
        assertThat(events.await("event=client-disconnected", clientId))
                .contains(" graceful=false ", " close=connection-lost ", " reason-code=none ");
        assertThat(events.lines(clientId).get(0)).contains(" protocol=MQTT-3.1.1 ", " protocol-version=4 ");
    }

    @Test
    void willAndSessionExpiry_areLogged() {
        String clientId = id("will");
        Mqtt5AsyncClient c = clients.hive5(RawTransport.TCP, clientId);
        await(c.connectWith().cleanStart(true).sessionExpiryInterval(1)
                .willPublish().topic("evt/will/" + clientId).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("gone"))
                .applyWillPublish().send());
        await(c.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send());
        assertThat(events.await("event=will-published", clientId))
                .contains(" topic=\"evt/will/" + clientId + "\" ", " qos=1 ", " retain=false");
        assertThat(events.await("event=client-disconnected", clientId)).contains(" reason-code=0x04 ");
        assertThat(events.await("event=session-expired", clientId)).contains("client=\"" + clientId + "\"");
    }

    @Test
    void droppedMessage_isLoggedWithReceiverTopicQosAndReason() {
        String clientId = id("drop");
        String topic = "evt/drop/" + clientId;
        Mqtt5AsyncClient sub = clients.hive5(RawTransport.TCP, clientId);
        await(sub.connectWith().cleanStart(true).sessionExpiryInterval(60).send());
        await(sub.subscribeWith().topicFilter(topic).send());
        await(sub.disconnect());
        Mqtt5AsyncClient pub = clients.connectedHive5(RawTransport.TCP, id("droppub"));
        await(pub.publishWith().topic(topic).qos(MqttQos.AT_MOST_ONCE).payload(bytes("x")).send());
        assertThat(events.await("event=message-dropped", clientId))
                .contains(" receiver=\"" + clientId + "\" ", " topic=\"" + topic + "\" ", " qos=0 ",
                        " reason=qos0-offline ", " dropped-since-last-report=1");
    }

    @Test
    void jsonFormat_writesOneValidJsonObjectPerLine_evenForHostileClientIds() throws Exception {
        try (TestBroker json = TestBroker.startYaml("""
                data-dir: target/test-data
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0, allow-anonymous: true}
                event-log:
                  format: json
                """); Clients own = new Clients(json)) {
            String marker = id("json");
            String hostile = marker + "\"} event=forged \\";
            Mqtt5AsyncClient c = own.hive5(RawTransport.TCP, hostile);
            await(c.connectWith().cleanStart(true).send());
            await(c.disconnect());
            events.await("\"event\":\"client-disconnected\"", marker);
            ObjectMapper mapper = new ObjectMapper();
            for (String line : events.lines(marker)) {
                JsonNode node = mapper.readTree(line);
                assertThat(node.get("client").asText()).isEqualTo(hostile);
                assertThat(node.get("time").asText()).endsWith("Z");
            }
            JsonNode connected = mapper.readTree(events.await("\"event\":\"client-connected\"", marker));
            assertThat(connected.get("protocol-version").asInt()).isEqualTo(5);
            assertThat(connected.get("clean-start").asBoolean()).isTrue();
            assertThat(connected.get("user").asText()).isEqualTo("none");
            assertThat(connected.get("tls-protocol").asText()).isEqualTo("none");
            assertThat(connected.get("tls-subject").asText()).isEqualTo("none");
            JsonNode disconnected = mapper.readTree(events.await("\"event\":\"client-disconnected\"", marker));
            assertThat(disconnected.get("graceful").asBoolean()).isTrue();
            assertThat(disconnected.get("reason-code").asText()).isEqualTo("0x00");
        }
    }
}
