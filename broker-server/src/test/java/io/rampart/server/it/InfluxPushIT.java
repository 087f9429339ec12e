package io.rampart.server.it;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.sun.net.httpserver.HttpServer;
import io.rampart.server.RampartBroker;
import io.rampart.server.config.ConfigLoader;
import io.rampart.server.it.support.TestBroker;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The InfluxDB push against a local HTTP endpoint that records what it receives: the v2 write API with org,
 * bucket and the token (taken from the environment through {@code ${ENV:...}}), and line protocol carrying
 * the broker's meters.
 */
class InfluxPushIT {

    private record Received(String method, String uri, String authorization, String body) {
    }

    @Test
    void metrics_arePushedAsLineProtocolToTheConfiguredBucket() throws Exception {
        List<Received> received = new CopyOnWriteArrayList<>();
        HttpServer influx = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        influx.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Authorization"), new String(body, StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        influx.start();
        String yaml = """
                data-dir: target/test-data
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0, allow-anonymous: true}
                metrics:
                  influx:
                    enabled: true
                    uri: http://127.0.0.1:%d
                    org: ops
                    bucket: rampart
                    token: ${ENV:RAMPART_INFLUX_TOKEN}
                    step: 1
                """.formatted(influx.getAddress().getPort());
        RampartBroker broker = RampartBroker.start(ConfigLoader.parse(yaml, "influx.yaml",
                name -> name.equals("RAMPART_INFLUX_TOKEN") ? "t0ken-from-env" : null));
        Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier("influx-client")
                .serverHost(TestBroker.HOST).serverPort(broker.port("tcp")).buildAsync();
        try {
            await(c.connect());
            await(c.publishWith().topic("influx/test").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[]{1}).send());
            Awaitility.await("line protocol with the publish counted").atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> received.stream().anyMatch(r -> r.body().lines().anyMatch(l ->
                            l.startsWith("rampart_messages_in,") && l.contains("type=publish") && l.contains("qos=1")
                                    && !l.contains("value=0 "))));
            Received push = received.get(received.size() - 1);
            assertThat(push.method()).isEqualTo("POST");
            assertThat(push.uri()).startsWith("/api/v2/write").contains("bucket=rampart").contains("org=ops");
            assertThat(push.authorization()).isEqualTo("Token t0ken-from-env");
            assertThat(received.stream().map(Received::body)).anyMatch(b -> b.contains("rampart_connections_opened"))
                    .anyMatch(b -> b.contains("jvm_memory_used"));
        } finally {
            c.disconnect();
            broker.close();
            influx.stop(0);
        }
    }
}
