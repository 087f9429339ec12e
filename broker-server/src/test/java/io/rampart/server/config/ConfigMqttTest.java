package io.rampart.server.config;

import io.rampart.core.ClientIdOwnership;
import io.rampart.core.MqttLimits;
import io.rampart.core.QueueOverflowPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static io.rampart.server.config.ConfigLoaderTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

class ConfigMqttTest {

    private static final String LISTENER = "listeners:\n  - {type: tcp, name: t, port: 1883}\n";

    private static MqttLimits mqtt(String section) throws ConfigException {
        return ConfigLoaderTest.parse(LISTENER + "mqtt:\n" + section.indent(2)).mqtt();
    }

    private static ConfigException mqttFailure(String section) {
        return failure(LISTENER + "mqtt:\n" + section.indent(2));
    }

    @Test
    void keys_coverEveryMqttLimitsComponentInOrder() {
        List<String> components = Arrays.stream(MqttLimits.class.getRecordComponents())
                .map(c -> c.getName().replace("Seconds", "").replaceAll("([A-Z])", "-$1").toLowerCase())
                .toList();
        assertThat(MqttSection.KEYS).containsExactlyElementsOf(components);
    }

    @Test
    void everyKey_isReadIntoItsComponent() throws ConfigException {
        MqttLimits limits = mqtt("""
                max-packet-size: 1000
                max-client-id-length: 23
                max-topic-length: 100
                max-topic-levels: 8
                receive-maximum: 10
                max-keep-alive: 600
                allow-zero-keep-alive: false
                topic-alias-maximum: 0
                max-qos: 1
                retain-available: false
                wildcard-subscriptions: false
                shared-subscriptions: false
                max-queued-messages: 5
                queue-overflow: drop-newest
                queue-qos0-offline: true
                max-session-expiry: 3600
                max-message-expiry: 86400
                connect-timeout: 3
                max-connect-packet-size: 512
                max-subscriptions-per-client: 40
                client-id-ownership: takeover
                max-queued-bytes: 4GB
                """);

        assertThat(limits).isEqualTo(new MqttLimits(1000, 23, 100, 8, 10, 600, false, 0, 1, false, false, false,
                5, QueueOverflowPolicy.DROP_NEWEST, true, 3600, 86400, 3, 512, 40, ClientIdOwnership.TAKEOVER,
                4L << 30));
    }

    @Test
    void queueOverflow_disconnect_andTheQueueLimitsOfASession() throws ConfigException {
        MqttLimits limits = mqtt("queue-overflow: disconnect\nmax-queued-messages: 50\nmax-queued-bytes: 64KB\n");
        assertThat(limits.queueLimits()).isEqualTo(new io.rampart.core.QueueLimits(50, 65_536,
                QueueOverflowPolicy.DISCONNECT));
        assertThat(MqttLimits.DEFAULTS.queueLimits().maxBytes()).as("no byte bound by default").isZero();
        assertThat(mqttFailure("queue-overflow: block\n").reason())
                .isEqualTo("must be one of drop-oldest, drop-newest, disconnect (was \"block\")");
    }

    @Test
    void aListener_setsItsOwnSlowConsumerPolicy_overTheBrokers() throws ConfigException {
        BrokerConfig config = ConfigLoaderTest.parse("""
                listeners:
                  - {type: tcp, name: fleet, port: 1883, max-queued-messages: 20, queue-overflow: disconnect}
                  - {type: tcp, name: dash, port: 1884, max-queued-bytes: 1MB}
                  - {type: tcp, name: plain, port: 1885}
                mqtt: {max-queued-messages: 500, max-queued-bytes: 64KB}
                """);
        io.rampart.core.QueueLimits broker = config.mqtt().queueLimits();
        assertThat(config.listeners().get(0).queue().over(broker))
                .isEqualTo(new io.rampart.core.QueueLimits(20, 65_536, QueueOverflowPolicy.DISCONNECT));
        assertThat(config.listeners().get(1).queue().over(broker))
                .isEqualTo(new io.rampart.core.QueueLimits(500, 1 << 20, QueueOverflowPolicy.DROP_OLDEST));
        assertThat(config.listeners().get(2).queue().over(broker)).isSameAs(broker);
        assertThat(failure("listeners:\n  - {type: tcp, name: t, port: 1883, max-queued-messages: 0}\n").reason())
                .isEqualTo("must be at least 1");
        assertThat(failure("listeners:\n  - {type: tcp, name: t, port: 1883, queue-overflow: block}\n").reason())
                .isEqualTo("must be one of drop-oldest, drop-newest, disconnect (was \"block\")");
        assertThat(failure("listeners:\n  - {type: admin, name: a, port: 9090, queue-overflow: disconnect}\n")
                .getMessage()).contains("only for MQTT listeners");
    }

    @Test
    void oneKey_leavesTheOthersAtTheirDefaults() throws ConfigException {
        MqttLimits limits = mqtt("receive-maximum: 7\n");
        assertThat(limits.receiveMaximum()).isEqualTo(7);
        assertThat(limits.maxPacketSize()).isEqualTo(MqttLimits.DEFAULTS.maxPacketSize());
        assertThat(limits.queueOverflow()).isEqualTo(QueueOverflowPolicy.DROP_OLDEST);
        assertThat(limits.clientIdOwnership()).isEqualTo(ClientIdOwnership.STRICT);
    }

    @Test
    void largestSessionExpiry_fitsTheLongComponent() throws ConfigException {
        assertThat(mqtt("max-session-expiry: 4294967295\n").maxSessionExpirySeconds()).isEqualTo(4_294_967_295L);
    }

    @ParameterizedTest
    @CsvSource({
            "1000, 1000",
            "512B, 512",
            "256KB, 262144",
            "256 KB, 262144",
            "1MB, 1048576",
            "1mb, 1048576",
            "255MB, 267386880",
            "'\"4096\"', 4096",
    })
    void maxPacketSize_acceptsUnits(String yaml, int bytes) throws ConfigException {
        assertThat(mqtt("max-packet-size: " + yaml + "\n").maxPacketSize()).isEqualTo(bytes);
    }

    @Test
    void maxPacketSize_badSizes_refuse() {
        assertThat(mqttFailure("max-packet-size: 1.5MB\n").getMessage()).isEqualTo(
                "test.yaml: mqtt.max-packet-size: must be a size in bytes, e.g. 1048576, 256KB or 1MB (was \"1.5MB\")");
        assertThat(mqttFailure("max-packet-size: 1TB\n").reason())
                .isEqualTo("must be a size in bytes, e.g. 1048576, 256KB or 1MB (was \"1TB\")");
        assertThat(mqttFailure("max-packet-size: 256MB\n").getMessage())
                .isEqualTo("test.yaml: mqtt.max-packet-size: must be between 1 and 268435455 (was 268435456)");
        assertThat(mqttFailure("max-packet-size: 4GB\n").getMessage())
                .isEqualTo("test.yaml: mqtt.max-packet-size: is out of range (was \"4GB\")");
        assertThat(mqttFailure("max-packet-size: 0\n").getMessage())
                .isEqualTo("test.yaml: mqtt.max-packet-size: must be between 1 and 268435455 (was 0)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "max-client-id-length: 22 | max-client-id-length: must be between 23 and 65535 (was 22)",
            "max-topic-length: 0      | max-topic-length: must be between 1 and 65535 (was 0)",
            "max-topic-levels: 65536  | max-topic-levels: must be between 1 and 65535 (was 65536)",
            "receive-maximum: 0       | receive-maximum: must be between 1 and 65535 (was 0)",
            "max-keep-alive: 0        | max-keep-alive: must be between 1 and 65535 (was 0)",
            "topic-alias-maximum: -1  | topic-alias-maximum: must be between 0 and 65535 (was -1)",
            "max-qos: 3               | max-qos: must be between 0 and 2 (was 3)",
            "max-queued-messages: 0   | max-queued-messages: must be between 1 and 2147483647 (was 0)",
            "max-session-expiry: 4294967296 | max-session-expiry: must be between 0 and 4294967295 (was 4294967296)",
            "max-message-expiry: -1   | max-message-expiry: must be between 0 and 4294967295 (was -1)",
            "connect-timeout: 0       | connect-timeout: must be between 1 and 3600 (was 0)",
    })
    void impossibleValues_refuseWithTheMqttKeyPath(String yaml, String expected) {
        assertThat(mqttFailure(yaml + "\n").getMessage()).isEqualTo("test.yaml: mqtt." + expected);
    }

    @Test
    void wrongTypes_refuse() {
        assertThat(mqttFailure("max-qos: true\n").getMessage())
                .isEqualTo("test.yaml: mqtt.max-qos: must be an integer (was true)");
        assertThat(mqttFailure("retain-available: 1\n").getMessage())
                .isEqualTo("test.yaml: mqtt.retain-available: must be true or false (was 1)");
        assertThat(mqttFailure("receive-maximum: many\n").getMessage())
                .isEqualTo("test.yaml: mqtt.receive-maximum: must be an integer (was \"many\")");
    }

    @Test
    void unknownQueueOverflow_listsTheAllowedValues() {
        assertThat(mqttFailure("queue-overflow: drop_oldest\n").getMessage())
                .isEqualTo("test.yaml: mqtt.queue-overflow: must be one of drop-oldest, drop-newest, disconnect (was \"drop_oldest\")");
    }

    @Test
    void unknownClientIdOwnership_listsTheAllowedValues() {
        assertThat(mqttFailure("client-id-ownership: owner\n").getMessage())
                .isEqualTo("test.yaml: mqtt.client-id-ownership: must be one of strict, takeover (was \"owner\")");
    }

    @Test
    void unknownKey_refuses() {
        assertThat(mqttFailure("max-inflight: 10\n").getMessage()).isEqualTo("test.yaml: mqtt.max-inflight: unknown key"
                + " (allowed: " + String.join(", ", MqttSection.KEYS) + ")");
        assertThat(mqttFailure("max-qos0: 1\n").getMessage())
                .isEqualTo("test.yaml: mqtt.max-qos0: unknown key (did you mean 'max-qos'?)");
    }
}
