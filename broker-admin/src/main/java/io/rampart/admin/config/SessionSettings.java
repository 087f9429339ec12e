package io.rampart.admin.config;

import java.time.Duration;

/**
 * Browser sessions of the admin plane (the session cookie).
 *
 * @param idleTimeout     a session unused for this long ends
 * @param absoluteTimeout a session ends this long after its login, used or not
 * @param maxSessions     sessions held at once; a login beyond it ends the oldest session
 * @throws IllegalArgumentException "key: reason" for an impossible value
 */
public record SessionSettings(Duration idleTimeout, Duration absoluteTimeout, int maxSessions) {

    public static final SessionSettings DEFAULTS = new SessionSettings(Duration.ofMinutes(30), Duration.ofHours(8), 10_000);

    public SessionSettings {
        if (idleTimeout.toSeconds() < 10) {
            throw new IllegalArgumentException("idle-timeout: must be at least 10 s");
        }
        if (absoluteTimeout.compareTo(idleTimeout) < 0) {
            throw new IllegalArgumentException("absolute-timeout: must not be shorter than idle-timeout");
        }
        if (absoluteTimeout.toDays() > 30) {
            throw new IllegalArgumentException("absolute-timeout: must be at most 30 days");
        }
        if (maxSessions < 1 || maxSessions > 1_000_000) {
            throw new IllegalArgumentException("max-sessions: must be between 1 and 1000000 (was " + maxSessions + ")");
        }
    }
}
