package io.rampart.server.it.support;

import io.rampart.server.RampartBroker;
import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ConfigLoader;

/**
 * A real Rampart broker in the test JVM on random free loopback ports: one TCP listener named
 * {@code tcp} and one WebSocket listener named {@code ws} (path {@code /mqtt}), both anonymous.
 * Extra YAML for the {@code mqtt:} section tunes the limits.
 */
public final class TestBroker implements AutoCloseable {

    public static final String HOST = "127.0.0.1";

    private final RampartBroker broker;

    private TestBroker(RampartBroker broker) {
        this.broker = broker;
    }

    /** Default limits. */
    public static TestBroker start() {
        return startWithMqtt("");
    }

    /**
     * @param mqttSection lines for the {@code mqtt:} section, e.g. {@code "max-qos: 1\nreceive-maximum: 5"}
     *                    (without indentation), or empty for defaults
     */
    public static TestBroker startWithMqtt(String mqttSection) {
        StringBuilder yaml = new StringBuilder("""
                data-dir: target/test-data
                listeners:
                  - type: tcp
                    name: tcp
                    bind: 127.0.0.1
                    port: 0
                    allow-anonymous: true
                  - type: websocket
                    name: ws
                    bind: 127.0.0.1
                    port: 0
                    path: /mqtt
                    allow-anonymous: true
                """);
        if (!mqttSection.isBlank()) {
            yaml.append("mqtt:\n");
            for (String line : mqttSection.strip().split("\n")) {
                yaml.append("  ").append(line.strip()).append('\n');
            }
        }
        return startYaml(yaml.toString());
    }

    /** A broker from a complete YAML configuration (listeners should use port 0). */
    public static TestBroker startYaml(String yaml) {
        try {
            BrokerConfig config = ConfigLoader.parse(yaml, "test.yaml");
            return new TestBroker(RampartBroker.start(config));
        } catch (Exception e) {
            throw new IllegalStateException("test broker did not start: " + e.getMessage(), e);
        }
    }

    public int tcpPort() {
        return broker.port("tcp");
    }

    public int wsPort() {
        return broker.port("ws");
    }

    public int port(String listener) {
        return broker.port(listener);
    }

    public String tcpUri() {
        return "tcp://" + HOST + ":" + tcpPort();
    }

    public String wsUri() {
        return "ws://" + HOST + ":" + wsPort() + "/mqtt";
    }

    public RampartBroker broker() {
        return broker;
    }

    @Override
    public void close() {
        broker.close();
    }
}
