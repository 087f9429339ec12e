package io.rampart.server.config;

import io.rampart.cluster.ClusterSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.rampart.server.config.ConfigLoaderTest.catchConfig;
import static org.assertj.core.api.Assertions.assertThat;

class ConfigClusterTest {

    private static final String BASE = """
            data-dir: /var/lib/rampart
            listeners:
              - {type: tcp, name: t, port: 1883}
            """;

    private static BrokerConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(BASE + yaml, "cluster.yaml", Map.<String, String>of()::get);
    }

    private static String failure(String yaml) {
        return catchConfig(() -> parse(yaml)).getMessage();
    }

    @Test
    void noSection_isASingleBroker() throws ConfigException {
        assertThat(parse("").cluster()).isEqualTo(ClusterSettings.DISABLED);
        assertThat(parse("cluster: {enabled: false}\n").cluster().enabled()).isFalse();
    }

    @Test
    void aDevelopmentCluster_isRead_withItsCaInTheDataDirectory() throws ConfigException {
        ClusterSettings c = parse("""
                cluster:
                  enabled: true
                  node-name: node-2
                  bind: 10.0.0.12
                  port: 7801
                  members: [10.0.0.11:7801, "10.0.0.12:7801", "[fd00::13]:7801"]
                  client-address: mqtt-2.example.com:1883
                  tls: {development: true}
                  replication: 2
                  failure-detection: 4s
                  join-timeout: 500ms
                """).cluster();
        assertThat(c.enabled()).isTrue();
        assertThat(c.nodeName()).isEqualTo("node-2");
        assertThat(c.bind()).isEqualTo("10.0.0.12");
        assertThat(c.port()).isEqualTo(7801);
        assertThat(c.members()).containsExactly("10.0.0.11:7801", "10.0.0.12:7801", "[fd00::13]:7801");
        assertThat(c.memberAddresses().get(2).getHostString()).isEqualTo("fd00::13");
        assertThat(c.clientAddress()).isEqualTo("mqtt-2.example.com:1883");
        assertThat(c.tls().development()).isTrue();
        assertThat(c.tls().developmentCa().toString()).isEqualTo("/var/lib/rampart/cluster-ca");
        assertThat(c.replication()).isEqualTo(2);
        assertThat(c.failureDetection()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.joinTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void dnsDiscovery_replacesTheMembers() throws ConfigException {
        ClusterSettings c = parse("cluster: {enabled: true, dns-query: rampart.mqtt.svc.cluster.local,"
                + " tls: {development: true}}\n").cluster();
        assertThat(c.dnsQuery()).isEqualTo("rampart.mqtt.svc.cluster.local");
        assertThat(c.members()).isEmpty();
        assertThat(c.port()).isEqualTo(ClusterSettings.DEFAULT_PORT);
        assertThat(c.dnsServer()).isNull();
        assertThat(parse("cluster: {enabled: true, dns-query: rampart.test, dns-server: 10.96.0.10:53,"
                + " tls: {development: true}}\n").cluster().dnsServer()).isEqualTo("10.96.0.10:53");
    }

    @Test
    void anEnabledCluster_needsTls_membersAndValidValues_andNamesTheKey() {
        assertThat(failure("cluster: {enabled: true, members: [a:7800]}\n")).isEqualTo("cluster.yaml: cluster.tls:"
                + " is required: nodes only talk TLS with client certificates (development: true generates a cluster"
                + " CA for trying it out)");
        assertThat(failure("cluster: {enabled: true, tls: {development: true}}\n"))
                .isEqualTo("cluster.yaml: cluster.members: list the nodes as host:port (or set dns-query)");
        assertThat(failure("cluster: {enabled: true, members: [a:7800], dns-query: x, tls: {development: true}}\n"))
                .isEqualTo("cluster.yaml: cluster.dns-query: use either members or dns-query, not both");
        assertThat(failure("cluster: {enabled: true, members: [a:7800], dns-server: 10.0.0.1:53,"
                + " tls: {development: true}}\n")).isEqualTo("cluster.yaml: cluster.dns-server: only with dns-query");
        assertThat(failure("cluster: {dns-query: x, dns-server: 10.0.0.1}\n"))
                .isEqualTo("cluster.yaml: cluster.dns-server: must be host:port (was \"10.0.0.1\")");
        assertThat(failure("cluster: {enabled: true, members: [a], tls: {development: true}}\n"))
                .isEqualTo("cluster.yaml: cluster.members[0]: must be host:port (was \"a\")");
        assertThat(failure("cluster: {node-name: \"node 1\"}\n")).startsWith("cluster.yaml: cluster.node-name: must be");
        assertThat(failure("cluster: {replication: 9}\n"))
                .isEqualTo("cluster.yaml: cluster.replication: must be between 0 and 7 (was 9)");
        assertThat(failure("cluster: {failure-detection: 1s}\n"))
                .isEqualTo("cluster.yaml: cluster.failure-detection: must be between 2 s and 5 min");
        assertThat(failure("cluster: {tls: {development: true, trust: {certificates: /etc/hosts}}}\n"))
                .isEqualTo("cluster.yaml: cluster.tls.development: cannot be combined with certificate, private-key,"
                        + " keystore or trust");
        assertThat(failure("cluster: {tls: {trust: {certificates: /etc/hosts}}}\n"))
                .isEqualTo("cluster.yaml: cluster.tls.certificate: is required (or development: true)");
        assertThat(failure("cluster: {gossip: true}\n")).startsWith("cluster.yaml: cluster.gossip: unknown key");
        assertThat(failure("cluster: {tls: {keystore: x.p12}}\n")).startsWith("cluster.yaml: cluster.tls.keystore:"
                + " unknown key");
    }

    @Test
    void theListsOfAllowedKeys_areThoseOfTheRecord() {
        assertThat(ClusterSection.KEYS).containsExactly("enabled", "node-name", "bind", "port", "members",
                "dns-query", "dns-server", "client-address", "tls", "replication", "failure-detection", "join-timeout");
        assertThat(ClusterSection.TLS_KEYS).isEqualTo(List.of("certificate", "private-key", "private-key-password",
                "trust", "development"));
    }

    @Test
    void theDockerClusterConfiguration_isOneNodeOfThree_withTheDevelopmentCa() throws Exception {
        String yaml = Files.readString(Path.of("..", "docker", "cluster.yaml"));
        BrokerConfig config = ConfigLoader.parse(yaml, "docker/cluster.yaml", Map.of("RAMPART_NODE_NAME", "rampart-2",
                "RAMPART_CLIENT_ADDRESS", "localhost:1884")::get);
        ClusterSettings c = config.cluster();
        assertThat(c.enabled()).isTrue();
        assertThat(c.nodeName()).isEqualTo("rampart-2");
        assertThat(c.bind()).isEqualTo("rampart-2");
        assertThat(c.members()).containsExactly("rampart-1:7800", "rampart-2:7800", "rampart-3:7800");
        assertThat(c.clientAddress()).isEqualTo("localhost:1884");
        assertThat(c.tls().development()).isTrue();
        assertThat(Files.readString(Path.of("..", "docker", "compose.cluster.yaml"))).contains("cluster.yaml")
                .contains("9090/health/ready").contains("cluster-ca:/opt/rampart/data/cluster-ca");
    }
}
