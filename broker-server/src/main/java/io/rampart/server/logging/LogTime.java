package io.rampart.server.logging;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * The timestamp of the event and access log lines, exactly as {@link DateTimeFormatter#ISO_INSTANT} writes it
 * ({@code 2026-12-08T04:55:12.123456Z}: the fraction in groups of three digits, left out when zero), at a fraction of
 * its cost: the date and time of day are formatted once per second and shared, only the fraction is written per line.
 * A connection storm writes two lines per CONNECT, so this is on the connect path.
 */
public final class LogTime {

    /** The formatted second, without the fraction and the zone: {@code 2026-12-08T04:55:12}. */
    private record Second(long epochSecond, String text) {
    }

    /** The latest second formatted (an immutable pair: a racing thread at worst formats the same second again). */
    private static volatile Second latest = new Second(Long.MIN_VALUE, "");

    private LogTime() {
    }

    /** Appends the current time. */
    public static StringBuilder appendNow(StringBuilder b) {
        return append(b, Instant.now());
    }

    /** Appends {@code t} as {@link DateTimeFormatter#ISO_INSTANT} would. */
    public static StringBuilder append(StringBuilder b, Instant t) {
        long second = t.getEpochSecond();
        // Years 0000-9999 only: outside them ISO_INSTANT adds a sign, which the plain path below would not.
        if (second < -62_167_219_200L || second > 253_402_300_799L) {
            return b.append(DateTimeFormatter.ISO_INSTANT.format(t));
        }
        Second s = latest;
        if (s.epochSecond() != second) {
            String whole = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(second));
            s = new Second(second, whole.substring(0, whole.length() - 1));
            latest = s;
        }
        b.append(s.text());
        int nanos = t.getNano();
        if (nanos != 0) {
            b.append('.');
            if (nanos % 1_000_000 == 0) {
                digits(b, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                digits(b, nanos / 1_000, 6);
            } else {
                digits(b, nanos, 9);
            }
        }
        return b.append('Z');
    }

    /** The current time as a string. */
    public static String now() {
        return append(new StringBuilder(30), Instant.now()).toString();
    }

    /** Appends {@code value} with leading zeros to {@code width} digits. */
    private static void digits(StringBuilder b, int value, int width) {
        int div = 1;
        for (int i = 1; i < width; i++) {
            div *= 10;
        }
        for (; div > 0; div /= 10) {
            b.append((char) ('0' + value / div % 10));
        }
    }
}
