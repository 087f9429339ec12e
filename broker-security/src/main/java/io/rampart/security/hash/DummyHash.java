package io.rampart.security.hash;

import java.util.UUID;

/**
 * A real hash (default algorithm) of a random password, computed once per JVM. Password realms verify
 * the password of an unknown or disabled user against it, so the response time does not tell which user
 * names exist.
 */
public final class DummyHash {

    private static final String VALUE = new PasswordHasher().hash(UUID.randomUUID().toString().toCharArray());

    private DummyHash() {
    }

    public static String value() {
        return VALUE;
    }
}
