package io.rampart.server.detect;

import io.rampart.admin.broker.DetectionLog.Detection;
import io.rampart.core.cluster.SharedTable;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

class SharedDetectionsTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private final Clock clock = Clock.fixed(T0.plusSeconds(600), ZoneOffset.UTC);

    /** One table that every node reads and writes (the grid's replication is not the point here). */
    private static final class Table implements SharedTable {
        final Map<String, byte[]> entries = new ConcurrentHashMap<>();

        @Override
        public void put(String key, byte[] value, Instant expiresAt) {
            entries.put(key, value);
        }

        @Override
        public void remove(String key) {
            entries.remove(key);
        }

        @Override
        public byte[] get(String key) {
            return entries.get(key);
        }

        @Override
        public Map<String, byte[]> entries() {
            return Map.copyOf(entries);
        }

        @Override
        public void listen(Listener listener) {
        }
    }

    private static Detection detection(String id, int second, String rule) {
        return new Detection(id, T0.plusSeconds(second), rule, "address", "192.0.2.7", 5, Duration.ofMinutes(5),
                "5 failures", List.of("192.0.2.7"), "ban-1", T0.plusSeconds(3600), null, null, null);
    }

    @Test
    void detectionsOfEveryNode_areListedOnEach_newestFirst_andAcknowledgedAnywhere() {
        Table table = new Table();
        SharedDetections one = new SharedDetections(table, 10, clock, () -> 2);
        SharedDetections three = new SharedDetections(table, 10, clock, () -> 2);
        one.raised(detection("a", 1, "auth-failures-per-address"));
        three.raised(detection("b", 2, "connection-flapping"));

        assertThat(three.list(null, null)).extracting(Detection::id).containsExactly("b", "a");
        assertThat(three.list("auth-failures-per-address", null)).containsExactly(detection("a", 1,
                "auth-failures-per-address"));
        assertThat(three.list(null, T0.plusSeconds(2))).extracting(Detection::id).containsExactly("b");

        Detection done = three.acknowledge("a", "sam", "known scanner");
        assertThat(done.acknowledgedBy()).isEqualTo("sam");
        assertThat(done.acknowledgedAt()).isEqualTo(clock.instant());
        assertThat(one.list("auth-failures-per-address", null).get(0).note()).isEqualTo("known scanner");
        assertThat(one.acknowledge("missing", "sam", null)).isNull();
    }

    @Test
    void eachNodeKeepsAtMostItsHistoryInTheTable() {
        Table table = new Table();
        SharedDetections one = new SharedDetections(table, 10, clock, () -> 2);
        for (int i = 0; i < 15; i++) {
            one.raised(detection("d" + i, i, "probing-client"));
        }
        assertThat(table.entries).hasSize(10);
        assertThat(one.list(null, null).get(9).id()).isEqualTo("d5");
    }

    @Test
    void theTableKeepsAtMostHistoryPerNode_soDetectionsOfNodesThatLeftDoNotPileUp() {
        Table table = new Table();
        for (int i = 0; i < 25; i++) {
            table.put("gone" + i, SharedDetections.encode(detection("gone" + i, i, "probing-client")), null);
        }
        SharedDetections one = new SharedDetections(table, 10, clock, () -> 2);
        one.raised(detection("new", 100, "probing-client"));
        assertThat(table.entries).hasSize(20).containsKey("new").doesNotContainKey("gone5").containsKey("gone6");
    }
}
