package io.rampart.security.hash;

import java.util.Locale;

/** Password hash formats understood by {@link PasswordHasher}. */
public enum HashAlgorithm {
    /** {@code $pbkdf2-sha512$i=210000$<salt>$<hash>} (PHC style, standard Base64 without padding). The default. */
    PBKDF2_SHA512("pbkdf2"),
    /** {@code $2a$}, {@code $2b$}, {@code $2y$} modular crypt. Passwords longer than 72 UTF-8 bytes are truncated. */
    BCRYPT("bcrypt"),
    /** {@code $argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>} (PHC string format). */
    ARGON2ID("argon2id"),
    /** {@code {plain}secret}: only accepted where plaintext is explicitly allowed; never produced. */
    PLAIN("plain");

    private final String cliName;

    HashAlgorithm(String cliName) {
        this.cliName = cliName;
    }

    /** Short name used on the command line and in configuration ({@code pbkdf2}, {@code bcrypt}, {@code argon2id}). */
    public String cliName() {
        return cliName;
    }

    /** Parses a short name (case-insensitive). */
    public static HashAlgorithm fromCliName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (HashAlgorithm a : values()) {
            if (a.cliName.equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown hash algorithm '" + name + "' (expected pbkdf2, bcrypt or argon2id)");
    }

    @Override
    public String toString() {
        return cliName;
    }
}
