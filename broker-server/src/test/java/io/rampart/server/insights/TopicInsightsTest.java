package io.rampart.server.insights;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.DefaultEventLoop;
import io.rampart.admin.broker.TopicActivity.Order;
import io.rampart.admin.broker.TopicActivity.Rate;
import io.rampart.admin.broker.TopicActivity.View;
import io.rampart.core.topic.FilterCount;
import io.rampart.core.topic.Subscription;
import io.rampart.core.topic.SubscriptionIndex;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TopicInsightsTest {

    private static final TopicSettings SMALL = new TopicSettings(true, 256, 2, Duration.ofSeconds(1),
            Duration.ofSeconds(1), 2);

    @Test
    void aMillionDistinctTopics_keepEverySketchWithinItsBound_andTheHotTopicOnTop() {
        TopicCounts counts = new TopicCounts(SMALL);
        TopicTable table = new TopicTable(SMALL.levels());
        for (int i = 0; i < 1_000_000; i++) {
            table.published("fleet/device-" + i + "/telemetry", 20, 1, counts);
            if (i % 10 == 0) {
                table.published("plant/boiler/pressure", 100, 3, counts);
            }
            if (i % 100_000 == 0) {
                assertThat(counts.largestSketch()).isLessThanOrEqualTo(counts.sketchCapacity());
            }
        }
        table.flush(counts);
        assertThat(counts.sketchCapacity()).isLessThanOrEqualTo(256);
        assertThat(counts.largestSketch()).isLessThanOrEqualTo(counts.sketchCapacity());

        TopicCounts merged = new TopicCounts(SMALL);
        merged.merge(counts);
        merged.merge(counts);
        assertThat(merged.largestSketch()).isLessThanOrEqualTo(merged.sketchCapacity());

        List<Rate> top = counts.topics(Order.MESSAGES_IN, 3, 10);
        assertThat(top.get(0).name()).isEqualTo("plant/boiler/pressure");
        assertThat(top.get(0).messagesIn()).isBetween(100_000L, 100_000L + 1_100_000 * 35 / 2560);
        assertThat(counts.topics(Order.BYTES_OUT, 1, 10).get(0).name()).isEqualTo("plant/boiler/pressure");
        List<Rate> levels = counts.levels(Order.MESSAGES_IN, 3, 10);
        assertThat(levels.get(0).name()).isEqualTo("fleet");
        assertThat(levels.get(0).messagesIn()).isGreaterThanOrEqualTo(1_000_000L);
        assertThat(levels).extracting(Rate::name).contains("plant");
    }

    @Test
    void topicLevels_areTheLeadingLevels_upToTheDepth() {
        TopicCounts counts = new TopicCounts(SMALL);
        TopicTable table = new TopicTable(SMALL.levels());
        table.published("a/b/c/d", 10, 2, counts);
        table.published("a", 5, 0, counts);
        table.published("a/x", 1, 1, counts);
        table.flush(counts);
        assertThat(counts.levels(Order.MESSAGES_IN, 10, 1)).extracting(Rate::name, Rate::messagesIn)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("a", 3L),
                        org.assertj.core.groups.Tuple.tuple("a/b", 1L), org.assertj.core.groups.Tuple.tuple("a/x", 1L));
        Rate abc = counts.topics(Order.MESSAGES_IN, 10, 2).stream().filter(r -> r.name().equals("a/b/c/d"))
                .findFirst().orElseThrow();
        assertThat(abc).isEqualTo(new Rate("a/b/c/d", 1, 10, 2, 20, 0.5, 5, 1, 10));
    }

    @Test
    void theTable_countsExactlyUntilItIsFull_thenFlushesIntoTheSketches_andCountsOn() {
        TopicSettings large = new TopicSettings(true, 4096, 1, Duration.ofSeconds(1), Duration.ofSeconds(1), 2);
        TopicCounts counts = new TopicCounts(large);
        TopicTable table = new TopicTable(1);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < TopicTable.SLOTS; i++) {
                table.published("t/" + i, 1, 2, counts);
            }
        }
        table.flush(counts);
        List<Rate> top = counts.topics(Order.MESSAGES_IN, 5000, 1);
        assertThat(top).hasSize(TopicTable.SLOTS).allSatisfy(r -> assertThat(r).extracting(Rate::messagesIn,
                Rate::bytesIn, Rate::messagesOut, Rate::bytesOut).containsExactly(3L, 3L, 6L, 6L));
        assertThat(counts.levels(Order.MESSAGES_IN, 5, 1)).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("t");
            assertThat(r.messagesIn()).isEqualTo(3L * TopicTable.SLOTS);
        });
    }

    @Test
    void theView_collectsFromTheEventLoops_offTheirThreads_andTheGaugesFollowTheTopN() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SubscriptionIndex index = new SubscriptionIndex();
        index.subscribe(new Subscription("s1", "plant/#", null, 1, false, false, 0, 0));
        index.subscribe(new Subscription("s2", "plant/#", null, 1, false, false, 0, 0));
        DefaultEventLoop loop = new DefaultEventLoop();
        try (TopicInsights insights = new TopicInsights(SMALL, index, registry, Clock.systemUTC())) {
            LoopTally tally = loop.submit(() -> insights.tally(loop)).get();
            publishOnLoop(loop, tally, "plant/a", 50);
            await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
                View view = insights.view(Order.MESSAGES_IN, 5);
                assertThat(view.topics()).extracting(Rate::name).containsExactly("plant/a");
                assertThat(view.filters()).containsExactly(new FilterCount("plant/#", 2, 0));
                assertThat(gauge(registry, "rampart.topic.messages.in.per.second", "topic", "plant/a")).isNotNull();
                assertThat(registry.find("rampart.topic.filter.subscribers").tag("filter", "plant/#").gauge().value())
                        .isEqualTo(2.0);
            });
            // The window is one interval: once plant/a is quiet and others are busy, its series goes.
            await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
                publishOnLoop(loop, tally, "plant/b", 5);
                publishOnLoop(loop, tally, "plant/c", 5);
                assertThat(gauge(registry, "rampart.topic.messages.in.per.second", "topic", "plant/a")).isNull();
                assertThat(gauge(registry, "rampart.topic.messages.in.per.second", "topic", "plant/b")).isNotNull();
            });
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static void publishOnLoop(DefaultEventLoop loop, LoopTally tally, String topic, int times)
            throws Exception {
        loop.submit(() -> {
            for (int i = 0; i < times; i++) {
                tally.published(topic, 8, 1);
            }
        }).get();
    }

    private static Gauge gauge(SimpleMeterRegistry registry, String name, String tag, String value) {
        return registry.find(name).tag(tag, value).gauge();
    }
}
