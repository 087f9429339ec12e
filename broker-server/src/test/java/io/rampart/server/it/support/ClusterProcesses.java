package io.rampart.server.it.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cluster of real broker processes ({@code java -jar rampart.jar}) on loopback: each node has an MQTT listener
 * {@code tcp} (anonymous clients may do anything, see {@link AdminSetup}), an admin listener (operator {@code root},
 * password {@link AdminSetup#PASSWORD}) and a cluster transport, all on fixed free ports, and its own directory with
 * data, logs and console output. The nodes trust a development CA shared through the test directory. Every node runs
 * with fault injection ({@code -Drampart.cluster.fault-injection}), so a test can cut it off ({@link Node#isolate}).
 */
public final class ClusterProcesses implements AutoCloseable {

    public static final Duration STARTUP = Duration.ofSeconds(150);

    private final Path dir;
    private final List<Node> nodes = new ArrayList<>();
    private final List<String> members = new ArrayList<>();
    private final String security;
    private final String sections;

    private ClusterProcesses(Path dir, String security, String sections) {
        this.dir = dir;
        this.security = security;
        this.sections = sections;
    }

    /** Starts {@code count} nodes named {@code node-1..n} at once and waits until every one is ready. */
    public static ClusterProcesses start(Path dir, int count) {
        return start(dir, count, "", "");
    }

    /**
     * Starts {@code count} nodes as {@link #start(Path, int)} does, each with more keys of the {@code security:} section
     * ({@code security}, unindented, see {@link AdminSetup#security}) and more top-level sections ({@code sections}).
     */
    public static ClusterProcesses start(Path dir, int count, String security, String sections) {
        ClusterProcesses cluster = new ClusterProcesses(dir, security, sections);
        for (int i = 1; i <= count; i++) {
            Node n = cluster.define("node-" + i, dir.resolve("ca"));
            cluster.members.add("127.0.0.1:" + n.clusterPort);
        }
        for (Node n : cluster.nodes) {
            n.start();
        }
        for (Node n : cluster.nodes) {
            n.awaitReady();
        }
        return cluster;
    }

    /**
     * Starts {@code count} nodes that find each other through DNS ({@code cluster.dns-query} asked of
     * {@code dnsServer}): node {@code i} binds its cluster transport to {@code 127.0.0.(10 + i)} on the same
     * {@code port}, the addresses the DNS name's A records must list. Waits until every one is ready.
     */
    public static ClusterProcesses startWithDns(Path dir, int count, String dnsQuery, String dnsServer, int port) {
        ClusterProcesses cluster = new ClusterProcesses(dir, "", "");
        for (int i = 1; i <= count; i++) {
            Node n = cluster.define("node-" + i, dir.resolve("ca"));
            n.bind = dnsAddress(i);
            n.clusterPort = port;
            n.discovery = "dns-query: " + dnsQuery + "\n  dns-server: " + dnsServer;
        }
        for (Node n : cluster.nodes) {
            n.start();
        }
        for (Node n : cluster.nodes) {
            n.awaitReady();
        }
        return cluster;
    }

    /** The cluster address of node {@code i} of {@link #startWithDns}. */
    public static String dnsAddress(int i) {
        return "127.0.0." + (10 + i);
    }

    /** Node {@code i} (1-based). */
    public Node node(int i) {
        return nodes.get(i - 1);
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /**
     * Another node that lists the cluster's members but trusts (and is vouched for by) its own development CA, so the
     * cluster does not trust it. Started, not awaited.
     */
    public Node startStranger(String name) {
        Node n = define(name, dir.resolve("stranger-ca-" + name));
        n.start();
        return n;
    }

    /** Another node with the given {@code cluster.tls} block (a flow mapping). Started, not awaited. */
    public Node startWithTls(String name, String tlsFlowMapping) {
        Node n = define(name, dir.resolve("unused-ca-" + name));
        n.tls = tlsFlowMapping;
        n.start();
        return n;
    }

    /** The cluster's development CA certificate (PEM), once a node has started. */
    public Path caCertificate() {
        return dir.resolve("ca").resolve("ca-cert.pem");
    }

    private Node define(String name, Path ca) {
        Node n = new Node(name, dir.resolve(name), freePort(), freePort(), freePort(), ca);
        nodes.add(n);
        return n;
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            n.kill();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One broker process. */
    public final class Node {
        public final String name;
        public final Path home;
        /** Chosen anew when another process took the port before this node could bind it ({@link #awaitReady}). */
        public int mqttPort;
        public int adminPort;
        public int clusterPort;
        private final Path ca;
        private String tls = "{development: true}";
        private String bind = "127.0.0.1";
        /** The discovery keys of the {@code cluster:} section; {@code null}: the cluster's members. */
        private String discovery;
        private Process process;

        private Node(String name, Path home, int mqttPort, int adminPort, int clusterPort, Path ca) {
            this.name = name;
            this.home = home;
            this.mqttPort = mqttPort;
            this.adminPort = adminPort;
            this.clusterPort = clusterPort;
            this.ca = ca;
        }

        private void start() {
            try {
                Files.createDirectories(home.resolve("data"));
                Path caLink = home.resolve("data").resolve("cluster-ca");
                Files.createDirectories(ca);
                if (!Files.exists(caLink)) {
                    Files.createSymbolicLink(caLink, ca);
                }
                Path config = home.resolve("broker.yaml");
                Files.writeString(config, AdminSetup.in(home).security(security)
                        .mqttListener("{type: tcp, name: tcp, bind: 127.0.0.1, port: " + mqttPort + "}")
                        .adminListener("{type: admin, name: admin, bind: 127.0.0.1, port: " + adminPort
                                + ", allow-plaintext: true}")
                        .topLevel("""
                                cluster:
                                  enabled: true
                                  node-name: %s
                                  bind: %s
                                  port: %d
                                  %s
                                  client-address: 127.0.0.1:%d
                                  tls: %s
                                  failure-detection: 3s
                                  join-timeout: 1s
                                """.formatted(name, bind, clusterPort, discovery != null ? discovery
                                        : "members: [" + String.join(", ", members) + "]", mqttPort, tls) + sections)
                        .yaml());
                Path root = Path.of(System.getProperty("rampart.project.root", "..")).toAbsolutePath().normalize();
                Path jar = Path.of(System.getProperty("rampart.jar", "target/rampart.jar")).toAbsolutePath();
                process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx384m", "-XX:TieredStopAtLevel=1",
                        "-Drampart.log.dir=" + home.resolve("logs"),
                        "-Dlog4j2.configurationFile=" + root.resolve("config/log4j2.xml"),
                        "-D" + "rampart.cluster.fault-injection" + "=" + faultFile(),
                        "-jar", jar.toString(), "--config", config.toString())
                        .directory(home.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(home.resolve("console.log").toFile())
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits until the node answers ready (it joined a majority of the cluster). */
        public void awaitReady() {
            for (int attempt = 1; ; attempt++) {
                try {
                    await().atMost(STARTUP).pollInterval(Duration.ofMillis(500)).until(() -> {
                        assertThat(process.isAlive()).as("%s exited; its console:%n%s", name, console()).isTrue();
                        return readyStatus() == 200;
                    });
                    return;
                } catch (AssertionError e) {
                    // The free ports were picked before the node started: on a busy machine another process may take
                    // an MQTT or admin port first. The node is started again on other ports then.
                    String console = console();
                    if (attempt == 3 || process.isAlive() || !console.contains("Address already in use")
                            || !console.contains("listener '")) {
                        throw e;
                    }
                    mqttPort = freePort();
                    adminPort = freePort();
                    start();
                }
            }
        }

        /** The status of {@code GET /health/ready} (0 when the admin listener does not answer). */
        public int readyStatus() {
            try {
                return AdminClient.http(adminPort).get("/health/ready").status();
            } catch (RuntimeException e) {
                return 0;
            }
        }

        /**
         * {@code GET /api/v1/cluster} as the super-admin. A loaded machine may answer 503 while the password check waits
         * for its turn: asked again then.
         */
        public JsonNode cluster() {
            AdminClient.Answer a = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> admin().get("/api/v1/cluster"), answer -> answer.status() != 503);
            assertThat(a.status()).as(a.body()).isEqualTo(200);
            return a.json();
        }

        /** The admin API as the super-admin {@code root}. */
        public AdminClient admin() {
            return AdminClient.http(adminPort).as("root", AdminSetup.PASSWORD);
        }

        /** Cuts the node off the cluster (all its cluster traffic is dropped) or lets it back. */
        public void isolate(boolean isolated) {
            try {
                Files.writeString(faultFile(), isolated ? "isolate" : "", StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private Path faultFile() {
            return home.resolve("partition");
        }

        /** SIGKILL: the process ends at once, nothing is handed over. */
        public void kill() {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                waitFor();
            }
        }

        /** Waits (at most a minute) for the process to end by itself; returns its exit status. */
        public int awaitExit() {
            waitFor();
            return process.exitValue();
        }

        /** SIGTERM: the node leaves gracefully; returns its exit status. */
        public int stop() {
            process.destroy();
            waitFor();
            return process.exitValue();
        }

        private void waitFor() {
            try {
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(name + " ended").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        public boolean isAlive() {
            return process != null && process.isAlive();
        }

        /** Everything the process wrote to its console. */
        public String console() {
            return read(home.resolve("console.log"));
        }

        /** The node's access log ({@code logs/access.log}). */
        public String accessLog() {
            return read(home.resolve("logs").resolve("access.log"));
        }

        /** The node's event log ({@code logs/events.log}). */
        public String events() {
            return read(home.resolve("logs").resolve("events.log"));
        }

        private String read(Path file) {
            try {
                return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
