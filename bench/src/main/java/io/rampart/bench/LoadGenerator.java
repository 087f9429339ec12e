package io.rampart.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.rampart.bench.load.ClientTls;
import io.rampart.bench.load.ConnectRun;
import io.rampart.bench.load.IdleRun;
import io.rampart.bench.load.LoadSettings;
import io.rampart.bench.load.Login;
import io.rampart.bench.load.RunResult;
import io.rampart.bench.load.Scenario;
import io.rampart.bench.load.ThroughputRun;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * MQTT load generator for any broker: drives one scenario and prints throughput, end-to-end latency and
 * errors. Exit code 0 on success, 1 when nothing was delivered or any error (failed connection included)
 * was counted, 2 on bad options.
 */
@Command(name = "rampart-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "MQTT load generator (pairs, fan-in, fan-out, connect, idle) for Rampart or any other broker.")
public final class LoadGenerator implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Broker host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "1883", description = "Broker port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--subscriber-port", description = "Port the subscribers connect to, e.g. another node of a "
            + "cluster (default: --port).")
    Integer subscriberPort;

    @Option(names = "--scenario", defaultValue = "pairs",
            description = "pairs | fan-in | fan-out | connect | idle (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--qos", defaultValue = "0", description = "0 or 1 (default: ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = "--clients", defaultValue = "10",
            description = "Publishers (pairs, fan-in), subscribers (fan-out) or concurrent connects (connect). "
                    + "Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--duration", defaultValue = "10", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--warmup", defaultValue = "2",
            description = "Seconds of load before measuring (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--payload", defaultValue = "64",
            description = "Payload bytes, at least 8 (default: ${DEFAULT-VALUE}).")
    int payload;

    @Option(names = "--mqtt-version", defaultValue = "3", description = "3 (= 3.1.1) or 5 (default: ${DEFAULT-VALUE}).")
    int mqttVersion;

    @Option(names = "--threads", defaultValue = "1", description = "Event loop threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--inflight", defaultValue = "64",
            description = "QoS 1 unacknowledged PUBLISHes per publisher, capped by an MQTT 5 receive maximum "
                    + "(default: ${DEFAULT-VALUE}).")
    int inflight;

    @Option(names = "--window", defaultValue = "64",
            description = "Messages per publisher that may be published but not yet received by every "
                    + "subscriber, any QoS (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--username",
            description = "User name every client sends in CONNECT (default: none, anonymous).")
    String username;

    @Option(names = "--password", description = "Password every client sends (needs --username).")
    String password;

    @Option(names = "--client-id-prefix",
            description = "Prefix of every client id (default: rb-<random run id>-).")
    String clientIdPrefix;

    @Option(names = "--tls", description = "Connect over TLS (full handshake per connection).")
    boolean tls;

    @Option(names = "--tls-version", description = "1.2 or 1.3 (default: both offered; implies --tls).")
    String tlsVersion;

    @Option(names = "--tls-groups", split = ",",
            description = "Key-exchange groups the client offers, e.g. X25519,P-256 (default: the TLS library's).")
    String[] tlsGroups;

    @Option(names = "--cafile", description = "PEM CA file the server certificate must chain to "
            + "(default: any certificate is accepted; implies --tls).")
    java.io.File caFile;

    @Option(names = "--format", defaultValue = "text", description = "text or csv (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--source-address",
            description = "Local address to connect from, e.g. 127.0.0.2 (default: the system's choice).")
    String sourceAddress;

    @Option(names = "--keep-sessions",
            description = "idle: connect without clean session, so the sessions stay on the broker after the run.")
    boolean keepSessions;

    public static void main(String[] args) {
        // The generator's buffers are not under test: without leak sampling its CPU goes to the load.
        // -Dio.netty.leakDetection.level=... still applies.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        LoadSettings settings;
        boolean csv;
        try {
            csv = switch (format.toLowerCase(Locale.ROOT)) {
                case "text" -> false;
                case "csv" -> true;
                default -> throw new IllegalArgumentException("--format must be text or csv");
            };
            String runId = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
            settings = new LoadSettings(host, port, subscriberPort == null ? port : subscriberPort, Scenario.fromCli(scenario), qos(qos), version(mqttVersion),
                    clients, duration, warmup, payload, threads, inflight, window, runId,
                    Login.of(username, password), clientIdPrefix == null ? "rb-" + runId + "-" : clientIdPrefix,
                    tls || tlsVersion != null || caFile != null
                            ? new ClientTls(tlsVersion == null ? null : "TLSv" + tlsVersion, caFile, tlsGroups) : null,
                    keepSessions, sourceAddress);
        } catch (IllegalArgumentException e) {
            System.err.println("rampart-bench: " + e.getMessage());
            return 2;
        }
        RunResult result = switch (settings.scenario()) {
            case CONNECT -> new ConnectRun(settings).run();
            case IDLE -> new IdleRun(settings).run();
            default -> new ThroughputRun(settings).run();
        };
        result.print(System.out, csv);
        return result.exitCode();
    }

    private static MqttQoS qos(int value) {
        return switch (value) {
            case 0 -> MqttQoS.AT_MOST_ONCE;
            case 1 -> MqttQoS.AT_LEAST_ONCE;
            default -> throw new IllegalArgumentException("--qos must be 0 or 1 (QoS 2 is not generated)");
        };
    }

    private static MqttVersion version(int value) {
        return switch (value) {
            case 3, 4 -> MqttVersion.MQTT_3_1_1;
            case 5 -> MqttVersion.MQTT_5;
            default -> throw new IllegalArgumentException("--mqtt-version must be 3 (3.1.1) or 5");
        };
    }
}
