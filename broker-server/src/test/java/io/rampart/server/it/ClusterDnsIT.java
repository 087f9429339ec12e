package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.ClusterProcesses;
import io.rampart.server.it.support.Dnsmasq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * DNS discovery ({@code cluster.dns-query}) against a real DNS server: dnsmasq answers a headless-service-like name
 * with the A records of two broker processes (the fat JAR), which find each other through it and act as one broker.
 */
class ClusterDnsIT {

    private static final String NAME = "rampart.cluster.test";

    @TempDir
    Path dir;

    @Test
    void twoNodes_findEachOtherThroughTheDnsName_andRouteMessagesBetweenThem() throws Exception {
        try (Dnsmasq dns = Dnsmasq.start(dir.resolve("dns"), Map.of(NAME,
                List.of(ClusterProcesses.dnsAddress(1), ClusterProcesses.dnsAddress(2))));
             ClusterProcesses cluster = ClusterProcesses.startWithDns(dir, 2, NAME, dns.address(), freePort())) {
            for (ClusterProcesses.Node node : cluster.nodes()) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> node.cluster().path("nodes").size() == 2);
                JsonNode view = node.cluster();
                assertThat(view.path("nodes")).extracting(n -> n.path("name").asText())
                        .containsExactlyInAnyOrder("node-1", "node-2");
            }
            assertThat(dns.log()).contains("query[A] " + NAME);

            Mqtt5BlockingClient sub = MqttClient.builder().useMqttVersion5().identifier("dns-sub")
                    .serverHost("127.0.0.1").serverPort(cluster.node(1).mqttPort).buildBlocking();
            Mqtt5BlockingClient pub = MqttClient.builder().useMqttVersion5().identifier("dns-pub")
                    .serverHost("127.0.0.1").serverPort(cluster.node(2).mqttPort).buildBlocking();
            try (Mqtt5BlockingClient.Mqtt5Publishes inbox = sub.publishes(MqttGlobalPublishFilter.ALL)) {
                sub.connect();
                sub.subscribeWith().topicFilter("dns/#").qos(MqttQos.AT_LEAST_ONCE).send();
                pub.connect();
                pub.publishWith().topic("dns/t").qos(MqttQos.AT_LEAST_ONCE)
                        .payload("found".getBytes(StandardCharsets.UTF_8)).send();
                Optional<Mqtt5Publish> got = inbox.receive(60, TimeUnit.SECONDS);
                assertThat(got).isPresent();
                assertThat(new String(got.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("found");
            } finally {
                pub.disconnect();
                sub.disconnect();
            }
        }
    }

    /** A port free on loopback; the nodes bind it on their own addresses. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
