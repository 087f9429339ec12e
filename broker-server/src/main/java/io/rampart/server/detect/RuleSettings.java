package io.rampart.server.detect;

import java.time.Duration;

/**
 * One detection rule's tuning.
 *
 * @param enabled    whether the rule runs
 * @param threshold  how many events (or distinct addresses, for the per-user and many-addresses rules) within
 *                   {@code window} make a detection; 1..100 000
 * @param window     the sliding window; 1 s..1 day
 * @param ban        how long the rule bans what it detected, or {@code null} for no ban; at most 30 days
 * @param ipv4Prefix the network an IPv4 address counts in (32: the address itself); 8..32
 * @param ipv6Prefix the network an IPv6 address counts in; 16..128
 * @param remembered the networks ({@code new-network}) or topics ({@code many-new-topics}) remembered per
 *                   identity; 1..10 000, 0 for the other rules
 */
public record RuleSettings(boolean enabled, int threshold, Duration window, Duration ban, int ipv4Prefix,
                           int ipv6Prefix, int remembered) {

    public RuleSettings {
        if (threshold < 1 || threshold > 100_000) {
            throw new IllegalArgumentException("threshold: must be between 1 and 100000 (was " + threshold + ")");
        }
        if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("window: must be between 1s and 1d (was " + window + ")");
        }
        if (ban != null && (ban.isZero() || ban.isNegative())) {
            ban = null;
        }
        if (ban != null && ban.compareTo(Duration.ofDays(30)) > 0) {
            throw new IllegalArgumentException("ban: must be at most 30d (was " + ban + "); bans for longer are an"
                    + " operator's decision (POST /api/v1/bans)");
        }
        if (ipv4Prefix < 8 || ipv4Prefix > 32) {
            throw new IllegalArgumentException("ipv4-prefix: must be between 8 and 32 (was " + ipv4Prefix + ")");
        }
        if (ipv6Prefix < 16 || ipv6Prefix > 128) {
            throw new IllegalArgumentException("ipv6-prefix: must be between 16 and 128 (was " + ipv6Prefix + ")");
        }
        if (remembered < 0 || remembered > 10_000) {
            throw new IllegalArgumentException("remembered: must be between 0 and 10000 (was " + remembered + ")");
        }
    }
}
