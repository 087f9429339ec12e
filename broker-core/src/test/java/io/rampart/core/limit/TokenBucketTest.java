package io.rampart.core.limit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void spend_withinTheBurst_costsNoWait_thenTheDebtTellsHowLongToHoldBack() {
        TokenBucket bucket = new TokenBucket(10, 20, 0);

        for (int i = 0; i < 20; i++) {
            assertThat(bucket.spend(1, 0)).isZero();
        }
        // One more is a debt of one token: a tenth of a second at 10 per second.
        assertThat(bucket.spend(1, 0)).isEqualTo(SECOND / 10);
        assertThat(bucket.waitFor(0, 0)).isEqualTo(SECOND / 10);
        assertThat(bucket.waitFor(0, SECOND / 10)).isZero();
    }

    @Test
    void spend_aLargeAmount_isAllowedIntoDebt_soTheLongRunRateHolds() {
        TokenBucket bytes = new TokenBucket(65_536, 65_536, 0);

        long wait = bytes.spend(1 << 20, 0);

        // 1 MB against 64 KB/s with a full 64 KB burst: 15 s of debt.
        assertThat(wait).isEqualTo(15 * SECOND);
        assertThat(bytes.waitFor(0, 14 * SECOND)).isEqualTo(SECOND);
        assertThat(bytes.isFull(31 * SECOND)).isTrue();
    }

    @Test
    void refill_neverExceedsTheBurst() {
        TokenBucket bucket = new TokenBucket(100, 5, 0);
        for (int i = 0; i < 5; i++) {
            bucket.spend(1, 0);
        }

        assertThat(bucket.waitFor(5, 10 * SECOND)).isZero();
        assertThat(bucket.waitFor(6, 10 * SECOND)).isEqualTo(SECOND / 100);
    }

    @Test
    void trySpend_takesNothingWhenTooFewTokensAreThere() {
        TokenBucket bucket = new TokenBucket(1, 2, 0);

        assertThat(bucket.trySpend(2, 0)).isTrue();
        assertThat(bucket.trySpend(1, 0)).isFalse();
        assertThat(bucket.trySpend(1, SECOND / 2)).isFalse();
        assertThat(bucket.trySpend(1, SECOND)).isTrue();
        assertThat(bucket.isFull(SECOND)).isFalse();
    }

    @Test
    void rateBelowOnePerSecond_isHeld() {
        TokenBucket bucket = new TokenBucket(0.5, 1, 0);

        assertThat(bucket.spend(1, 0)).isZero();
        assertThat(bucket.spend(1, 0)).isEqualTo(2 * SECOND);
    }

    @Test
    void impossibleSettings_areRefused() {
        assertThatThrownBy(() -> new TokenBucket(0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(1, 0.5, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
