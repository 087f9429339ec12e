package io.rampart.security.hash;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Hashes and verifies passwords in self-describing string formats, so that every realm (file, SQL, ...)
 * can store them the same way and old hashes keep working when the defaults change:
 * <ul>
 *   <li>{@code $pbkdf2-sha512$i=210000$<salt>$<hash>} — PBKDF2-HMAC-SHA512, 16-byte salt, 64-byte hash (default)</li>
 *   <li>{@code $2a$ / $2b$ / $2y$} — bcrypt, cost 12 by default</li>
 *   <li>{@code $argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>} — Argon2id</li>
 *   <li>{@code {plain}secret} — only when this hasher was created with {@code allowPlaintext}</li>
 * </ul>
 * Salts and hashes in the PHC-style formats are standard Base64 without padding. Parameters are read from
 * each string and must lie within bounds (PBKDF2 at most 10M iterations, bcrypt cost at most 18, Argon2id at
 * most 1 GiB of memory) so that a hostile or mistyped hash cannot hang a verifier. Comparison is constant-time.
 * Password bytes are UTF-8, as in MQTT.
 *
 * <p>Thread-safe; verification is CPU-heavy (tens to hundreds of milliseconds by design) and must not run on
 * an event loop.
 */
public final class PasswordHasher {

    public static final HashAlgorithm DEFAULT_ALGORITHM = HashAlgorithm.PBKDF2_SHA512;

    private final HashAlgorithm defaultAlgorithm;
    private final boolean allowPlaintext;
    private final List<HashFormat> formats;

    /** PBKDF2-SHA512 by default, plaintext refused. */
    public PasswordHasher() {
        this(DEFAULT_ALGORITHM, false);
    }

    /**
     * @param defaultAlgorithm used by {@link #hash(char[])}; not {@link HashAlgorithm#PLAIN}
     * @param allowPlaintext   whether {@code {plain}} entries are accepted by {@link #verify} and {@link #check}
     */
    public PasswordHasher(HashAlgorithm defaultAlgorithm, boolean allowPlaintext) {
        this(defaultAlgorithm, allowPlaintext, Pbkdf2Format.DEFAULT_ITERATIONS, BcryptFormat.DEFAULT_COST,
                Argon2idFormat.DEFAULT_MEMORY_KIB, Argon2idFormat.DEFAULT_ITERATIONS);
    }

    /** With explicit costs for new hashes (tests use cheap ones). */
    PasswordHasher(HashAlgorithm defaultAlgorithm, boolean allowPlaintext, int pbkdf2Iterations, int bcryptCost,
                   int argon2MemoryKib, int argon2Iterations) {
        Objects.requireNonNull(defaultAlgorithm, "defaultAlgorithm");
        if (defaultAlgorithm == HashAlgorithm.PLAIN) {
            throw new IllegalArgumentException("plaintext cannot be the default algorithm");
        }
        SecureRandom random = new SecureRandom();
        this.defaultAlgorithm = defaultAlgorithm;
        this.allowPlaintext = allowPlaintext;
        this.formats = List.of(
                new Pbkdf2Format(pbkdf2Iterations, random),
                new BcryptFormat(bcryptCost, random),
                new Argon2idFormat(argon2MemoryKib, argon2Iterations, Argon2idFormat.DEFAULT_PARALLELISM, random),
                new PlainFormat());
    }

    public HashAlgorithm defaultAlgorithm() {
        return defaultAlgorithm;
    }

    public boolean allowsPlaintext() {
        return allowPlaintext;
    }

    /** Hashes with the default algorithm and a fresh random salt. */
    public String hash(char[] password) {
        return hash(password, defaultAlgorithm);
    }

    /** Hashes with the given algorithm (not {@link HashAlgorithm#PLAIN}) and a fresh random salt. */
    public String hash(char[] password, HashAlgorithm algorithm) {
        Objects.requireNonNull(password, "password");
        if (algorithm == HashAlgorithm.PLAIN) {
            throw new IllegalArgumentException("plaintext passwords are never produced");
        }
        byte[] bytes = utf8(password);
        try {
            return format(algorithm).hash(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Verifies a password against an encoded hash.
     *
     * @return whether the password matches
     * @throws InvalidHashException when the encoded string is of no known format, malformed, out of bounds, or
     *                              plaintext while plaintext is not allowed
     */
    public boolean verify(char[] password, String encoded) {
        Objects.requireNonNull(password, "password");
        byte[] bytes = utf8(password);
        try {
            return verify(bytes, encoded);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** As {@link #verify(char[], String)}, for raw UTF-8 password bytes (as received in an MQTT CONNECT). */
    public boolean verify(byte[] password, String encoded) {
        Objects.requireNonNull(password, "password");
        return formatOf(encoded).verify(password, encoded);
    }

    /**
     * Checks that an encoded hash can be verified by this hasher, without a password.
     *
     * @return its algorithm
     * @throws InvalidHashException with the reason when it cannot
     */
    public HashAlgorithm check(String encoded) {
        HashFormat format = formatOf(encoded);
        format.check(encoded);
        return format.algorithm();
    }

    /** The algorithm a string claims by its prefix, without validating it. */
    public static Optional<HashAlgorithm> algorithmOf(String encoded) {
        if (encoded == null) {
            return Optional.empty();
        }
        if (encoded.startsWith(Pbkdf2Format.PREFIX)) {
            return Optional.of(HashAlgorithm.PBKDF2_SHA512);
        }
        if (encoded.startsWith("$2a$") || encoded.startsWith("$2b$") || encoded.startsWith("$2y$")) {
            return Optional.of(HashAlgorithm.BCRYPT);
        }
        if (encoded.startsWith(Argon2idFormat.PREFIX)) {
            return Optional.of(HashAlgorithm.ARGON2ID);
        }
        if (encoded.startsWith(PlainFormat.PREFIX)) {
            return Optional.of(HashAlgorithm.PLAIN);
        }
        return Optional.empty();
    }

    private HashFormat formatOf(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            throw new InvalidHashException("no password hash");
        }
        for (HashFormat f : formats) {
            if (f.claims(encoded)) {
                if (f.algorithm() == HashAlgorithm.PLAIN && !allowPlaintext) {
                    throw new InvalidHashException("plaintext password not allowed (hash it with 'rampart passwd' or "
                            + "'rampart hash', or allow plaintext explicitly)");
                }
                return f;
            }
        }
        throw new InvalidHashException("unrecognised password hash format (expected $pbkdf2-sha512$, $2a$/$2b$/$2y$ "
                + "bcrypt or $argon2id$)");
    }

    private HashFormat format(HashAlgorithm algorithm) {
        for (HashFormat f : formats) {
            if (f.algorithm() == algorithm) {
                return f;
            }
        }
        throw new IllegalArgumentException("unsupported algorithm " + algorithm);
    }

    private static byte[] utf8(char[] password) {
        ByteBuffer buffer = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        if (buffer.hasArray()) {
            Arrays.fill(buffer.array(), (byte) 0);
        }
        return bytes;
    }
}
