package io.rampart.server.it;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ConfigLoader;
import io.rampart.server.config.ListenerConfig;
import io.rampart.server.it.support.TestBroker;
import io.rampart.server.it.support.TlsPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The shaded JAR run exactly as users run it: {@code java -jar rampart.jar [--config FILE]} in its own
 * process. Startup output, graceful SIGTERM with MQTT 5 DISCONNECT 0x8B and exit status 0, refusal of
 * broken configurations, the help text and the default configuration file.
 */
class FatJarIT {

    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static Path jar;
    private static Path projectRoot;

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void locateJar() {
        jar = Path.of(System.getProperty("rampart.jar", "target/rampart.jar")).toAbsolutePath();
        projectRoot = Path.of(System.getProperty("rampart.project.root", "..")).toAbsolutePath().normalize();
        assertThat(jar).as("the fat JAR (failsafe runs after package)").isRegularFile();
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void runsWithTcpAndWebSocketListeners_andStopsGracefullyOnSigterm() throws Exception {
        int tcpPort = freePort();
        int wsPort = freePort();
        Path config = write("broker.yaml", """
                data-dir: %s
                listeners:
                  - type: tcp
                    name: tcp-it
                    bind: 127.0.0.1
                    port: %d
                    allow-anonymous: true
                  - type: websocket
                    name: ws-it
                    bind: 127.0.0.1
                    port: %d
                    path: /mqtt
                    allow-anonymous: true
                """.formatted(tmp.resolve("data"), tcpPort, wsPort));
        Broker broker = start(tmp, "--config", config.toString());
        broker.awaitReady();
        assertThat(broker.stdout())
                .contains("listener 'tcp-it' (tcp) on 127.0.0.1:" + tcpPort)
                .contains("listener 'ws-it' (websocket) on 127.0.0.1:" + wsPort + " path /mqtt")
                .contains(config.toAbsolutePath().normalize().toString());

        List<Throwable> tcpCauses = new CopyOnWriteArrayList<>();
        List<Throwable> wsCauses = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient tcpClient = MqttClient.builder().useMqttVersion5().identifier("fatjar-tcp")
                .serverHost(TestBroker.HOST).serverPort(tcpPort)
                .addDisconnectedListener(ctx -> {
                    if (ctx.getSource() == MqttDisconnectSource.SERVER) {
                        tcpCauses.add(ctx.getCause());
                    }
                })
                .buildBlocking();
        Mqtt5BlockingClient wsClient = MqttClient.builder().useMqttVersion5().identifier("fatjar-ws")
                .serverHost(TestBroker.HOST).serverPort(wsPort)
                .webSocketConfig().serverPath("mqtt").applyWebSocketConfig()
                .addDisconnectedListener(ctx -> {
                    if (ctx.getSource() == MqttDisconnectSource.SERVER) {
                        wsCauses.add(ctx.getCause());
                    }
                })
                .buildBlocking();
        tcpClient.connect();
        wsClient.connect();

        assertThat(broker.process.toHandle().destroy()).as("SIGTERM sent").isTrue();

        for (List<Throwable> causes : List.of(tcpCauses, wsCauses)) {
            await().atMost(Duration.ofSeconds(15)).until(() -> !causes.isEmpty());
            assertThat(causes.get(0)).isInstanceOfSatisfying(Mqtt5DisconnectException.class, e ->
                    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN));
        }
        assertThat(broker.process.waitFor(20, TimeUnit.SECONDS)).as("process exited").isTrue();
        assertThat(broker.process.exitValue()).as("exit status; output:%n%s", broker.output()).isZero();
    }

    /**
     * The listeners bind one socket per I/O thread with SO_REUSEPORT, which on its own would let a second broker
     * started by mistake share the port and take half of the clients. It must fail to start instead, as without
     * SO_REUSEPORT, and leave the first one serving.
     */
    @Test
    void secondBrokerOnTheSamePort_refusesToStart_andTheFirstKeepsServing() throws Exception {
        int port = freePort();
        String yaml = """
                data-dir: %s
                listeners:
                  - {type: tcp, name: tcp-it, bind: 127.0.0.1, port: %d, allow-anonymous: true}
                """;
        Path first = write("first.yaml", yaml.formatted(tmp.resolve("data-1"), port));
        Path second = write("second.yaml", yaml.formatted(tmp.resolve("data-2"), port));
        Broker running = start(tmp, "--config", first.toString());
        running.awaitReady();

        Broker intruder = start(tmp, "--config", second.toString());
        intruder.awaitExit();
        assertThat(intruder.process.exitValue()).as(intruder.output()).isEqualTo(1);
        assertThat(intruder.output()).contains("listener 'tcp-it' cannot bind 127.0.0.1:" + port)
                .contains("Address already in use");

        for (int i = 0; i < 8; i++) {
            Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier("first-" + i)
                    .serverHost(TestBroker.HOST).serverPort(port).buildBlocking();
            client.connect();
            client.disconnect();
        }
        assertThat(running.process.isAlive()).isTrue();
    }

    @Test
    void unknownKey_isRefusedNamingFileKeyPathAndReason() throws Exception {
        Path config = write("unknown-key.yaml", """
                listeners:
                  - type: tcp
                    name: tcp
                    prot: 1883
                """);
        Broker broker = start(tmp, "--config", config.toString());
        broker.awaitExit();
        assertThat(broker.process.exitValue()).isNotZero();
        assertThat(broker.stderr()).contains(config.toString()).contains("listeners[0].prot")
                .contains("unknown key").contains("did you mean 'port'");
    }

    @Test
    void wrongType_isRefusedNamingFileKeyPathAndReason() throws Exception {
        Path config = write("wrong-type.yaml", """
                listeners:
                  - type: tcp
                    name: tcp
                    port: 1883
                mqtt:
                  max-qos: high
                """);
        Broker broker = start(tmp, "--config", config.toString());
        broker.awaitExit();
        assertThat(broker.process.exitValue()).isNotZero();
        assertThat(broker.stderr()).contains(config.toString()).contains("mqtt.max-qos").contains("integer");
    }

    // ------------------------------------------------------------------ unusable files: configuration errors (2)

    private Path tlsListenerConfig(String tls) throws IOException {
        return write("tls-broker.yaml", """
                data-dir: %s
                listeners:
                  - {type: tls, name: tls-it, bind: 127.0.0.1, port: %d, allow-anonymous: true,
                     tls: {%s}}
                """.formatted(tmp.resolve("data"), freePort(), tls));
    }

    /**
     * Exit status 2 and "rampart: invalid configuration: ..." on standard error with every fragment; the message
     * appears once in all the output (not again in the log).
     */
    private void assertConfigurationError(Path config, String... fragments) throws Exception {
        Broker broker = start(tmp, "--config", config.toString());
        broker.awaitExit();
        assertThat(broker.process.exitValue()).as(broker.output()).isEqualTo(2);
        assertThat(broker.stderr()).as(broker.output()).contains(fragments);
        String prefix = "rampart: invalid configuration: ";
        String line = broker.stderr().lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
        String reason = line.substring(prefix.length());
        assertThat(count(broker.stdout() + broker.stderr(), reason)).as("printed once: %s%n%s", reason,
                broker.output()).isEqualTo(1);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void wrongPrivateKeyPassword_exits2_namingFileKeyAndReason() throws Exception {
        TlsPki pki = TlsPki.create(tmp.resolve("pki"), "fat");
        TlsPki.Issued server = pki.server("fat.test");
        Path key = pki.encryptedKey(server, "right-pass");
        assertConfigurationError(tlsListenerConfig("certificate: \"%s\", private-key: \"%s\", private-key-password: wrong"
                        .formatted(server.certPem(), key)),
                "listeners[0].tls.private-key-password", "listener 'tls-it'", key.toString(), "wrong password");
    }

    @Test
    void wrongKeystorePassword_exits2_namingFileKeyAndReason() throws Exception {
        TlsPki pki = TlsPki.create(tmp.resolve("pki"), "fat");
        Path p12 = pki.pkcs12(pki.server("fat.test"), "right-pass");
        assertConfigurationError(tlsListenerConfig("keystore: \"%s\", keystore-password: wrong".formatted(p12)),
                "listeners[0].tls.keystore-password", p12.toString(), "wrong keystore password");
    }

    @Test
    void keyOfAnotherCertificate_exits2_namingFileKeyAndReason() throws Exception {
        TlsPki pki = TlsPki.create(tmp.resolve("pki"), "fat");
        TlsPki.Issued one = pki.server("one.test");
        TlsPki.Issued other = pki.server("other.test");
        assertConfigurationError(tlsListenerConfig("certificate: \"%s\", private-key: \"%s\""
                        .formatted(one.certPem(), other.keyPem())),
                "listeners[0].tls.private-key", other.keyPem().toString(), "does not belong to the certificate");
    }

    @Test
    void cipherSuitesThatDoNotFitTheKey_onOpenSsl_exit2() throws Exception {
        TlsPki pki = TlsPki.create(tmp.resolve("pki"), "fat");
        TlsPki.Issued server = pki.server("fat.test");
        assertConfigurationError(tlsListenerConfig(("certificate: \"%s\", private-key: \"%s\", protocols: [TLSv1.2],"
                        + " cipher-suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]").formatted(server.certPem(), server.keyPem())),
                "listeners[0].tls.cipher-suites", "listener 'tls-it'", "[TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] cannot be"
                        + " used with the EC key");
    }

    @Test
    void brokenUsersFile_exits2_namingFileLineAndReason() throws Exception {
        Path users = write("users.yaml", "users:\n  - username: alice\n    pasword: x\n");
        Path config = write("realm-broker.yaml", """
                data-dir: %s
                listeners:
                  - {type: tcp, name: tcp-it, bind: 127.0.0.1, port: %d}
                security:
                  realms:
                    - {name: local, type: file, path: "%s"}
                  pipelines:
                    - name: default
                      listeners: ["*"]
                      authentication:
                        - {type: password, realm: local}
                """.formatted(tmp.resolve("data"), freePort(), users));
        assertConfigurationError(config, users + ":3:5: users[0].pasword: unknown key");
    }

    @Test
    void missingConfigFile_isAClearError() throws Exception {
        Path missing = tmp.resolve("nowhere/broker.yaml");
        Broker broker = start(tmp, "--config", missing.toString());
        broker.awaitExit();
        assertThat(broker.process.exitValue()).isNotZero();
        assertThat(broker.stderr()).contains(missing.toString()).contains("file not found");
    }

    @Test
    void help_describesTheOptions() throws Exception {
        Broker broker = start(tmp, "--help");
        broker.awaitExit();
        assertThat(broker.process.exitValue()).isZero();
        assertThat(broker.stdout()).contains("Usage: rampart").contains("--config").contains("--help")
                .contains("config/broker.yaml");
    }

    @Test
    void dockerConfiguration_hasTheAdminListenerItsHealthcheckUses() throws Exception {
        BrokerConfig config = ConfigLoader.load(projectRoot.resolve("docker/broker.yaml"));
        assertThat(config.listeners()).anySatisfy(l -> {
            assertThat(l.type()).isEqualTo(io.rampart.server.config.ListenerType.ADMIN);
            assertThat(l.port()).isEqualTo(9090);
        });
        assertThat(Files.readString(projectRoot.resolve("docker/Dockerfile"))).contains("HEALTHCHECK")
                .contains("9090/health/ready");
        assertThat(Files.readString(projectRoot.resolve("docker/docker-compose.yml"))).contains("healthcheck")
                .contains("9090/health/ready");
    }

    @Test
    void shippedDefaultConfiguration_parses() throws Exception {
        BrokerConfig config = ConfigLoader.load(projectRoot.resolve("config/broker.yaml"));
        assertThat(config.listeners()).extracting(ListenerConfig::name)
                .containsExactly("tcp-local", "ws-local", "tls-local", "admin-local");
        assertThat(config.listeners()).extracting(ListenerConfig::port).containsExactly(1883, 8080, 8883, 9090);
        assertThat(config.listeners()).allSatisfy(l -> assertThat(l.bind()).isEqualTo("127.0.0.1"));
    }

    /**
     * The README's first steps, as a user does them: the shipped {@code config/} folder (only the ports
     * changed), {@code rampart passwd} creates the first user, the broker starts without {@code --config}
     * (so {@code config/broker.yaml} is found relative to the working directory), refuses clients without
     * credentials and serves the new user.
     */
    @Test
    void withoutConfigOption_readsConfigBrokerYamlInTheWorkingDirectory_andRequiresAuthentication() throws Exception {
        int tcpPort = freePort();
        int wsPort = freePort();
        int tlsPort = freePort();
        String shipped = Files.readString(projectRoot.resolve("config/broker.yaml"));
        int adminPort = freePort();
        String rewritten = shipped.replace("port: 1883", "port: " + tcpPort).replace("port: 8080", "port: " + wsPort)
                .replace("port: 8883", "port: " + tlsPort).replace("port: 9090", "port: " + adminPort);
        assertThat(rewritten).as("all ports rewritten").doesNotContain("port: 1883").doesNotContain("port: 8080")
                .doesNotContain("port: 8883").doesNotContain("port: 9090");
        Path workDir = tmp.resolve("install");
        Files.createDirectories(workDir.resolve("config"));
        Files.writeString(workDir.resolve("config/broker.yaml"), rewritten);
        Files.copy(projectRoot.resolve("config/users.yaml"), workDir.resolve("config/users.yaml"));

        Process passwd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "passwd", "--roles", "admins", "config/users.yaml", "admin")
                .directory(workDir.toFile()).redirectErrorStream(true).start();
        processes.add(passwd);
        passwd.getOutputStream().write("s3cret-pass\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        passwd.getOutputStream().close();
        assertThat(passwd.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String passwdOutput = new String(passwd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(passwd.exitValue()).as(passwdOutput).isZero();
        assertThat(Files.readString(workDir.resolve("config/users.yaml")))
                .contains("username: admin").contains("$pbkdf2-sha512$").doesNotContain("s3cret-pass");

        Broker broker = start(workDir);
        broker.awaitReady();
        // what the Docker HEALTHCHECK asks
        assertThat(new io.rampart.server.it.support.AdminHttp(adminPort).get("/health/ready").status()).isEqualTo(200);
        assertThat(broker.stdout())
                .contains(workDir.resolve("config/broker.yaml").toAbsolutePath().normalize().toString())
                .contains("listener 'tcp-local' (tcp) on 127.0.0.1:" + tcpPort)
                .contains("listener 'ws-local' (websocket) on 127.0.0.1:" + wsPort);

        Mqtt5BlockingClient anonymous = MqttClient.builder().useMqttVersion5().identifier("fatjar-anonymous")
                .serverHost(TestBroker.HOST).serverPort(tcpPort).buildBlocking();
        assertThatThrownBy(anonymous::connect)
                .isInstanceOfSatisfying(com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException.class,
                        e -> assertThat(e.getMqttMessage().getReasonCode())
                                .isEqualTo(com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));

        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier("fatjar-default")
                .serverHost(TestBroker.HOST).serverPort(tcpPort).buildBlocking();
        client.connectWith().simpleAuth().username("admin")
                .password("s3cret-pass".getBytes(java.nio.charset.StandardCharsets.UTF_8)).applySimpleAuth().send();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter("demo/#").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send();
            client.publishWith().topic("demo/hello").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
                    .payload("hi".getBytes(java.nio.charset.StandardCharsets.UTF_8)).send();
            assertThat(publishes.receive(10, TimeUnit.SECONDS)).isPresent()
                    .hasValueSatisfying(p -> assertThat(p.getTopic().toString()).isEqualTo("demo/hello"));
        }
        client.disconnect();

        // The TLS listener works out of the box with the development certificate generated into the data directory.
        Path devCert = workDir.resolve("data/tls/dev-cert.pem");
        assertThat(devCert).exists();
        io.rampart.server.it.support.TlsTools.Result tls = io.rampart.server.it.support.TlsTools.mosquittoPub(tlsPort,
                "--cafile", devCert.toString(), "-u", "admin", "-P", "s3cret-pass", "-t", "demo/tls", "-m", "hi",
                "-i", "fatjar-tls");
        assertThat(tls.ok()).as(tls.output()).isTrue();

        broker.process.toHandle().destroy();
        assertThat(broker.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(broker.process.exitValue()).isZero();
    }

    /**
     * The README's run command on a fresh data directory: the first start creates the admin user, prints its random
     * password once (and nowhere else), the password works and must be changed; a second start prints none.
     */
    @Test
    void firstStart_printsOneAdminPasswordThatWorks_andASecondStartPrintsNone() throws Exception {
        int adminPort = freePort();
        String shipped = Files.readString(projectRoot.resolve("config/broker.yaml"));
        String rewritten = shipped.replace("port: 1883", "port: " + freePort()).replace("port: 8080", "port: " + freePort())
                .replace("port: 8883", "port: " + freePort()).replace("port: 9090", "port: " + adminPort);
        Path workDir = tmp.resolve("first-run");
        Files.createDirectories(workDir.resolve("config"));
        Files.writeString(workDir.resolve("config/broker.yaml"), rewritten);
        Files.copy(projectRoot.resolve("config/users.yaml"), workDir.resolve("config/users.yaml"));

        Broker first = start(workDir);
        first.awaitReady();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("shown only this once: +(\\S+)").matcher(first.stdout());
        assertThat(m.find()).as(first.output()).isTrue();
        String password = m.group(1);
        assertThat(m.find()).as("printed once").isFalse();
        Path users = workDir.resolve("data/admin/users.yaml");
        assertThat(Files.readString(users)).contains("username: admin").contains("$pbkdf2-sha512$").doesNotContain(password);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(users)))
                .isEqualTo("rw-------");

        io.rampart.server.it.support.AdminClient admin = io.rampart.server.it.support.AdminClient.http(adminPort);
        com.fasterxml.jackson.databind.JsonNode me = admin.as("admin", password).get("/api/v1/whoami").json();
        assertThat(me.path("mustChangePassword").asBoolean()).isTrue();
        assertThat(me.path("grants").get(0).path("template").asText()).isEqualTo("super-admin");
        assertThat(admin.as("admin", password).put("/api/v1/session/password",
                "{\"currentPassword\":\"" + password + "\",\"newPassword\":\"a-new-long-password\"}").status())
                .isEqualTo(204);
        assertThat(admin.as("admin", password).get("/api/v1/whoami").status()).as("the old one is gone").isEqualTo(401);
        assertThat(admin.as("admin", "a-new-long-password").get("/api/v1/whoami").json().path("mustChangePassword")
                .asBoolean()).isFalse();
        first.process.toHandle().destroy();
        first.awaitExit();
        try (java.util.stream.Stream<Path> logs = Files.walk(workDir.resolve("logs"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(log)).as(log.toString()).doesNotContain(password)
                        .doesNotContain("a-new-long-password");
            }
        }

        Broker second = start(workDir);
        second.awaitReady();
        assertThat(second.stdout()).doesNotContain("shown only this once");
        assertThat(admin.as("admin", "a-new-long-password").get("/api/v1/whoami").status()).isEqualTo(200);
        second.process.toHandle().destroy();
        second.awaitExit();
    }

    // ------------------------------------------------------------------ helpers

    private Path write(String name, String content) throws IOException {
        Path file = tmp.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(TestBroker.HOST))) {
            return s.getLocalPort();
        }
    }

    private Broker start(Path workDir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).start();
        processes.add(process);
        return new Broker(process);
    }

    /** A broker process with its output collected as it comes. */
    private static final class Broker {
        final Process process;
        private final StringBuffer out = new StringBuffer();
        private final StringBuffer err = new StringBuffer();
        private final Thread[] pumps;

        Broker(Process process) {
            this.process = process;
            this.pumps = new Thread[]{pump(process.getInputStream(), out), pump(process.getErrorStream(), err)};
        }

        private static Thread pump(InputStream in, StringBuffer sink) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[4096];
                try {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        sink.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "fatjar-output");
            t.setDaemon(true);
            t.start();
            return t;
        }

        String stdout() {
            return out.toString();
        }

        String stderr() {
            return err.toString();
        }

        String output() {
            return "stdout:\n" + out + "\nstderr:\n" + err;
        }

        void awaitReady() {
            await().atMost(STARTUP).failFast("the process exited: " + output(), () -> !process.isAlive())
                    .until(() -> out.indexOf("Rampart is ready") >= 0);
        }

        void awaitExit() throws InterruptedException {
            assertThat(process.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)).as("exited; %s", output()).isTrue();
            for (Thread pump : pumps) {
                pump.join(5_000); // everything the process wrote before it exited
            }
        }
    }
}
