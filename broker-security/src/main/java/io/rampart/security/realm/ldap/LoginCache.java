package io.rampart.security.realm.ldap;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.rampart.security.spi.IdentityVariables;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the realm remembers about logins, each part bounded by {@code cache.size} and expiring on its own TTL:
 * <ul>
 *   <li>accounts (DN, roles, rules) for {@code cache.ttl};</li>
 *   <li>successful binds as SHA-256(random salt ‖ key ‖ password) for {@code cache.credential-ttl};</li>
 *   <li>the last successful login per key for {@code cache.stale-ttl}, used only while the directory is down.</li>
 * </ul>
 * The key of a login is the user name plus every other identity variable the user and group lookups use, so an
 * entry is only reused for the same lookup. The salt is random per realm instance: the digests are useless elsewhere.
 */
final class LoginCache {

    private record Remembered(byte[] digest, LdapAccount account) {
    }

    private final Cache<String, LdapAccount> accounts;
    private final Cache<String, byte[]> credentials;
    private final Cache<String, Remembered> lastGood;
    private final List<String> keyVariables;
    private final byte[] salt = new byte[32];

    LoginCache(LdapRealmSettings settings) {
        new SecureRandom().nextBytes(salt);
        boolean caching = settings.cacheSize() > 0 && !settings.cacheTtl().isZero();
        accounts = caching ? build(settings.cacheSize(), settings.cacheTtl()) : null;
        credentials = caching && !settings.credentialTtl().isZero()
                ? build(settings.cacheSize(), settings.credentialTtl()) : null;
        lastGood = settings.staleTtl().isZero() ? null : build(settings.cacheSize(), settings.staleTtl());
        TreeSet<String> vars = new TreeSet<>(LdapTemplates.placeholders(settings.user().dnTemplate() != null
                ? settings.user().dnTemplate() : settings.user().filter()));
        if (settings.groups() != null && settings.groups().filter() != null) {
            vars.addAll(LdapTemplates.placeholders(settings.groups().filter()));
        }
        vars.remove("user-dn");
        vars.remove(IdentityVariables.USERNAME);
        keyVariables = List.copyOf(vars);
    }

    private static <V> Cache<String, V> build(int size, Duration ttl) {
        return Caffeine.newBuilder().maximumSize(size).expireAfterWrite(ttl).executor(Runnable::run).build();
    }

    /** The key of a login (see the class comment). */
    String key(Map<String, String> variables) {
        String username = variables.get(IdentityVariables.USERNAME);
        if (keyVariables.isEmpty()) {
            return username;
        }
        StringBuilder b = new StringBuilder(username);
        for (String v : keyVariables) {
            String value = variables.get(v);
            b.append('\u0000').append(value == null ? "" : value);
        }
        return b.toString();
    }

    byte[] digest(String key, byte[] password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            sha.update(key.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return sha.digest(password);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The account of a bind remembered with this digest, or {@code null}. */
    LdapAccount verified(String key, byte[] digest) {
        if (credentials == null) {
            return null;
        }
        byte[] known = credentials.getIfPresent(key);
        LdapAccount account = accounts.getIfPresent(key);
        return known != null && account != null && MessageDigest.isEqual(known, digest) ? account : null;
    }

    /** Remembers a successful login. */
    void loggedIn(String key, byte[] digest, LdapAccount account) {
        if (accounts != null) {
            accounts.put(key, account);
        }
        if (credentials != null) {
            credentials.put(key, digest);
        }
        if (lastGood != null) {
            lastGood.put(key, new Remembered(digest, account));
        }
    }

    /** For an outage: the account of a login remembered within {@code stale-ttl} with this digest, or {@code null}. */
    LdapAccount stale(String key, byte[] digest) {
        Remembered r = lastGood == null ? null : lastGood.getIfPresent(key);
        return r != null && MessageDigest.isEqual(r.digest(), digest) ? r.account() : null;
    }

    /** For an outage: the account of any login remembered within {@code stale-ttl}, or {@code null}. */
    LdapAccount staleAccount(String key) {
        Remembered r = lastGood == null ? null : lastGood.getIfPresent(key);
        return r == null ? null : r.account();
    }

    LdapAccount account(String key) {
        return accounts == null ? null : accounts.getIfPresent(key);
    }

    void account(String key, LdapAccount account) {
        if (accounts != null) {
            accounts.put(key, account);
        }
    }

    /** Forgets every cached account, so the next look-up reads the directory (a re-check of live sessions). */
    void forgetAccounts() {
        if (accounts != null) {
            accounts.invalidateAll();
        }
    }
}
