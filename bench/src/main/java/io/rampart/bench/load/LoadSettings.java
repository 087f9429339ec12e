package io.rampart.bench.load;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * Validated parameters of one load run.
 *
 * @param subscriberPort broker port the subscribers connect to (another node of a cluster), or {@code port}
 * @param inflight   QoS 1 only: unacknowledged PUBLISH packets per publisher
 * @param login      user name and password of every client, or {@link Login#NONE}
 * @param clientIdPrefix prefix of every client id; the run id keeps runs apart by default
 * @param tls        TLS of every connection, or {@code null} for plain TCP
 * @param keepSessions idle scenario: connect without clean session, leaving the sessions on the broker
 * @param sourceAddress the local address every connection is made from ({@code 127.0.0.2}), or {@code null} for
 *                      the system's choice; one loopback address has about 28 000 ephemeral ports, so runs with more
 *                      connections spread them over several generators with an address each
 * @param qos0Window per publisher, how many messages may be published but not yet received by every
 *                   subscriber before the publisher pauses (despite the name it bounds QoS 1 as well, on top of
 *                   {@code inflight}, because a broker acknowledges QoS 1 before it has delivered)
 */
public record LoadSettings(
        String host,
        int port,
        int subscriberPort,
        Scenario scenario,
        MqttQoS qos,
        MqttVersion mqttVersion,
        int clients,
        int durationSeconds,
        int warmupSeconds,
        int payloadBytes,
        int threads,
        int inflight,
        int qos0Window,
        String runId,
        Login login,
        String clientIdPrefix,
        ClientTls tls,
        boolean keepSessions,
        String sourceAddress) {

    /** The payload starts with the 8-byte send timestamp. */
    public static final int MIN_PAYLOAD = 8;

    public LoadSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port must be 1..65535, was " + port);
        }
        if (subscriberPort < 1 || subscriberPort > 65535) {
            throw new IllegalArgumentException("--subscriber-port must be 1..65535, was " + subscriberPort);
        }
        if (qos != MqttQoS.AT_MOST_ONCE && qos != MqttQoS.AT_LEAST_ONCE) {
            throw new IllegalArgumentException("--qos must be 0 or 1");
        }
        if (mqttVersion != MqttVersion.MQTT_3_1_1 && mqttVersion != MqttVersion.MQTT_5) {
            throw new IllegalArgumentException("--mqtt-version must be 3 (3.1.1) or 5");
        }
        if (clients < 1 || clients > 20_000) {
            throw new IllegalArgumentException("--clients must be 1..20000, was " + clients);
        }
        if (durationSeconds < 1) {
            throw new IllegalArgumentException("--duration must be at least 1 second");
        }
        if (warmupSeconds < 0) {
            throw new IllegalArgumentException("--warmup must not be negative");
        }
        if (payloadBytes < MIN_PAYLOAD || payloadBytes > 256 * 1024) {
            throw new IllegalArgumentException("--payload must be " + MIN_PAYLOAD + "..262144 bytes (it carries an "
                    + "8-byte timestamp), was " + payloadBytes);
        }
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("--threads must be 1..64, was " + threads);
        }
        if (inflight < 1 || inflight > 65_000) {
            throw new IllegalArgumentException("--inflight must be 1..65000, was " + inflight);
        }
        if (login == null) {
            throw new IllegalArgumentException("login must not be null (use Login.NONE)");
        }
        if (clientIdPrefix == null || clientIdPrefix.length() > 200) {
            throw new IllegalArgumentException("--client-id-prefix must be at most 200 characters");
        }
        if (qos0Window < 1) {
            throw new IllegalArgumentException("--window must be at least 1");
        }
        if (sourceAddress != null && sourceAddress.isBlank()) {
            throw new IllegalArgumentException("--source-address must not be empty");
        }
    }

    public String versionLabel() {
        return mqttVersion == MqttVersion.MQTT_5 ? "5" : "3.1.1";
    }
}
