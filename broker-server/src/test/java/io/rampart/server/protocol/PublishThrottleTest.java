package io.rampart.server.protocol;

import io.rampart.security.limits.IdentityLimits;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class PublishThrottleTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;

    private static IdentityLimits limits(IdentityLimits.Rate messages, IdentityLimits.Rate bytes, Duration after) {
        return new IdentityLimits(messages, bytes, null, null, 0, after);
    }

    @Test
    void noPublishRate_noThrottle() {
        assertThat(PublishThrottle.of(IdentityLimits.NONE, 0)).isNull();
        assertThat(PublishThrottle.of(limits(null, null, Duration.ofSeconds(1)), 0)).isNull();
    }

    @Test
    void spend_overTheMessageRate_holdsBackUntilTheDebtIsPaid() {
        PublishThrottle t = PublishThrottle.of(limits(new IdentityLimits.Rate(10, 2), null, null), 0);

        assertThat(t.spend(100, 0)).isZero();
        assertThat(t.spend(100, 0)).isZero();
        assertThat(t.spend(100, 0)).isEqualTo(100 * MS);
        assertThat(t.remaining(50 * MS)).isEqualTo(50 * MS);
        assertThat(t.remaining(100 * MS)).isZero();
    }

    @Test
    void spend_theByteRateHoldsBackLongerForALargeMessage() {
        PublishThrottle t = PublishThrottle.of(limits(IdentityLimits.Rate.perSecond(1000),
                new IdentityLimits.Rate(1024, 1024), null), 0);

        assertThat(t.spend(1024, 0)).isZero();
        assertThat(t.spend(4096, 0)).isEqualTo(4 * SECOND);
    }

    @Test
    void spend_overTheRatesForDisconnectAfter_isSustained_butAPauseStartsAnewRun() {
        PublishThrottle t = PublishThrottle.of(limits(new IdentityLimits.Rate(10, 1), null, Duration.ofSeconds(2)), 0);
        long now = 0;
        t.spend(1, now);
        // a flood: every hold ends, the client is over again at once
        long wait = t.spend(1, now);
        while (wait != PublishThrottle.SUSTAINED && now < 10 * SECOND) {
            now += wait;
            wait = t.spend(1, now);
        }
        assertThat(wait).isEqualTo(PublishThrottle.SUSTAINED);
        assertThat(now).isBetween(2 * SECOND, 3 * SECOND);

        // quiet for more than a second after the last hold: the next excess is a new run, not yet sustained
        now += 5 * SECOND;
        assertThat(t.spend(1, now)).isZero();
        assertThat(t.spend(1, now)).isPositive();
    }

    @Test
    void withoutDisconnectAfter_aFloodIsOnlyHeldBack() {
        PublishThrottle t = PublishThrottle.of(limits(new IdentityLimits.Rate(10, 1), null, null), 0);
        long now = 0;
        for (int i = 0; i < 1_000; i++) {
            long wait = t.spend(1, now);
            assertThat(wait).isNotEqualTo(PublishThrottle.SUSTAINED);
            now += wait;
        }
    }
}
