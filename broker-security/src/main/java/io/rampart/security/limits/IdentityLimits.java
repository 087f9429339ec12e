package io.rampart.security.limits;

import java.time.Duration;

/**
 * Limits for one client that follow its identity. Realms set them per role and per user beside the permissions
 * (an authorization manager hands them out with its {@link io.rampart.security.spi.Grant}); listeners set defaults
 * for all their clients. When several apply, the strictest of each limit wins ({@link #strictest}). Every limit
 * is optional: {@code null} (a rate, {@code disconnectAfter}) or 0 ({@code maxPacketSize}) is "not set here".
 *
 * @param publish         PUBLISH packets per second the client may send, with a burst
 * @param publishBytes    bytes of PUBLISH packets per second the client may send, with a burst
 * @param deliver         messages per second the broker delivers to the client, with a burst
 * @param deliverBytes    bytes of PUBLISH packets per second the broker delivers to the client, with a burst
 * @param maxPacketSize   the largest packet the client may send, bytes; 0 = not set
 * @param disconnectAfter how long a client may keep exceeding its publish rates before it is disconnected (MQTT 5:
 *                        DISCONNECT 0x96 Message rate too high); {@code null} = never, the broker only stops
 *                        reading from it until its rates allow more
 * @param maxQueuedMessages messages the client's session queue holds before {@code queueOverflow} applies; 0 = not set
 * @param maxQueuedBytes  bytes the client's session queue holds before {@code queueOverflow} applies; 0 = not set
 * @param queueOverflow   what the client's full session queue does with one more message (its slow-consumer policy);
 *                        {@code null} = not set (the listener's policy applies)
 */
public record IdentityLimits(Rate publish, Rate publishBytes, Rate deliver, Rate deliverBytes, int maxPacketSize,
                             Duration disconnectAfter, int maxQueuedMessages, long maxQueuedBytes,
                             Overflow queueOverflow) {

    /** No limit set. */
    public static final IdentityLimits NONE = new IdentityLimits(null, null, null, null, 0, null);

    /** The largest packet MQTT can express (its variable byte integer's maximum). */
    public static final int MQTT_MAX_PACKET_SIZE = 268_435_455;

    public IdentityLimits {
        if (maxPacketSize < 0 || maxPacketSize > MQTT_MAX_PACKET_SIZE) {
            throw new IllegalArgumentException("max-packet-size: must be between 1 and " + MQTT_MAX_PACKET_SIZE
                    + " (was " + maxPacketSize + ")");
        }
        if (disconnectAfter != null && (disconnectAfter.isNegative() || disconnectAfter.isZero()
                || disconnectAfter.compareTo(Duration.ofDays(1)) > 0)) {
            throw new IllegalArgumentException("disconnect-after: must be between 1 ms and 24 h");
        }
        if (maxQueuedMessages < 0) {
            throw new IllegalArgumentException("max-queued-messages: must be at least 1 (was " + maxQueuedMessages + ")");
        }
        if (maxQueuedBytes < 0) {
            throw new IllegalArgumentException("max-queued-bytes: must be at least 1 (was " + maxQueuedBytes + ")");
        }
    }

    /** Rate, packet-size and disconnect limits without a slow-consumer policy of their own. */
    public IdentityLimits(Rate publish, Rate publishBytes, Rate deliver, Rate deliverBytes, int maxPacketSize,
                          Duration disconnectAfter) {
        this(publish, publishBytes, deliver, deliverBytes, maxPacketSize, disconnectAfter, 0, 0, null);
    }

    /** Whether any of the slow-consumer settings is set. */
    public boolean setsQueue() {
        return maxQueuedMessages > 0 || maxQueuedBytes > 0 || queueOverflow != null;
    }

    /** Whether no limit is set. */
    public boolean isNone() {
        return equals(NONE);
    }

    /** Whether any of the publish rates is set (the broker watches what the client sends). */
    public boolean limitsPublishing() {
        return publish != null || publishBytes != null;
    }

    /** Each limit the stricter of this one's and {@code other}'s; a limit set in only one of them is kept. */
    public IdentityLimits strictest(IdentityLimits other) {
        if (other == null || other == NONE || other.equals(this)) {
            return this;
        }
        if (this == NONE) {
            return other;
        }
        return new IdentityLimits(Rate.stricter(publish, other.publish), Rate.stricter(publishBytes, other.publishBytes),
                Rate.stricter(deliver, other.deliver), Rate.stricter(deliverBytes, other.deliverBytes),
                maxPacketSize == 0 ? other.maxPacketSize
                        : other.maxPacketSize == 0 ? maxPacketSize : Math.min(maxPacketSize, other.maxPacketSize),
                disconnectAfter == null ? other.disconnectAfter
                        : other.disconnectAfter == null || disconnectAfter.compareTo(other.disconnectAfter) <= 0
                        ? disconnectAfter : other.disconnectAfter,
                (int) smallerSet(maxQueuedMessages, other.maxQueuedMessages),
                smallerSet(maxQueuedBytes, other.maxQueuedBytes),
                Overflow.stricter(queueOverflow, other.queueOverflow));
    }

    /** The smaller of two bounds where 0 is "not set". */
    private static long smallerSet(long a, long b) {
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }

    /**
     * What a client's full session queue does with one more message. Where several roles set one, the strictest
     * applies: {@code DISCONNECT} over {@code DROP_NEWEST} over {@code DROP_OLDEST}.
     */
    public enum Overflow {
        /** Discard the oldest queued messages and keep the new one. */
        DROP_OLDEST,
        /** Keep the queue as it is and discard the new message. */
        DROP_NEWEST,
        /** Discard the new message and disconnect the client (MQTT 5: DISCONNECT 0x97 Quota exceeded). */
        DISCONNECT;

        /** The YAML and SQL spelling, e.g. {@code drop-oldest}. */
        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        /**
         * The policy spelled {@code text} ({@code drop-oldest}, {@code drop-newest}, {@code disconnect}).
         *
         * @throws IllegalArgumentException for any other text
         */
        public static Overflow parse(String text) {
            for (Overflow o : values()) {
                if (o.text().equals(text.strip().toLowerCase(java.util.Locale.ROOT))) {
                    return o;
                }
            }
            throw new IllegalArgumentException("must be one of drop-oldest, drop-newest, disconnect (was " + text + ")");
        }

        static Overflow stricter(Overflow a, Overflow b) {
            return a == null ? b : b == null ? a : a.compareTo(b) >= 0 ? a : b;
        }
    }

    /**
     * A token bucket's settings: {@code perSecond} tokens return each second, up to {@code burst}.
     *
     * @param perSecond tokens per second, above 0
     * @param burst     the most tokens the bucket holds (what may be spent at once after a quiet period), at least 1
     */
    public record Rate(double perSecond, double burst) {

        /** The largest rate or burst accepted (about 10^15: far above anything a link carries, still exact). */
        public static final double MAX = 1e15;

        public Rate {
            if (!(perSecond > 0) || perSecond > MAX) {
                throw new IllegalArgumentException("must be a number above 0 and at most 10^15 (was " + perSecond + ")");
            }
            if (!(burst >= 1) || burst > MAX) {
                throw new IllegalArgumentException("burst must be a number from 1 to 10^15 (was " + burst + ")");
            }
        }

        /** A rate whose burst is one second's worth (at least one token). */
        public static Rate perSecond(double perSecond) {
            return new Rate(perSecond, Math.max(1, perSecond));
        }

        static Rate stricter(Rate a, Rate b) {
            if (a == null) {
                return b;
            }
            if (b == null || a.equals(b)) {
                return a;
            }
            return new Rate(Math.min(a.perSecond, b.perSecond), Math.min(a.burst, b.burst));
        }
    }
}
