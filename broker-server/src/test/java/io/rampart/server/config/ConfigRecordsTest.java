package io.rampart.server.config;

import io.rampart.core.MqttLimits;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The records validate themselves too, for configurations built in code (tests, the composition root). */
class ConfigRecordsTest {

    private static ListenerConfig tcp(String name, String bind, int port) {
        return new ListenerConfig(ListenerType.TCP, name, bind, port, null, false);
    }

    @Test
    void websocketListener_defaultsItsPath() {
        assertThat(new ListenerConfig(ListenerType.WEBSOCKET, "ws", "127.0.0.1", 0, null, true).path())
                .isEqualTo("/mqtt");
    }

    @Test
    void listener_rejectsImpossibleValues() {
        assertThatThrownBy(() -> tcp("t", "127.0.0.1", 65_536))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port: must be between 0 and 65535 (was 65536)");
        assertThatThrownBy(() -> new ListenerConfig(null, "t", "127.0.0.1", 1, null, false))
                .hasMessage("type: is required");
        assertThatThrownBy(() -> tcp("", "127.0.0.1", 1))
                .hasMessage("name: must be 1 to 64 letters, digits, '.', '_' or '-' (was \"\")");
        assertThatThrownBy(() -> tcp("x".repeat(65), "127.0.0.1", 1)).hasMessageStartingWith("name: ");
        assertThatThrownBy(() -> new ListenerConfig(ListenerType.TCP, "t", "127.0.0.1", 1, "/mqtt", false))
                .hasMessage("path: is only allowed on websocket and secure-websocket listeners");
        assertThatThrownBy(() -> new ListenerConfig(ListenerType.WEBSOCKET, "w", "127.0.0.1", 1, "/a b", false))
                .hasMessage("path: must start with '/' and contain no spaces, '?' or '#' (was \"/a b\")");
        assertThatThrownBy(() -> new ListenerConfig(ListenerType.WEBSOCKET, "w", "127.0.0.1", 1, "/a?b", false))
                .hasMessageStartingWith("path: ");
    }

    @Test
    void bind_acceptsIpLiteralsAndHostNamesWithoutResolving() {
        for (String ok : List.of("127.0.0.1", "0.0.0.0", "::", "::1", "fe80::1", "2001:db8::8a2e:370:7334",
                "localhost", "broker.example.com", "mqtt-1.internal", "does-not-exist.invalid")) {
            assertThat(BindAddress.isValid(ok)).as(ok).isTrue();
        }
        for (String bad : List.of("", "256.0.0.1", "1.2.3", "-host", "host-", "a..b", "a b", "host_name", "1883",
                "x".repeat(64) + ".com", "http://host")) {
            assertThat(BindAddress.isValid(bad)).as(bad).isFalse();
        }
    }

    @Test
    void bind_overlapCoversEqualAddressesAndWildcards() {
        assertThat(BindAddress.overlap("127.0.0.1", "127.0.0.1")).isTrue();
        assertThat(BindAddress.overlap("::1", "0:0:0:0:0:0:0:1")).isTrue();
        assertThat(BindAddress.overlap("0.0.0.0", "10.0.0.1")).isTrue();
        assertThat(BindAddress.overlap("::", "10.0.0.1")).isTrue();
        assertThat(BindAddress.overlap("Broker.Example.com", "broker.example.com")).isTrue();
        assertThat(BindAddress.overlap("0.0.0.0", "localhost")).isTrue();
        assertThat(BindAddress.overlap("127.0.0.1", "127.0.0.2")).isFalse();
        assertThat(BindAddress.overlap("0.0.0.0", "::1")).isFalse();
        assertThat(BindAddress.overlap("localhost", "127.0.0.1")).isFalse();
    }

    @Test
    void brokerConfig_copiesAndChecksListeners() {
        Path data = Path.of("data");
        assertThatThrownBy(() -> new BrokerConfig(List.of(), MqttLimits.DEFAULTS, data, "code"))
                .hasMessage("listeners: must contain at least one listener");
        assertThatThrownBy(() -> new BrokerConfig(List.of(tcp("a", "::", 1883), tcp("b", "127.0.0.1", 1883)),
                MqttLimits.DEFAULTS, data, "code"))
                .hasMessage("listeners[1].port: same bind address and port as listeners[0] ('a')");

        var listeners = new java.util.ArrayList<>(List.of(tcp("a", "127.0.0.1", 0)));
        BrokerConfig config = new BrokerConfig(listeners, MqttLimits.DEFAULTS, data, "code");
        listeners.clear();
        assertThat(config.listeners()).hasSize(1);
    }

    @Test
    void configException_formatsSourceKeyAndReason() {
        ConfigException e = new ConfigException("f.yaml", "mqtt.max-qos", "must be between 0 and 2 (was 3)");
        assertThat(e.getMessage()).isEqualTo("f.yaml: mqtt.max-qos: must be between 0 and 2 (was 3)");
        assertThat(new ConfigException("f.yaml", "", "file not found").getMessage()).isEqualTo("f.yaml: file not found");
    }
}
