package io.rampart.server.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.rampart.server.config.ConfigLoaderTest.catchConfig;
import static org.assertj.core.api.Assertions.assertThat;

class ConfigEnvTest {

    private static final Map<String, String> ENV = Map.of(
            "MQTT_PORT", "1884",
            "HOST", "10.1.2.3",
            "ANON", "true",
            "EMPTY", "",
            "BIG", "70000",
            "SECRET_PORT", "s3cr3t",
            "SIZE", "64KB");

    private static BrokerConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "env.yaml", ENV::get);
    }

    private static ConfigException failure(String yaml) {
        return catchConfig(() -> parse(yaml));
    }

    @Test
    void variables_areSubstitutedBeforeTyping() throws ConfigException {
        BrokerConfig config = parse("""
                listeners:
                  - type: tcp
                    name: t
                    bind: ${ENV:HOST}
                    port: ${ENV:MQTT_PORT}
                    allow-anonymous: ${ENV:ANON}
                mqtt:
                  max-packet-size: ${ENV:SIZE}
                """);
        ListenerConfig listener = config.listeners().get(0);
        assertThat(listener.bind()).isEqualTo("10.1.2.3");
        assertThat(listener.port()).isEqualTo(1884);
        assertThat(listener.allowAnonymous()).isTrue();
        assertThat(config.mqtt().maxPacketSize()).isEqualTo(65_536);
    }

    @Test
    void defaults_applyWhenUnsetOrEmpty() throws ConfigException {
        BrokerConfig config = parse("""
                listeners:
                  - {type: tcp, name: "${ENV:UNSET:-tcp}-${ENV:EMPTY:-local}", port: "${ENV:UNSET:-1885}"}
                """);
        assertThat(config.listeners().get(0).name()).isEqualTo("tcp-local");
        assertThat(config.listeners().get(0).port()).isEqualTo(1885);
    }

    @Test
    void escapedReference_staysLiteralAndOtherPlaceholdersAreUntouched() throws Exception {
        assertThat(EnvSubstitution.substitute("$${ENV:HOST}", ENV::get)).isEqualTo("${ENV:HOST}");
        assertThat(EnvSubstitution.substitute("client/${mqtt-clientid}/#", ENV::get)).isEqualTo("client/${mqtt-clientid}/#");
        assertThat(EnvSubstitution.substitute("a${ENV:HOST}b${ENV:MQTT_PORT}c", ENV::get)).isEqualTo("a10.1.2.3b1884c");
        assertThat(EnvSubstitution.substitute("${ENV:EMPTY}", ENV::get)).isEmpty();
    }

    @Test
    void undefinedVariable_namesVariableAndKey() {
        assertThat(failure("listeners:\n  - {type: tcp, name: t, port: '${ENV:MQTT_PORTT}'}\n").getMessage())
                .isEqualTo("env.yaml: listeners[0].port: environment variable MQTT_PORTT is not set"
                        + " (set it, or give a default with ${ENV:MQTT_PORTT:-default})");
    }

    @Test
    void malformedReferences_refuse() {
        assertThat(failure("listeners:\n  - {type: tcp, name: '${ENV:HOST', port: 1}\n").getMessage())
                .isEqualTo("env.yaml: listeners[0].name: unterminated ${ENV:...} reference"
                        + " (expected ${ENV:NAME} or ${ENV:NAME:-default})");
        assertThat(failure("listeners:\n  - {type: tcp, name: '${ENV:HOST:x}', port: 1}\n").getMessage())
                .isEqualTo("env.yaml: listeners[0].name: malformed reference ${ENV:HOST:x} (expected ${ENV:NAME}"
                        + " or ${ENV:NAME:-default}, NAME made of letters, digits and '_')");
    }

    @Test
    void substitutedValues_areNeverEchoed() {
        ConfigException wrongType = failure("listeners:\n  - {type: tcp, name: t, port: '${ENV:SECRET_PORT}'}\n");
        assertThat(wrongType.getMessage()).isEqualTo("env.yaml: listeners[0].port: must be an integer"
                + " (value from environment variable SECRET_PORT, not shown)");

        ConfigException outOfRange = failure("listeners:\n  - {type: tcp, name: t, port: '${ENV:BIG}'}\n");
        assertThat(outOfRange.getMessage()).isEqualTo("env.yaml: listeners[0].port: must be between 0 and 65535"
                + " (value from environment variable BIG, not shown)");

        ConfigException badBind = failure("listeners:\n  - {type: tcp, name: t, bind: 'x-${ENV:SECRET_PORT}!', port: 1}\n");
        assertThat(badBind.getMessage()).isEqualTo("env.yaml: listeners[0].bind: must be an IP address or a host name"
                + " (value from environment variable SECRET_PORT, not shown)");

        ConfigException mqtt = failure("listeners:\n  - {type: tcp, name: t, port: 1}\nmqtt:\n  max-qos: ${ENV:BIG}\n");
        assertThat(mqtt.getMessage()).isEqualTo("env.yaml: mqtt.max-qos: must be between 0 and 2"
                + " (value from environment variable BIG, not shown)");
        assertThat(mqtt.getMessage()).doesNotContain("70000");
    }
}
