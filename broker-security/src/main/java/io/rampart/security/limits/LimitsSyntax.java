package io.rampart.security.limits;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code limits:} block as written in YAML (broker configuration, realm files, realm settings): its keys and
 * how their values read. Rates and bursts are decimal numbers; byte values take a 1024-based unit ({@code 64KB},
 * {@code 1MB}); {@code disconnect-after} is a duration ({@code 30} or {@code 30s}, {@code 500ms}, {@code 5m},
 * {@code 1h}).
 *
 * <pre>
 *   messages-per-second: 10           # PUBLISH packets the client may send per second
 *   message-burst: 20                 # at once after a quiet period (default: one second's worth)
 *   bytes-per-second: 16KB            # bytes of PUBLISH packets per second
 *   byte-burst: 64KB
 *   deliveries-per-second: 100        # messages the broker sends the client per second
 *   delivery-burst: 200
 *   delivery-bytes-per-second: 1MB
 *   delivery-byte-burst: 1MB
 *   max-packet-size: 64KB             # the largest packet the client may send
 *   disconnect-after: 60s             # over its publish rates this long: DISCONNECT 0x96
 *   max-queued-messages: 100          # the client's session queue (realms only; listeners have their own keys)
 *   max-queued-bytes: 1MB
 *   queue-overflow: drop-oldest       # drop-oldest, drop-newest or disconnect (0x97)
 * </pre>
 */
public final class LimitsSyntax {

    /** Every key of a {@code limits:} block, in the order of the documentation. */
    public static final List<String> KEYS = List.of("messages-per-second", "message-burst", "bytes-per-second",
            "byte-burst", "deliveries-per-second", "delivery-burst", "delivery-bytes-per-second", "delivery-byte-burst",
            "max-packet-size", "disconnect-after", "max-queued-messages", "max-queued-bytes", "queue-overflow");

    /** The keys of the slow-consumer policy, which a listener sets with its own keys rather than in its limits. */
    public static final List<String> QUEUE_KEYS = List.of("max-queued-messages", "max-queued-bytes", "queue-overflow");

    private static final Pattern NUMBER = Pattern.compile("\\d{1,16}(\\.\\d{1,9})?");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,13})\\s*(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)?");

    private LimitsSyntax() {
    }

    /**
     * Reads a {@code limits:} block from its values as text ({@code null} or absent = not set).
     *
     * @throws IllegalArgumentException "key: reason" for an unknown key or an unusable value
     */
    public static IdentityLimits parse(Map<String, String> values) {
        for (String key : values.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(key + ": unknown key (allowed: " + String.join(", ", KEYS) + ")");
            }
        }
        return new IdentityLimits(
                rate(values, "messages-per-second", "message-burst", false),
                rate(values, "bytes-per-second", "byte-burst", true),
                rate(values, "deliveries-per-second", "delivery-burst", false),
                rate(values, "delivery-bytes-per-second", "delivery-byte-burst", true),
                checked("max-packet-size", () -> {
                    String text = values.get("max-packet-size");
                    if (text == null) {
                        return 0;
                    }
                    long size = size(text);
                    if (size < 1 || size > IdentityLimits.MQTT_MAX_PACKET_SIZE) {
                        throw new IllegalArgumentException("must be between 1 and " + IdentityLimits.MQTT_MAX_PACKET_SIZE
                                + " bytes (was " + text + ")");
                    }
                    return (int) size;
                }),
                checked("disconnect-after", () -> {
                    String text = values.get("disconnect-after");
                    return text == null ? null : duration(text);
                }),
                checked("max-queued-messages", () -> {
                    String text = values.get("max-queued-messages");
                    if (text == null) {
                        return 0;
                    }
                    if (!text.strip().matches("\\d{1,9}") || Integer.parseInt(text.strip()) < 1) {
                        throw new IllegalArgumentException("must be a whole number from 1 to 999999999 (was " + text + ")");
                    }
                    return Integer.parseInt(text.strip());
                }),
                checked("max-queued-bytes", () -> {
                    String text = values.get("max-queued-bytes");
                    if (text == null) {
                        return 0L;
                    }
                    long size = size(text);
                    if (size < 1) {
                        throw new IllegalArgumentException("must be at least 1 byte (was " + text + ")");
                    }
                    return size;
                }),
                checked("queue-overflow", () -> {
                    String text = values.get("queue-overflow");
                    return text == null ? null : IdentityLimits.Overflow.parse(text);
                }));
    }

    /** A rate and its burst; a burst without its rate is an error, a rate without a burst gets one second's worth. */
    private static IdentityLimits.Rate rate(Map<String, String> values, String rateKey, String burstKey, boolean bytes) {
        String rateText = values.get(rateKey);
        String burstText = values.get(burstKey);
        if (rateText == null) {
            if (burstText != null) {
                throw new IllegalArgumentException(burstKey + ": needs " + rateKey);
            }
            return null;
        }
        double perSecond = checked(rateKey, () -> bytes ? size(rateText) : number(rateText));
        if (!(perSecond > 0) || perSecond > IdentityLimits.Rate.MAX) {
            throw new IllegalArgumentException(rateKey + ": must be above 0 and at most 10^15 (was " + rateText + ")");
        }
        if (burstText == null) {
            return IdentityLimits.Rate.perSecond(perSecond);
        }
        double burst = checked(burstKey, () -> bytes ? size(burstText) : number(burstText));
        if (burst < 1 || burst > IdentityLimits.Rate.MAX) {
            throw new IllegalArgumentException(burstKey + ": must be at least 1 and at most 10^15 (was " + burstText + ")");
        }
        return new IdentityLimits.Rate(perSecond, burst);
    }

    private static double number(String text) {
        String t = text.strip();
        if (!NUMBER.matcher(t).matches()) {
            throw new IllegalArgumentException("must be a number such as 10 or 0.5 (was " + text + ")");
        }
        return Double.parseDouble(t);
    }

    /** Bytes: a plain integer or with a unit, {@code 512B}, {@code 64KB}, {@code 1MB}, {@code 2GB}. */
    static long size(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a size in bytes such as 65536, 64KB or 1MB (was " + text + ")");
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit) {
            case "KB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            default -> 0;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    /** A duration: whole seconds, or a number with a unit {@code ms}, {@code s}, {@code m}, {@code h}. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a duration such as 30, 500ms, 30s, 5m or 1h (was " + text + ")");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static <T> T checked(String key, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    /** The text form of {@code limits} (the keys that are set), e.g. for logs and the admin API. */
    public static Map<String, String> format(IdentityLimits limits) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        put(out, "messages-per-second", "message-burst", limits.publish());
        put(out, "bytes-per-second", "byte-burst", limits.publishBytes());
        put(out, "deliveries-per-second", "delivery-burst", limits.deliver());
        put(out, "delivery-bytes-per-second", "delivery-byte-burst", limits.deliverBytes());
        if (limits.maxPacketSize() > 0) {
            out.put("max-packet-size", Integer.toString(limits.maxPacketSize()));
        }
        if (limits.disconnectAfter() != null) {
            out.put("disconnect-after", limits.disconnectAfter().toMillis() % 1000 == 0
                    ? limits.disconnectAfter().toSeconds() + "s" : limits.disconnectAfter().toMillis() + "ms");
        }
        if (limits.maxQueuedMessages() > 0) {
            out.put("max-queued-messages", Integer.toString(limits.maxQueuedMessages()));
        }
        if (limits.maxQueuedBytes() > 0) {
            out.put("max-queued-bytes", Long.toString(limits.maxQueuedBytes()));
        }
        if (limits.queueOverflow() != null) {
            out.put("queue-overflow", limits.queueOverflow().text());
        }
        return out;
    }

    private static void put(Map<String, String> out, String rateKey, String burstKey, IdentityLimits.Rate rate) {
        if (rate != null) {
            out.put(rateKey, plain(rate.perSecond()));
            out.put(burstKey, plain(rate.burst()));
        }
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
