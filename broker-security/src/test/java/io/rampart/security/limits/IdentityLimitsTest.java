package io.rampart.security.limits;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentityLimitsTest {

    private static IdentityLimits parse(String... keysAndValues) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return LimitsSyntax.parse(values);
    }

    @Test
    void parse_everyKey_withUnitsAndDefaults() {
        IdentityLimits l = parse("messages-per-second", "10", "message-burst", "25", "bytes-per-second", "16KB",
                "deliveries-per-second", "0.5", "delivery-bytes-per-second", "1MB", "delivery-byte-burst", "2MB",
                "max-packet-size", "64KB", "disconnect-after", "1m");

        assertThat(l.publish()).isEqualTo(new IdentityLimits.Rate(10, 25));
        assertThat(l.publishBytes()).isEqualTo(new IdentityLimits.Rate(16_384, 16_384));
        assertThat(l.deliver()).isEqualTo(new IdentityLimits.Rate(0.5, 1));
        assertThat(l.deliverBytes()).isEqualTo(new IdentityLimits.Rate(1 << 20, 2 << 20));
        assertThat(l.maxPacketSize()).isEqualTo(65_536);
        assertThat(l.disconnectAfter()).isEqualTo(Duration.ofMinutes(1));
        assertThat(l.limitsPublishing()).isTrue();
        assertThat(parse().isNone()).isTrue();
    }

    @Test
    void parse_impossibleValues_nameTheKey() {
        assertThatThrownBy(() -> parse("messages-per-second", "0")).hasMessage(
                "messages-per-second: must be above 0 and at most 10^15 (was 0)");
        assertThatThrownBy(() -> parse("messages-per-second", "-1")).hasMessageStartingWith(
                "messages-per-second: must be a number");
        assertThatThrownBy(() -> parse("messages-per-second", "10", "message-burst", "0.5")).hasMessageStartingWith(
                "message-burst: must be at least 1");
        assertThatThrownBy(() -> parse("byte-burst", "1KB")).hasMessage("byte-burst: needs bytes-per-second");
        assertThatThrownBy(() -> parse("bytes-per-second", "fast")).hasMessageStartingWith(
                "bytes-per-second: must be a size in bytes");
        assertThatThrownBy(() -> parse("max-packet-size", "512MB")).hasMessageStartingWith(
                "max-packet-size: must be between 1 and 268435455 bytes");
        assertThatThrownBy(() -> parse("disconnect-after", "0")).hasMessageStartingWith(
                "disconnect-after: must be between 1 ms and 24 h");
        assertThatThrownBy(() -> parse("rate", "1")).hasMessageStartingWith("rate: unknown key");
    }

    @Test
    void strictest_takesTheStricterOfEachLimit_andKeepsALimitSetOnlyOnOneSide() {
        IdentityLimits sensor = parse("messages-per-second", "10", "message-burst", "50", "max-packet-size", "1000");
        IdentityLimits gateway = parse("messages-per-second", "5000", "message-burst", "20", "disconnect-after", "30s",
                "deliveries-per-second", "100");

        IdentityLimits both = sensor.strictest(gateway);

        assertThat(both.publish()).isEqualTo(new IdentityLimits.Rate(10, 20));
        assertThat(both.maxPacketSize()).isEqualTo(1000);
        assertThat(both.disconnectAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(both.deliver()).isEqualTo(new IdentityLimits.Rate(100, 100));
        assertThat(both).isEqualTo(gateway.strictest(sensor));
        assertThat(IdentityLimits.NONE.strictest(sensor)).isEqualTo(sensor);
        assertThat(sensor.strictest(IdentityLimits.NONE)).isEqualTo(sensor);
    }

    @Test
    void format_writesTheKeysThatAreSet_andReadsBackTheSame() {
        IdentityLimits l = parse("messages-per-second", "0.5", "bytes-per-second", "4096", "byte-burst", "8192",
                "disconnect-after", "1500ms");

        Map<String, String> text = LimitsSyntax.format(l);

        assertThat(text).containsExactly(Map.entry("messages-per-second", "0.5"), Map.entry("message-burst", "1"),
                Map.entry("bytes-per-second", "4096"), Map.entry("byte-burst", "8192"),
                Map.entry("disconnect-after", "1500ms"));
        assertThat(LimitsSyntax.parse(text)).isEqualTo(l);
    }
}
