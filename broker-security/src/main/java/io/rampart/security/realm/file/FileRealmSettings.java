package io.rampart.security.realm.file;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one file realm.
 *
 * @param name               realm name (access log, identities)
 * @param file               the YAML file
 * @param allowPlaintext     accept {@code {plain}secret} passwords (development only; logged as a warning)
 * @param credentialCacheTtl how long a verified password is remembered so repeated logins skip the expensive
 *                           hash; {@link Duration#ZERO} turns the cache off
 * @param pollInterval       how often the file is re-read as a fallback to file-system events
 */
public record FileRealmSettings(String name, Path file, boolean allowPlaintext, Duration credentialCacheTtl,
                                Duration pollInterval) {

    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

    public FileRealmSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(credentialCacheTtl, "credentialCacheTtl");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: must not be blank");
        }
        if (credentialCacheTtl.isNegative()) {
            throw new IllegalArgumentException("credential-cache-ttl: must not be negative");
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll-interval: must be positive");
        }
    }

    /** Default cache TTL (60 s) and poll interval (5 s). */
    public FileRealmSettings(String name, Path file, boolean allowPlaintext) {
        this(name, file, allowPlaintext, DEFAULT_CACHE_TTL, DEFAULT_POLL_INTERVAL);
    }
}
