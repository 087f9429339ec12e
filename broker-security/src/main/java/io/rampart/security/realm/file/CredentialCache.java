package io.rampart.security.realm.file;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * Remembers recently verified passwords so a device that reconnects often does not pay for the slow hash each
 * time. Holds, per user, SHA-256(realm salt ‖ password) and the stored hash it was verified against: a changed
 * stored hash never matches, and the salt is random per realm instance so the digests are useless elsewhere.
 * Bounded to {@value #MAX_ENTRIES} users; entries expire after the TTL. Shared by the password realms (file, SQL).
 */
public final class CredentialCache {

    public static final int MAX_ENTRIES = 10_000;

    private record Verified(byte[] digest, String storedHash) {
    }

    private final Cache<String, Verified> cache;
    private final byte[] salt = new byte[32];

    /** @param ttl how long a verified password is remembered; {@link Duration#ZERO} turns the cache off */
    public CredentialCache(Duration ttl) {
        new SecureRandom().nextBytes(salt);
        this.cache = ttl.isZero() ? null : Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .expireAfterWrite(ttl)
                .executor(Runnable::run)
                .build();
    }

    public boolean matches(String username, String storedHash, byte[] password) {
        if (cache == null) {
            return false;
        }
        Verified v = cache.getIfPresent(username);
        return v != null && v.storedHash.equals(storedHash) && MessageDigest.isEqual(v.digest, digest(password));
    }

    public void remember(String username, String storedHash, byte[] password) {
        if (cache != null) {
            cache.put(username, new Verified(digest(password), storedHash));
        }
    }

    public void invalidate(String username) {
        if (cache != null) {
            cache.invalidate(username);
        }
    }

    public long size() {
        return cache == null ? 0 : cache.estimatedSize();
    }

    private byte[] digest(byte[] password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return sha.digest(password);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
