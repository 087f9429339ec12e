package io.rampart.server.admin;

import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigTreeTest {

    @Test
    void secretsAndUrlCredentials_areRedacted_andOpenersLeftOut(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("c.pem"), "x");
        Path key = Files.writeString(dir.resolve("k.pem"), "x");
        BrokerConfig config = ConfigLoader.parse("""
                listeners:
                  - {type: tcp, name: t, port: 1883}
                  - type: tls
                    name: s
                    port: 8883
                    tls: {certificate: "%s", private-key: "%s", private-key-password: hunter2}
                metrics:
                  influx: {uri: "http://user:pw@influx:8086", org: o, bucket: b, token: "${ENV:INFLUX_TOKEN}"}
                security:
                  realms:
                    - {name: local, type: file, path: users.yaml}
                tracing:
                  headers: {authorization: "Bearer ${ENV:OTLP_TOKEN}", x-api-key: k3y-456}
                """.formatted(cert, key), "t.yaml", Map.of("INFLUX_TOKEN", "tok-123", "OTLP_TOKEN", "otlp-789")::get);
        Map<String, Object> tree = ConfigTree.of(config);
        String text = tree.toString();
        assertThat(text).doesNotContain("hunter2").doesNotContain("tok-123").doesNotContain("user:pw")
                .contains("private-key-password=***").contains("http://***@influx:8086");
        assertThat(text).doesNotContain("otlp-789").doesNotContain("k3y-456")
                .contains("authorization=***").contains("x-api-key=***");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> listeners = (List<Map<String, Object>>) tree.get("listeners");
        assertThat(listeners.get(0)).containsEntry("name", "t").containsEntry("type", "tcp").containsEntry("port", 1883);
        @SuppressWarnings("unchecked")
        Map<String, Object> security = (Map<String, Object>) tree.get("security");
        assertThat(security.get("realms").toString()).contains("name=local").doesNotContain("opener");
    }
}
