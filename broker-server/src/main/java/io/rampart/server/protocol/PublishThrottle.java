package io.rampart.server.protocol;

import io.rampart.core.limit.TokenBucket;
import io.rampart.security.limits.IdentityLimits;

import java.util.concurrent.TimeUnit;

/**
 * The publish rates of one client ({@code messages-per-second}, {@code bytes-per-second}): every PUBLISH spends from
 * token buckets, and a client that spent more than its rates allow is held back, by not reading from its socket
 * until the buckets are out of debt again. Nothing is dropped and the client is not disconnected, unless it keeps
 * exceeding for {@code disconnect-after}: a run of excess lasts while each hold-back comes less than a second after
 * the previous one ended. Lives on the connection's event loop.
 */
final class PublishThrottle {

    /** {@link #spend}'s answer when the client exceeded its rates for {@code disconnect-after}. */
    static final long SUSTAINED = -1;
    private static final long RUN_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final TokenBucket messages;
    private final TokenBucket bytes;
    private final long disconnectAfterNanos;
    /** When the current run of excess began, or 0 outside of one. */
    private long excessSince;
    /** When the last hold-back ends. */
    private long heldUntil;

    private PublishThrottle(IdentityLimits limits, long now) {
        IdentityLimits.Rate m = limits.publish();
        IdentityLimits.Rate b = limits.publishBytes();
        this.messages = m == null ? null : new TokenBucket(m.perSecond(), m.burst(), now);
        this.bytes = b == null ? null : new TokenBucket(b.perSecond(), b.burst(), now);
        this.disconnectAfterNanos = limits.disconnectAfter() == null ? 0 : limits.disconnectAfter().toNanos();
    }

    /** The throttle for {@code limits}, or {@code null} when they set no publish rate. */
    static PublishThrottle of(IdentityLimits limits, long now) {
        return limits.limitsPublishing() ? new PublishThrottle(limits, now) : null;
    }

    /**
     * A PUBLISH of {@code packetBytes} arrived.
     *
     * @return nanoseconds to stop reading for (0: read on), or {@link #SUSTAINED} when the client has now exceeded
     *         its rates for {@code disconnect-after}
     */
    long spend(int packetBytes, long now) {
        long wait = 0;
        if (messages != null) {
            wait = messages.spend(1, now);
        }
        if (bytes != null) {
            wait = Math.max(wait, bytes.spend(packetBytes, now));
        }
        if (wait == 0) {
            return 0;
        }
        if (excessSince == 0 || now - heldUntil > RUN_GAP_NANOS) {
            excessSince = now;
        }
        heldUntil = now + wait;
        if (disconnectAfterNanos > 0 && now - excessSince >= disconnectAfterNanos) {
            return SUSTAINED;
        }
        return wait;
    }

    /** Nanoseconds until the client may be read from again (0: now). */
    long remaining(long now) {
        long wait = messages == null ? 0 : messages.waitFor(0, now);
        return bytes == null ? wait : Math.max(wait, bytes.waitFor(0, now));
    }
}
