package io.rampart.security.hash;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/** {@code $pbkdf2-sha512$i=<iterations>$<salt b64>$<hash b64>} using the JDK's PBKDF2WithHmacSHA512. */
final class Pbkdf2Format implements HashFormat {

    static final String PREFIX = "$pbkdf2-sha512$";
    static final int DEFAULT_ITERATIONS = 210_000;
    static final int MAX_ITERATIONS = 10_000_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 64;

    private final int iterations;
    private final SecureRandom random;

    Pbkdf2Format(int iterations, SecureRandom random) {
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be between 1 and " + MAX_ITERATIONS);
        }
        this.iterations = iterations;
        this.random = random;
    }

    private record Parsed(int iterations, byte[] salt, byte[] hash) {
    }

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.PBKDF2_SHA512;
    }

    @Override
    public boolean claims(String encoded) {
        return encoded.startsWith(PREFIX);
    }

    @Override
    public void check(String encoded) {
        parse(encoded);
    }

    private static Parsed parse(String encoded) {
        String[] parts = encoded.split("\\$", -1);
        // "", "pbkdf2-sha512", "i=N", salt, hash
        if (parts.length != 5 || !parts[2].startsWith("i=")) {
            throw new InvalidHashException("malformed pbkdf2-sha512 hash: expected $pbkdf2-sha512$i=<iterations>$<salt>$<hash>");
        }
        int iterations = Phc.parseInt(parts[2].substring(2), "iterations", 1, MAX_ITERATIONS);
        byte[] salt = Phc.decode(parts[3], "salt", 8, 256);
        byte[] hash = Phc.decode(parts[4], "hash", 16, 128);
        return new Parsed(iterations, salt, hash);
    }

    @Override
    public boolean verify(byte[] password, String encoded) {
        Parsed p = parse(encoded);
        char[] chars = strictUtf8(password);
        if (chars == null) {
            return false;
        }
        byte[] actual = derive(chars, p.salt, p.iterations, p.hash.length);
        Arrays.fill(chars, '\0');
        return MessageDigest.isEqual(actual, p.hash);
    }

    @Override
    public String hash(byte[] password) {
        char[] chars = strictUtf8(password);
        if (chars == null) {
            throw new IllegalArgumentException("password is not valid UTF-8");
        }
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = derive(chars, salt, iterations, HASH_BYTES);
        Arrays.fill(chars, '\0');
        return PREFIX + "i=" + iterations + "$" + Phc.encode(salt) + "$" + Phc.encode(hash);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations, int length) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, length * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is not available in this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }

    /**
     * The JDK's PBKDF2 takes chars and encodes them as UTF-8, so bytes must round-trip exactly: malformed
     * input is refused instead of being replaced (which would let different byte strings collide).
     */
    private static char[] strictUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer buffer = decoder.decode(ByteBuffer.wrap(bytes));
            char[] chars = new char[buffer.remaining()];
            buffer.get(chars);
            if (buffer.hasArray()) {
                Arrays.fill(buffer.array(), '\0');
            }
            return chars;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
