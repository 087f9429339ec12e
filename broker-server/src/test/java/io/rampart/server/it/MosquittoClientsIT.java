package io.rampart.server.it;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.core.session.Session;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Mosquitto command line clients ({@code mosquitto_pub}/{@code mosquitto_sub} from /usr/bin) against the
 * broker: both protocol versions, every QoS, retained messages, wills fired by SIGKILL, client ids and
 * persistent sessions. Each process runs with a timeout and is killed if it outlives the test.
 */
class MosquittoClientsIT {

    /** mosquitto_sub output format: topic, payload, QoS and retain flag. */
    private static final String FORMAT = "%t|%p|%q|%r";
    private static final long PROCESS_TIMEOUT_SECONDS = 15;

    private static TestBroker broker;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    static Stream<Arguments> versionsAndQos() {
        return Stream.of("mqttv311", "mqttv5").flatMap(v -> Stream.of(0, 1, 2).map(q -> Arguments.of(v, q)));
    }

    @ParameterizedTest
    @MethodSource("versionsAndQos")
    void pubAndSub_deliverAtEachQos(String version, int qos) throws Exception {
        String topic = "mosq/" + version + "/" + qos;
        String subId = "sub-" + version + "-" + qos;
        Process sub = start("mosquitto_sub", "-V", version, "-i", subId, "-t", topic, "-q", "" + qos,
                "-C", "1", "-W", "" + PROCESS_TIMEOUT_SECONDS, "-F", FORMAT);
        awaitSubscribed(subId);

        Result pub = run("mosquitto_pub", "-V", version, "-i", "pub-" + version + "-" + qos, "-t", topic,
                "-q", "" + qos, "-m", "hello " + qos);
        assertThat(pub.exitCode()).as("mosquitto_pub: %s", pub).isZero();

        Result received = finish(sub);
        assertThat(received.exitCode()).as("mosquitto_sub: %s", received).isZero();
        assertThat(received.stdout().strip()).isEqualTo(topic + "|hello " + qos + "|" + qos + "|0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void retainedMessage_isDeliveredToALaterSubscriberWithTheRetainFlag(String version) throws Exception {
        String topic = "mosq/retained/" + version;
        Result pub = run("mosquitto_pub", "-V", version, "-t", topic, "-q", "1", "-r", "-m", "kept");
        assertThat(pub.exitCode()).as("mosquitto_pub: %s", pub).isZero();

        Result sub = run("mosquitto_sub", "-V", version, "-t", topic, "-q", "1", "-C", "1",
                "-W", "" + PROCESS_TIMEOUT_SECONDS, "-F", FORMAT);
        assertThat(sub.exitCode()).as("mosquitto_sub: %s", sub).isZero();
        assertThat(sub.stdout().strip()).isEqualTo(topic + "|kept|1|1");

        // an empty retained message clears it
        assertThat(run("mosquitto_pub", "-V", version, "-t", topic, "-r", "-n").exitCode()).isZero();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> broker.broker().core().retained().get(topic) == null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void will_isPublishedWhenTheClientIsKilled(String version) throws Exception {
        String willTopic = "mosq/will/" + version;
        Mqtt5BlockingClient observer = RawTransport.TCP.hiveMq5(broker, "will-observer-" + version).buildBlocking();
        observer.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = observer.publishes(MqttGlobalPublishFilter.SUBSCRIBED)) {
            observer.subscribeWith().topicFilter(willTopic).qos(MqttQos.AT_LEAST_ONCE).send();

            String subId = "dying-" + version;
            Process dying = start("mosquitto_sub", "-V", version, "-i", subId, "-t", "mosq/nothing", "-k", "30",
                    "--will-topic", willTopic, "--will-payload", "gone", "--will-qos", "1",
                    "-W", "" + PROCESS_TIMEOUT_SECONDS);
            awaitSubscribed(subId);
            dying.destroyForcibly(); // SIGKILL: no DISCONNECT is sent

            Optional<Mqtt5Publish> will = inbox.receive(10, TimeUnit.SECONDS);
            assertThat(will).hasValueSatisfying(p -> {
                assertThat(p.getTopic().toString()).isEqualTo(willTopic);
                assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("gone");
                assertThat(p.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
            });
        } finally {
            observer.disconnect();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void willWithRetain_isKeptForLaterSubscribers(String version) throws Exception {
        String willTopic = "mosq/will-retained/" + version;
        String subId = "dying-retained-" + version;
        Process dying = start("mosquitto_sub", "-V", version, "-i", subId, "-t", "mosq/nothing", "-k", "30",
                "--will-topic", willTopic, "--will-payload", "last words", "--will-retain",
                "-W", "" + PROCESS_TIMEOUT_SECONDS);
        awaitSubscribed(subId);
        dying.destroyForcibly();
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().core().sessions().get(subId) == null
                || !broker.broker().core().sessions().get(subId).isConnected());

        Result later = run("mosquitto_sub", "-V", version, "-t", willTopic, "-C", "1",
                "-W", "" + PROCESS_TIMEOUT_SECONDS, "-F", FORMAT);
        assertThat(later.stdout().strip()).isEqualTo(willTopic + "|last words|0|1");
        assertThat(run("mosquitto_pub", "-V", version, "-t", willTopic, "-r", "-n").exitCode()).isZero();
    }

    @Test
    void clientId_isTheOneGiven() throws Exception {
        Process sub = start("mosquitto_sub", "-V", "mqttv5", "-i", "my-chosen-id", "-t", "mosq/id",
                "-C", "1", "-W", "" + PROCESS_TIMEOUT_SECONDS);
        awaitSubscribed("my-chosen-id");
        assertThat(broker.broker().core().sessions().get("my-chosen-id").isConnected()).isTrue();
        assertThat(run("mosquitto_pub", "-t", "mosq/id", "-m", "x").exitCode()).isZero();
        assertThat(finish(sub).exitCode()).isZero();
    }

    /** A persistent session (-c; for MQTT 5 with -x session expiry) keeps its subscription and queues QoS 1. */
    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void persistentSession_receivesWhatWasPublishedWhileOffline(String version) throws Exception {
        String id = "persistent-" + version;
        String topic = "mosq/persistent/" + version;
        List<String> session = new ArrayList<>(List.of("mosquitto_sub", "-V", version, "-i", id, "-c",
                "-t", topic, "-q", "1", "-C", "1", "-W", "" + PROCESS_TIMEOUT_SECONDS, "-F", FORMAT));
        if (version.equals("mqttv5")) {
            session.addAll(List.of("-x", "60"));
        }
        Process first = start(session.toArray(String[]::new));
        awaitSubscribed(id);
        assertThat(run("mosquitto_pub", "-V", version, "-t", topic, "-q", "1", "-m", "while online").exitCode()).isZero();
        assertThat(finish(first).stdout().strip()).isEqualTo(topic + "|while online|1|0");
        await().atMost(Duration.ofSeconds(10)).until(() -> !broker.broker().core().sessions().get(id).isConnected());

        assertThat(run("mosquitto_pub", "-V", version, "-t", topic, "-q", "1", "-m", "while offline").exitCode()).isZero();
        assertThat(broker.broker().core().sessions().get(id).queuedCount()).isEqualTo(1);

        Result second = run(session.toArray(String[]::new));
        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(second.stdout().strip()).isEqualTo(topic + "|while offline|1|0");
    }

    // ------------------------------------------------------------------ helpers

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private static void awaitSubscribed(String clientId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Session s = broker.broker().core().sessions().get(clientId);
            return s != null && s.isConnected() && s.subscriptionCount() > 0;
        });
    }

    /** Starts a Mosquitto client against the TCP listener (unless the arguments name a host). */
    private Process start(String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of(command));
        if (!full.contains("-h")) {
            full.addAll(1, List.of("-h", TestBroker.HOST, "-p", "" + broker.tcpPort()));
        }
        Process p = new ProcessBuilder(full).start();
        processes.add(p);
        return p;
    }

    private Result run(String... command) throws Exception {
        return finish(start(command));
    }

    private static Result finish(Process p) throws Exception {
        if (!p.waitFor(PROCESS_TIMEOUT_SECONDS + 5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("process did not finish: " + p.info().commandLine().orElse("?"));
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
