package io.rampart.server.it.support;

import io.rampart.core.session.Session;
import io.rampart.server.RampartBroker;
import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ConfigLoader;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Rampart broker in the test JVM on random free loopback ports: one TCP listener named
 * {@code tcp} and one WebSocket listener named {@code ws} (path {@code /mqtt}), both anonymous.
 * Extra YAML for the {@code mqtt:} section tunes the limits.
 *
 * <p>Either started at once ({@link #start()}, {@link #startWithMqtt}, {@link #startYaml}) and closed by the
 * caller, or shared by the tests of one class as a JUnit extension that starts it before the first test and
 * closes it after the last: {@code @RegisterExtension static final TestBroker broker = TestBroker.perClass();}
 */
public final class TestBroker implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    public static final String HOST = "127.0.0.1";

    private final String yaml;
    private RampartBroker broker;

    private TestBroker(String yaml) {
        this.yaml = yaml;
    }

    /** A per-class broker with default limits (see the class comment). */
    public static TestBroker perClass() {
        return perClassWithMqtt("");
    }

    /** A per-class broker with the given {@code mqtt:} section (see {@link #startWithMqtt}). */
    public static TestBroker perClassWithMqtt(String mqttSection) {
        return new TestBroker(yamlWithMqtt(mqttSection));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start(this);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
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
        return startYaml(yamlWithMqtt(mqttSection));
    }

    private static String yamlWithMqtt(String mqttSection) {
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
        return yaml.toString();
    }

    /** A broker from a complete YAML configuration (listeners should use port 0). */
    public static TestBroker startYaml(String yaml) {
        return start(new TestBroker(yaml));
    }

    private static TestBroker start(TestBroker b) {
        try {
            BrokerConfig config = ConfigLoader.parse(b.yaml, "test.yaml");
            b.broker = RampartBroker.start(config);
            return b;
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

    /** The broker's session of {@code clientId}, or {@code null}. */
    public Session session(String clientId) {
        return broker.core().sessions().get(clientId);
    }

    /** Whether {@code clientId} is connected with at least {@code subscriptions} subscriptions. */
    public boolean hasSubscriptions(String clientId, int subscriptions) {
        Session s = session(clientId);
        return s != null && s.isConnected() && s.subscriptionCount() >= subscriptions;
    }

    public RampartBroker broker() {
        return broker;
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
        }
    }
}
