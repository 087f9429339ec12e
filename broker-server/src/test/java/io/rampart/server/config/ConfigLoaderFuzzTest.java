package io.rampart.server.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Arbitrary text as the broker's YAML configuration: {@link ConfigLoader#parse} either returns a configuration or
 * throws a {@link ConfigException} that names the file first and never shows the value of an environment
 * variable (unless the text itself contains it); anything else is a finding. Without {@code -Pfuzz} it replays
 * the committed inputs under {@code ConfigLoaderFuzzTestInputs/parse} and the shipped configuration files
 * (config/, docker/), copied there by the build; see docs/SECURITY.md, "Fuzzing".
 */
class ConfigLoaderFuzzTest {

    private static final String SOURCE = "fuzz.yaml";
    private static final String SECRET = "s3cr3t-env-value";
    private static final Map<String, String> ENV = Map.of(
            "MQTT_PORT", "1883",
            "RAMPART_DATA_DIR", "/var/lib/rampart",
            "INFLUX_TOKEN", SECRET,
            "LDAP_BIND_PASSWORD", SECRET,
            "RAMPART_DB_PASSWORD", SECRET,
            "RAMPART_DEVICE_TOKEN_SECRET", SECRET + SECRET,
            "NUMBER", "70000",
            "EMPTY", "");

    @FuzzTest(maxDuration = "15m", maxExecutions = 10_000_000)
    @Timeout(60)
    void parse(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        try {
            BrokerConfig config = ConfigLoader.parse(yaml, SOURCE, ENV::get);
            if (config.listeners().isEmpty()) {
                throw new AssertionError("a configuration without listeners was accepted");
            }
        } catch (ConfigException e) {
            String message = e.getMessage();
            if (!message.startsWith(SOURCE + ": ") || e.reason() == null || e.reason().isBlank()) {
                throw new AssertionError("the message does not name the file and a reason: " + message, e);
            }
            if (message.contains(SECRET) && !yaml.contains(SECRET)) {
                throw new AssertionError("the message shows an environment variable's value: " + message, e);
            }
        }
    }
}
