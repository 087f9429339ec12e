package io.rampart.server.it;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.rampart.server.it.support.BrokerProcess;
import io.rampart.server.it.support.Scrape;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker in its own process (the shaded JAR, a 1 GB heap that could hold the whole flood) with a 32 MB memory
 * budget: a {@code mosquitto_sub} that stops reading (SIGSTOP) has 1 000 000 QoS 0 messages from {@code mosquitto_pub}
 * aimed at it. The broker's resident set size stays within the budget plus the JVM's own headroom (the flood's
 * messages alone, about 300 bytes each as queued, would take some 300 MB), a bystander pair is served all along, and
 * once the stopped subscriber is gone the flood goes through to its last message.
 */
class SlowSubscriberRssIT {

    private static final int MESSAGES = 1_000_000;
    private static final long BUDGET = 32L << 20;
    /**
     * What the JVM may add beside the queued messages while the flood lasts: the young generation and the free space
     * the serial collector keeps after a collection grow the heap with the live data. bench/run-memory-budget.sh
     * measured 62 MiB of growth with 19 MiB of the budget in use (and 485 MiB without a budget).
     */
    private static final long JVM_HEADROOM = 96L << 20;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private BrokerProcess broker;
    private Process stalled;
    private Process flood;

    @AfterEach
    void stop() throws Exception {
        for (Process p : new Process[]{stalled, flood}) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void stoppedSubscriberWithAMillionMessagesAimedAtIt_keepsTheBrokerWithinItsBudget_andEveryoneElseServed()
            throws Exception {
        int port = BrokerProcess.freePort();
        int admin = BrokerProcess.freePort();
        broker = BrokerProcess.start(dir, List.of("-Xms64m", "-Xmx1g", "-XX:+UseSerialGC"), """
                data-dir: %s
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: %d, allow-anonymous: true}
                  - {type: admin, name: admin, bind: 127.0.0.1, port: %d}
                mqtt:
                  max-queued-messages: 100000000
                memory:
                  budget: 32MB
                """.formatted(dir.resolve("data"), port, admin));

        Mqtt5BlockingClient bystander = MqttClient.builder().useMqttVersion5().identifier("rss-bystander")
                .serverHost(TestBroker.HOST).serverPort(port).buildBlocking();
        bystander.connect();
        Mqtt5BlockingClient.Mqtt5Publishes inbox = bystander.publishes(MqttGlobalPublishFilter.SUBSCRIBED);
        bystander.subscribeWith().topicFilter("rss/bystander").qos(MqttQos.AT_LEAST_ONCE).send();
        for (int i = 0; i < 2_000; i++) { // warm the broker up on the same path the checks take
            roundTrip(bystander, inbox, "warm-" + i);
        }
        long baseline = broker.rssBytes();

        stalled = new ProcessBuilder("/usr/bin/mosquitto_sub", "-h", TestBroker.HOST, "-p", Integer.toString(port),
                "-i", "rss-stalled", "-k", "600", "-q", "0", "-t", "slow/#").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await().atMost(WAIT).until(() -> broker.scrape(admin).value("rampart_subscriptions", "kind", "regular") >= 2);
        assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(stalled.pid())).start().waitFor()).isZero();

        flood = new ProcessBuilder("/usr/bin/mosquitto_pub", "-h", TestBroker.HOST, "-p", Integer.toString(port),
                "-i", "rss-flood", "-k", "600", "-q", "0", "-t", "slow/data", "-l").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<Void> lines = CompletableFuture.runAsync(() -> writeLines(flood));

        AtomicLong peakRss = new AtomicLong();
        AtomicLong peakUsed = new AtomicLong();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            sample(admin, peakRss, peakUsed);
            return broker.scrape(admin).value("rampart_memory_held_connections") >= 1;
        });
        for (int i = 0; i < 50; i++) {
            roundTrip(bystander, inbox, "during-" + i);
            sample(admin, peakRss, peakUsed);
        }
        long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) { // held: nothing more may pile up
            sample(admin, peakRss, peakUsed);
            roundTrip(bystander, inbox, "held");
        }
        assertThat(peakUsed.get()).as("budget used").isLessThanOrEqualTo(BUDGET);
        assertThat(peakRss.get() - baseline).as("RSS growth, baseline %d MiB", baseline >> 20)
                .isLessThan(BUDGET + JVM_HEADROOM);

        stalled.destroyForcibly(); // its socket closes, its clean session ends: the flood is read again
        lines.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(flood.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("mosquitto_pub finished").isTrue();
        await().atMost(WAIT).until(() ->
                broker.scrape(admin).value("rampart_messages_in_total", "type", "publish", "qos", "0") >= MESSAGES);
        roundTrip(bystander, inbox, "after");
        bystander.disconnect();
        Scrape s = broker.scrape(admin);
        assertThat(s.value("rampart_memory_holds_total")).isPositive();
        assertThat(s.value("rampart_memory_held_connections")).isZero();
    }

    private void sample(int admin, AtomicLong peakRss, AtomicLong peakUsed) {
        peakRss.accumulateAndGet(broker.rssBytes(), Math::max);
        peakUsed.accumulateAndGet((long) broker.scrape(admin).value("rampart_memory_budget_used_bytes"), Math::max);
    }

    private static void roundTrip(Mqtt5BlockingClient client, Mqtt5BlockingClient.Mqtt5Publishes inbox, String text)
            throws InterruptedException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        client.publishWith().topic("rss/bystander").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
        Optional<Mqtt5Publish> got = inbox.receive(10, TimeUnit.SECONDS);
        assertThat(got).as("the bystander receives its own message").hasValueSatisfying(
                p -> assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo(text));
    }

    /** One line of 200 bytes per message on mosquitto_pub's standard input, then end of input. */
    private static void writeLines(Process publisher) {
        String line = "x".repeat(200) + "\n";
        try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(publisher.getOutputStream(),
                StandardCharsets.US_ASCII), 1 << 16)) {
            for (int i = 0; i < MESSAGES; i++) {
                w.write(line);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
