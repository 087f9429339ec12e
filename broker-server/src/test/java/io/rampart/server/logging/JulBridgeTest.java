package io.rampart.server.logging;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JulBridgeTest {

    @Test
    void budget_passesABurst_thenOneAMinute_andCountsWhatItLeftOut() {
        JulBridge.Budget budget = new JulBridge.Budget();
        long t = 1_000L;
        for (int i = 0; i < JulBridge.BURST; i++) {
            assertThat(budget.take(t)).isZero();
        }
        assertThat(budget.take(t)).isEqualTo(-1);
        assertThat(budget.take(t + JulBridge.REFILL_NANOS - 1)).isEqualTo(-1);

        assertThat(budget.take(t + JulBridge.REFILL_NANOS)).isEqualTo(2);
        assertThat(budget.take(t + JulBridge.REFILL_NANOS)).isEqualTo(-1);
        assertThat(budget.take(t + 2 * JulBridge.REFILL_NANOS)).isEqualTo(1);
    }

    @Test
    void budget_refillsUpToTheBurstOnly() {
        JulBridge.Budget budget = new JulBridge.Budget();
        budget.take(0);
        long later = 100 * JulBridge.REFILL_NANOS;
        for (int i = 0; i < JulBridge.BURST; i++) {
            assertThat(budget.take(later)).isZero();
        }
        assertThat(budget.take(later)).isEqualTo(-1);
    }
}
