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

    @Test
    void queueKeys_areRead_theSmallestBoundWins_andTheStrictestPolicy() {
        IdentityLimits slow = parse("max-queued-messages", "100", "queue-overflow", "drop-oldest");
        IdentityLimits capped = parse("max-queued-messages", "500", "max-queued-bytes", "64KB",
                "queue-overflow", "Drop-Newest");
        IdentityLimits quitter = parse("queue-overflow", "disconnect");

        assertThat(slow.maxQueuedMessages()).isEqualTo(100);
        assertThat(slow.queueOverflow()).isEqualTo(IdentityLimits.Overflow.DROP_OLDEST);
        assertThat(capped.maxQueuedBytes()).isEqualTo(64 * 1024);
        IdentityLimits both = slow.strictest(capped);
        assertThat(both.maxQueuedMessages()).isEqualTo(100);
        assertThat(both.maxQueuedBytes()).isEqualTo(64 * 1024);
        assertThat(both.queueOverflow()).isEqualTo(IdentityLimits.Overflow.DROP_NEWEST);
        assertThat(both.strictest(quitter).queueOverflow()).isEqualTo(IdentityLimits.Overflow.DISCONNECT);
        assertThat(quitter.strictest(slow).queueOverflow()).isEqualTo(IdentityLimits.Overflow.DISCONNECT);
        assertThat(slow.setsQueue()).isTrue();
        assertThat(parse("messages-per-second", "1").setsQueue()).isFalse();
        assertThat(LimitsSyntax.format(both)).containsEntry("max-queued-messages", "100")
                .containsEntry("max-queued-bytes", "65536").containsEntry("queue-overflow", "drop-newest");
        assertThat(LimitsSyntax.parse(LimitsSyntax.format(both))).isEqualTo(both);
    }

    @Test
    void queueKeys_impossibleValues_nameTheKey() {
        assertThatThrownBy(() -> parse("max-queued-messages", "0")).hasMessage(
                "max-queued-messages: must be a whole number from 1 to 999999999 (was 0)");
        assertThatThrownBy(() -> parse("max-queued-bytes", "0")).hasMessage(
                "max-queued-bytes: must be at least 1 byte (was 0)");
        assertThatThrownBy(() -> parse("queue-overflow", "drop-all")).hasMessage(
                "queue-overflow: must be one of drop-oldest, drop-newest, disconnect (was drop-all)");
    }
}
