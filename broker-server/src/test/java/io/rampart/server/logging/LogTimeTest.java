package io.rampart.server.logging;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class LogTimeTest {

    private static String logTime(Instant t) {
        return LogTime.append(new StringBuilder(), t).toString();
    }

    @Test
    void append_writesWhatIsoInstantWrites() {
        long second = Instant.parse("2026-12-08T04:55:12Z").getEpochSecond();
        int[] nanos = {0, 1, 7, 999_999_999, 123_000_000, 120_000_000, 100_000_000, 123_456_000, 100_000, 1_000,
                123_456_789, 5_000_000, 50_000};
        for (int n : nanos) {
            Instant t = Instant.ofEpochSecond(second, n);
            assertThat(logTime(t)).as("nanos %d", n).isEqualTo(DateTimeFormatter.ISO_INSTANT.format(t));
        }
    }

    @Test
    void append_acrossSecondsAndYears() {
        SplittableRandom random = new SplittableRandom(17);
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(-70_000_000_000L, 300_000_000_000L),
                    random.nextInt(4) == 0 ? random.nextInt(1000) * 1_000_000 : random.nextInt(1_000_000_000));
            assertThat(logTime(t)).isEqualTo(DateTimeFormatter.ISO_INSTANT.format(t));
        }
        Instant now = Instant.now();
        assertThat(logTime(now)).isEqualTo(DateTimeFormatter.ISO_INSTANT.format(now));
        assertThat(Instant.parse(LogTime.now())).isBeforeOrEqualTo(Instant.now());
    }
}
