package io.rampart.server.protocol;

import io.rampart.core.QueueLimits;
import io.rampart.core.QueueOverflowPolicy;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.limits.LimitsSyntax;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ListenerContextTest {

    private static ListenerContext listener(QueueLimits queue) {
        return new ListenerContext("l", "tcp", null, null, IdentityLimits.NONE, 65_536, queue);
    }

    @Test
    void queueLimitsFor_anIdentityWithoutQueueSettings_isTheListenersPolicy() {
        QueueLimits own = new QueueLimits(1000, 0, QueueOverflowPolicy.DROP_NEWEST);

        assertThat(listener(own).queueLimitsFor(IdentityLimits.NONE)).isSameAs(own);
        assertThat(listener(own).queueLimitsFor(LimitsSyntax.parse(Map.of("messages-per-second", "5")))).isSameAs(own);
    }

    @Test
    void queueLimitsFor_takesTheSmallerBounds_andTheIdentitysPolicyWhenItSetsOne() {
        ListenerContext l = listener(new QueueLimits(1000, 1 << 20, QueueOverflowPolicy.DROP_NEWEST));

        assertThat(l.queueLimitsFor(LimitsSyntax.parse(Map.of("max-queued-messages", "100",
                "queue-overflow", "drop-oldest"))))
                .isEqualTo(new QueueLimits(100, 1 << 20, QueueOverflowPolicy.DROP_OLDEST));
        assertThat(l.queueLimitsFor(LimitsSyntax.parse(Map.of("max-queued-messages", "5000",
                "max-queued-bytes", "2MB"))))
                .as("a larger bound than the listener's does not widen it")
                .isEqualTo(new QueueLimits(1000, 1 << 20, QueueOverflowPolicy.DROP_NEWEST));
        assertThat(listener(new QueueLimits(1000, 0, QueueOverflowPolicy.DROP_OLDEST))
                .queueLimitsFor(LimitsSyntax.parse(Map.of("max-queued-bytes", "64KB", "queue-overflow", "disconnect"))))
                .as("a byte bound where the listener has none")
                .isEqualTo(new QueueLimits(1000, 64 * 1024, QueueOverflowPolicy.DISCONNECT));
    }
}
