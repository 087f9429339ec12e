package io.rampart.server.config;

import io.rampart.security.limits.IdentityLimits;

/**
 * Limits per source address of one listener ({@code per-address:}). Addresses that share their first
 * {@code ipv4PrefixLength} (IPv6: {@code ipv6PrefixLength}) bits count as one source, so a network can be limited
 * as a whole (24: a /24 network; 32 and 128: each address).
 *
 * @param maxConnections   connections open at once per source, 0 = no limit
 * @param connectionRate   new connections per second per source, with a burst; {@code null} = no limit
 * @param ipv4PrefixLength 1..32
 * @param ipv6PrefixLength 1..128
 * @throws IllegalArgumentException "key: reason" when a value is impossible
 */
public record AddressLimits(int maxConnections, IdentityLimits.Rate connectionRate, int ipv4PrefixLength,
                            int ipv6PrefixLength) {

    public static final int DEFAULT_IPV4_PREFIX_LENGTH = 32;
    public static final int DEFAULT_IPV6_PREFIX_LENGTH = 64;

    public AddressLimits {
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max-connections: must be 0 (no limit) or more (was " + maxConnections + ")");
        }
        if (ipv4PrefixLength < 1 || ipv4PrefixLength > 32) {
            throw new IllegalArgumentException("ipv4-prefix-length: must be between 1 and 32 (was " + ipv4PrefixLength + ")");
        }
        if (ipv6PrefixLength < 1 || ipv6PrefixLength > 128) {
            throw new IllegalArgumentException("ipv6-prefix-length: must be between 1 and 128 (was " + ipv6PrefixLength + ")");
        }
        if (maxConnections == 0 && connectionRate == null) {
            throw new IllegalArgumentException("max-connections: per-address needs max-connections or connection-rate");
        }
    }
}
