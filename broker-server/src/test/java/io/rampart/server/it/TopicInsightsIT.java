package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.Scrape;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Topic insights with real clients: one hot topic (HiveMQ client and {@code mosquitto_pub}) among thousands of cold
 * ones is listed first by {@code GET /api/v1/insights/topics} with its rates and bytes in and out, its topic level and
 * the filter with the most subscribers too, and the top N are exported as metrics.
 */
class TopicInsightsIT {

    static final String HOT = "plant/boiler/pressure";
    private static final int HOT_PER_CLIENT = 300;
    private static final int COLD = 3000;
    private static final String PAYLOAD = "p".repeat(100);

    @TempDir
    Path dir;

    /** Two subscribers of the hot topic; one hot and many cold publishers. */
    static void publishHotAndCold(TestBroker broker, Clients clients) throws Exception {
        for (String id : List.of("watch-1", "watch-2")) {
            Mqtt5AsyncClient watcher = TraceRecordingIT.device(clients, id, "device-2");
            await(watcher.subscribeWith().topicFilter(HOT).qos(MqttQos.AT_LEAST_ONCE).callback(p -> {
            }).send());
        }
        Mqtt5AsyncClient fleet = TraceRecordingIT.device(clients, "fleet-1", "device-1");
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (int i = 0; i < COLD; i++) {
            sent.add(fleet.publishWith().topic("fleet/sensor-" + i + "/state").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[10]).send());
        }
        Mqtt5AsyncClient hot = TraceRecordingIT.device(clients, "boiler-1", "device-1");
        for (int i = 0; i < HOT_PER_CLIENT; i++) {
            sent.add(hot.publishWith().topic(HOT).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(PAYLOAD.getBytes(StandardCharsets.UTF_8)).send());
        }
        await(CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)));
        PubMosquitto.Result mosquitto = PubMosquitto.run(broker, "mosquitto_pub", "-i", "boiler-2", "-u", "device-1",
                "-P", AdminSetup.PASSWORD, "-q", "1", "-t", HOT, "-m", PAYLOAD, "--repeat",
                Integer.toString(HOT_PER_CLIENT));
        assertThat(mosquitto.exitCode()).as(mosquitto.toString()).isZero();
    }

    @Test
    void oneHotTopicAmongThousandsOfColdOnes_isListedFirst_withRatesAndBytesInAndOut_andExportedAsMetrics()
            throws Exception {
        try (TestBroker broker = AdminSetup.in(dir).sections("insights: {topics: {interval: 1s, window: 10m, top: 3}}\n")
                .start(); Clients clients = new Clients(broker)) {
            AdminClient vera = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("vera");
            publishHotAndCold(broker, clients);
            int hotTotal = 2 * HOT_PER_CLIENT;

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode top = vera.get("/api/v1/insights/topics").json().path("topics").path(0);
                assertThat(top.path("topic").asText()).isEqualTo(HOT);
                assertThat(top.path("messagesIn").asLong()).isGreaterThanOrEqualTo(hotTotal);
            });
            JsonNode view = vera.get("/api/v1/insights/topics?limit=5").json();
            assertThat(view.path("by").asText()).isEqualTo("messages-in");
            assertThat(view.path("spanSeconds").asDouble()).isPositive();
            assertThat(view.path("topics")).hasSize(5);
            JsonNode hot = view.path("topics").path(0);
            // The sketch may overestimate by a bounded error, never underestimate.
            assertThat(hot.path("messagesIn").asLong()).isBetween((long) hotTotal, hotTotal + 100L);
            assertThat(hot.path("bytesIn").asLong()).isGreaterThanOrEqualTo(hotTotal * 100L);
            assertThat(hot.path("messagesOut").asLong()).isGreaterThanOrEqualTo(2L * hotTotal);
            assertThat(hot.path("bytesOut").asLong()).isGreaterThanOrEqualTo(2L * hotTotal * 100);
            for (String rate : List.of("messagesInPerSecond", "bytesInPerSecond", "messagesOutPerSecond",
                    "bytesOutPerSecond")) {
                assertThat(hot.path(rate).asDouble()).as(rate).isPositive();
            }
            assertThat(view.path("topics").path(1).path("messagesIn").asLong()).isLessThan(hotTotal / 2);

            assertThat(view.path("levelDepth").asInt()).isEqualTo(2);
            assertThat(view.path("levels").path(0).path("level").asText()).isEqualTo("fleet");
            assertThat(view.path("levels").path(0).path("messagesIn").asLong()).isGreaterThanOrEqualTo(COLD);
            assertThat(view.path("levels").findValuesAsText("level")).contains("plant", "plant/boiler");
            assertThat(view.path("filters").path(0).path("filter").asText()).isEqualTo(HOT);
            assertThat(view.path("filters").path(0).path("subscribers").asInt()).isEqualTo(2);

            JsonNode byBytesOut = vera.get("/api/v1/insights/topics?by=bytes-out&limit=1").json();
            assertThat(byBytesOut.path("topics")).hasSize(1);
            assertThat(byBytesOut.path("topics").path(0).path("topic").asText()).isEqualTo(HOT);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Scrape metrics = Scrape.parse(broker.broker().metrics().scrape());
                assertThat(metrics.value("rampart_topic_messages_in_per_second", "topic", HOT)).isPositive();
                assertThat(metrics.samples("rampart_topic_messages_in_per_second")).hasSize(3);
                assertThat(metrics.value("rampart_topic_level_messages_in_per_second", "level", "fleet"))
                        .isPositive();
                assertThat(metrics.value("rampart_topic_filter_subscribers", "filter", HOT)).isEqualTo(2.0);
            });

            AdminClient nobody = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("nobody");
            assertThat(nobody.get("/api/v1/insights/topics").status()).isEqualTo(403);
            for (String bad : Arrays.asList("by=bytes", "limit=0", "limit=101", "since=1")) {
                assertThat(vera.get("/api/v1/insights/topics?" + bad).status()).as(bad).isEqualTo(400);
            }
        }
    }

    @Test
    void switchedOff_countsNothing_andTheApiSaysSo() throws Exception {
        try (TestBroker broker = AdminSetup.in(dir).sections("insights: {topics: {enabled: false}}\n").start();
             Clients clients = new Clients(broker)) {
            Mqtt5AsyncClient c = TraceRecordingIT.device(clients, "quiet-1", "device-1");
            TraceRecordingIT.publish(c, HOT, "x");
            AdminClient.Answer answer = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("vera")
                    .get("/api/v1/insights/topics");
            assertThat(answer.status()).isEqualTo(404);
            assertThat(answer.body()).contains("insights.topics.enabled: false");
            assertThat(Scrape.parse(broker.broker().metrics().scrape()).has("rampart_topic_messages_in_per_second"))
                    .isFalse();
        }
    }
}
