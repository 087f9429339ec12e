package io.rampart.server.tracing;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RootSamplerTest {

    @Test
    void ratioOne_recordsEveryMessage_andRatioZeroNone() {
        RootSampler all = new RootSampler(1.0);
        RootSampler none = new RootSampler(0.0);
        for (int i = 0; i < 10_000; i++) {
            assertThat(all.sample()).isTrue();
            assertThat(none.sample()).isFalse();
        }
    }

    @Test
    void onePercent_recordsAboutOneMessageInAHundred_atIrregularGaps() {
        RootSampler sampler = new RootSampler(0.01);
        int recorded = 0;
        int gap = 0;
        Set<Integer> gaps = new HashSet<>();
        for (int i = 0; i < 1_000_000; i++) {
            if (sampler.sample()) {
                recorded++;
                gaps.add(gap);
                gap = 0;
            } else {
                gap++;
            }
        }
        // Binomial(1 000 000, 0.01): mean 10 000, standard deviation about 99.5; this allows five of them.
        assertThat(recorded).isBetween(9_500, 10_500);
        assertThat(gaps).as("a random gap, not every 100th message").hasSizeGreaterThan(100);
    }

    @Test
    void aHalf_recordsAboutHalf() {
        RootSampler sampler = new RootSampler(0.5);
        int recorded = 0;
        for (int i = 0; i < 100_000; i++) {
            if (sampler.sample()) {
                recorded++;
            }
        }
        // Mean 50 000, standard deviation about 158.
        assertThat(recorded).isBetween(49_200, 50_800);
    }
}
