package io.rampart.security.realm.file;

/** Verifies a password against a stored hash; the realm's seam to the (slow) hasher. */
@FunctionalInterface
interface PasswordCheck {

    boolean verify(byte[] password, String encoded);
}
