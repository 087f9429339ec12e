package io.rampart.admin.config;

import java.time.Duration;

/**
 * Limits of one admin HTTP request.
 *
 * @param maxBodyBytes            request body; beyond it 413
 * @param maxHeaderBytes          all header lines together; beyond it 431
 * @param maxHeaders              number of header fields; beyond it 431
 * @param requestTimeout          from the first byte of a request to its answer; a request not read in full in
 *                                time gets 408, one not answered in time 503
 * @param maxConcurrentPerAddress requests being processed at once for one client address; beyond it 429
 * @param idleTimeout             a connection without a request for this long is closed
 * @throws IllegalArgumentException "key: reason" for an impossible value
 */
public record RequestLimits(int maxBodyBytes, int maxHeaderBytes, int maxHeaders, Duration requestTimeout,
                            int maxConcurrentPerAddress, Duration idleTimeout) {

    public static final RequestLimits DEFAULTS = new RequestLimits(1024 * 1024, 16 * 1024, 100,
            Duration.ofSeconds(30), 8, Duration.ofSeconds(60));

    public RequestLimits {
        if (maxBodyBytes < 1024 || maxBodyBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("max-body-size: must be between 1KB and 16MB (was " + maxBodyBytes + ")");
        }
        if (maxHeaderBytes < 1024 || maxHeaderBytes > 1024 * 1024) {
            throw new IllegalArgumentException("max-header-size: must be between 1KB and 1MB (was " + maxHeaderBytes + ")");
        }
        if (maxHeaders < 8 || maxHeaders > 1000) {
            throw new IllegalArgumentException("max-headers: must be between 8 and 1000 (was " + maxHeaders + ")");
        }
        if (requestTimeout.toMillis() < 1000 || requestTimeout.toSeconds() > 600) {
            throw new IllegalArgumentException("request-timeout: must be between 1 s and 600 s (was "
                    + requestTimeout.toMillis() + " ms)");
        }
        if (maxConcurrentPerAddress < 1 || maxConcurrentPerAddress > 10_000) {
            throw new IllegalArgumentException("max-concurrent-requests-per-address: must be between 1 and 10000 (was "
                    + maxConcurrentPerAddress + ")");
        }
        if (idleTimeout.toMillis() < 1000 || idleTimeout.toSeconds() > 3600) {
            throw new IllegalArgumentException("idle-timeout: must be between 1 s and 3600 s (was "
                    + idleTimeout.toMillis() + " ms)");
        }
        if (idleTimeout.compareTo(requestTimeout) < 0) {
            throw new IllegalArgumentException("idle-timeout: must not be shorter than request-timeout");
        }
    }
}
