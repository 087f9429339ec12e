package io.rampart.server.it;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.rampart.server.it.support.AdminHttp;
import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A listener's {@code max-connections}: a connection beyond it is closed as soon as it is accepted, before
 * anything is read from it; the other listeners and the clients already connected are not affected, and a
 * place that frees up can be taken again.
 */
class MaxConnectionsIT {

    private static final String YAML = """
            data-dir: target/test-data
            listeners:
              - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0, allow-anonymous: true, max-connections: 3}
              - {type: websocket, name: ws, bind: 127.0.0.1, port: 0, path: /mqtt, allow-anonymous: true}
              - {type: admin, name: admin, bind: 127.0.0.1, port: 0}
            """;

    @TempDir
    Path dir;

    @Test
    void connectionBeyondTheLimit_isClosedAtOnce_andThePlaceCanBeTakenAgainWhenOneFrees() {
        List<Mqtt5BlockingClient> clients = new ArrayList<>();
        try (TestBroker broker = TestBroker.startYaml(YAML);
             EventLogFile events = new EventLogFile(dir.resolve("events.log"))) {
            for (int i = 0; i < 3; i++) {
                Mqtt5BlockingClient c = RawTransport.TCP.hiveMq5(broker, "limited-" + i).buildBlocking();
                c.connect();
                clients.add(c);
            }

            try (RawMqttClient fourth = RawMqttClient.tcp(broker.tcpPort())) {
                fourth.send(RawPackets.connect(RawPackets.V5, "limited-3"));
                assertThat(fourth.readUntilClosed()).as("no CONNACK: closed before anything is read").isEmpty();
            }
            assertThat(events.await("event=connections-refused", "listener=tcp"))
                    .contains("limit=max-connections", "value=3", "refused=1", "source=none");
            AdminHttp admin = new AdminHttp(broker.port("admin"));
            assertThat(admin.scrape().value("rampart_connections_refused_total", "reason", "max-connections"))
                    .isEqualTo(1.0);

            // the connected clients and the other listener are served as before
            for (Mqtt5BlockingClient c : clients) {
                c.publishWith().topic("limited/check").send();
            }
            Mqtt5BlockingClient ws = RawTransport.WEBSOCKET.hiveMq5(broker, "other-listener").buildBlocking();
            ws.connect();
            ws.disconnect();

            clients.remove(0).disconnect();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                try (RawMqttClient again = RawMqttClient.tcp(broker.tcpPort())) {
                    again.connect(RawPackets.V5, "limited-again");
                    assertThat(again.ping()).isTrue();
                }
            });
            clients.forEach(Mqtt5BlockingClient::disconnect);
        }
    }

    @Test
    void maxConnectionsOnTheAdminListener_refusesToStart() {
        String yaml = YAML.replace("{type: admin, name: admin, bind: 127.0.0.1, port: 0}",
                "{type: admin, name: admin, bind: 127.0.0.1, port: 0, max-connections: 5}");
        assertThatThrownBy(() -> TestBroker.startYaml(yaml).close())
                .hasMessageContaining("max-connections: is only for MQTT listeners");
    }
}
