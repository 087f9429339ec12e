package io.rampart.server.config;

import io.rampart.server.detect.Rule;
import io.rampart.server.detect.RuleSettings;
import io.rampart.server.insights.InsightSettings;
import io.rampart.server.insights.TopicSettings;
import io.rampart.server.trace.TraceSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.rampart.server.config.ConfigLoaderTest.catchConfig;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code trace-recordings:}, {@code insights:} and {@code detections:}. */
class ConfigInsightsTest {

    private static final String LISTENERS = """
            listeners:
              - {type: tcp, name: t, port: 1883}
            """;

    private static BrokerConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(LISTENERS + yaml, "ins.yaml", Map.<String, String>of()::get);
    }

    private static String failure(String yaml) {
        return catchConfig(() -> parse(yaml)).getMessage();
    }

    @Test
    void absentSections_meanDefaults_everyRuleOn_noBans() throws ConfigException {
        InsightsConfig c = parse("").insights();
        assertThat(c).isEqualTo(InsightsConfig.DEFAULTS);
        for (Rule r : Rule.values()) {
            assertThat(c.detections().runs(r)).as(r.id()).isTrue();
            assertThat(c.detections().rule(r).ban()).as(r.id()).isNull();
        }
    }

    @Test
    void sections_areRead() throws ConfigException {
        InsightsConfig c = parse("""
                trace-recordings: {max-active: 2, max-bytes: 1MB, max-duration: 2h, default-duration: 5m,
                                   retention: 1d, max-stored: 5}
                insights:
                  client-events: {enabled: false, per-client: 10, memory: 2MB, offline-retention: 10m}
                detections:
                  max-keys: 500
                  auth-failures-per-address: {threshold: 7, window: 30s, ipv4-prefix: 24, ban: 15m}
                  new-network: {networks-per-identity: 3, ban: none}
                  connection-flapping: {enabled: false}
                """).insights();
        assertThat(c.traces()).isEqualTo(new TraceSettings(2, 1L << 20, Duration.ofHours(2), Duration.ofMinutes(5),
                Duration.ofDays(1), 5));
        assertThat(c.insights().clientEvents()).isEqualTo(new InsightSettings.ClientEvents(false, 10, 2L << 20,
                Duration.ofMinutes(10)));
        assertThat(c.detections().maxKeys()).isEqualTo(500);
        assertThat(c.detections().rule(Rule.AUTH_FAILURES_PER_ADDRESS)).isEqualTo(new RuleSettings(true, 7,
                Duration.ofSeconds(30), Duration.ofMinutes(15), 24, 64, 0));
        assertThat(c.detections().rule(Rule.NEW_NETWORK).remembered()).isEqualTo(3);
        assertThat(c.detections().runs(Rule.CONNECTION_FLAPPING)).isFalse();
        assertThat(c.detections().rule(Rule.PROBING_CLIENT)).isEqualTo(Rule.PROBING_CLIENT.defaults());
    }

    @Test
    void invalidValues_andKeysARuleDoesNotHave_nameTheKey() {
        assertThat(failure("detections: {probing-client: {threshold: 0}}\n"))
                .contains("detections.probing-client").contains("threshold: must be between 1 and 100000");
        assertThat(failure("detections: {new-network: {threshold: 3}}\n"))
                .contains("detections.new-network").contains("threshold");
        assertThat(failure("detections: {probing-client: {ipv4-prefix: 24}}\n")).contains("ipv4-prefix");
        assertThat(failure("detections: {topic-fan-out: {enabled: true}}\n")).contains("topic-fan-out");
        assertThat(failure("detections: {auth-failures-per-address: {ban: 60d}}\n")).contains("at most 30d");
        assertThat(failure("detections: {new-network: {networks-per-identity: 0}}\n"))
                .contains("detections.new-network.networks-per-identity");
        assertThat(failure("trace-recordings: {default-duration: 2h}\n")).contains("default-duration");
        assertThat(failure("trace-recordings: {max-active: 0}\n")).contains("trace-recordings")
                .contains("max-active");
        assertThat(failure("insights: {client-events: {per-client: 0}}\n")).contains("insights.client-events")
                .contains("per-client");
        assertThat(failure("insights: {topics: {sketch-size: 1000}}\n")).contains("insights.topics.sketch-size")
                .contains("power of two");
        assertThat(failure("insights: {topics: {interval: 10s, window: 5s}}\n")).contains("insights.topics.window");
        assertThat(failure("insights: {topics: {levels: 9}}\n")).contains("insights.topics.levels");
        assertThat(failure("insights: {topics: {top-n: 5}}\n")).contains("top-n");
        assertThat(failure("detections: {many-new-topics: {topics-per-identity: 0}}\n"))
                .contains("detections.many-new-topics.topics-per-identity");
    }

    @Test
    void topicInsights_andTheNewTopicsRule_areRead() throws ConfigException {
        InsightsConfig c = parse("""
                insights:
                  topics: {enabled: false, sketch-size: 256, levels: 3, interval: 2s, window: 30s, top: 5}
                detections:
                  many-new-topics: {threshold: 40, window: 2m, topics-per-identity: 500, ban: 1h}
                """).insights();
        assertThat(c.insights().topics()).isEqualTo(new TopicSettings(false, 256, 3, Duration.ofSeconds(2),
                Duration.ofSeconds(30), 5));
        assertThat(c.insights().topics().intervals()).isEqualTo(15);
        assertThat(c.detections().rule(Rule.MANY_NEW_TOPICS)).isEqualTo(new RuleSettings(true, 40,
                Duration.ofMinutes(2), Duration.ofHours(1), 32, 128, 500));
        assertThat(parse("").insights().insights().topics()).isEqualTo(TopicSettings.DEFAULTS);
    }
}
