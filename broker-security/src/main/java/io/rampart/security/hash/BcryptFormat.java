package io.rampart.security.hash;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Standard modular-crypt bcrypt ({@code $2a$}, {@code $2b$}, {@code $2y$}) via Bouncy Castle's {@code OpenBSDBCrypt}.
 * As in every bcrypt implementation, only the first 72 bytes of the password count.
 */
final class BcryptFormat implements HashFormat {

    static final int DEFAULT_COST = 12;
    /** 2^18 rounds already take tens of seconds; anything above is refused rather than hanging a verifier. */
    static final int MAX_COST = 18;
    private static final int MIN_COST = 4;
    private static final String ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final int ENCODED_LENGTH = 60;

    private final int cost;
    private final SecureRandom random;

    BcryptFormat(int cost, SecureRandom random) {
        if (cost < MIN_COST || cost > MAX_COST) {
            throw new IllegalArgumentException("bcrypt cost must be between " + MIN_COST + " and " + MAX_COST);
        }
        this.cost = cost;
        this.random = random;
    }

    private record Parsed(String version, int cost, byte[] salt, String hash) {
    }

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.BCRYPT;
    }

    @Override
    public boolean claims(String encoded) {
        return encoded.startsWith("$2a$") || encoded.startsWith("$2b$") || encoded.startsWith("$2y$");
    }

    @Override
    public void check(String encoded) {
        parse(encoded);
    }

    private static Parsed parse(String encoded) {
        // $2b$12$<22 chars salt><31 chars hash>
        if (encoded.length() != ENCODED_LENGTH || encoded.charAt(6) != '$') {
            throw new InvalidHashException("malformed bcrypt hash: expected $2b$<cost>$<53 characters>");
        }
        String version = encoded.substring(1, 3);
        int cost = Phc.parseInt(encoded.substring(4, 6), "bcrypt cost", MIN_COST, MAX_COST);
        for (int i = 7; i < ENCODED_LENGTH; i++) {
            if (ALPHABET.indexOf(encoded.charAt(i)) < 0) {
                throw new InvalidHashException("malformed bcrypt hash: invalid character");
            }
        }
        byte[] salt = decodeSalt(encoded.substring(7, 29));
        return new Parsed(version, cost, salt, encoded.substring(29));
    }

    @Override
    public boolean verify(byte[] password, String encoded) {
        Parsed p = parse(encoded);
        String computed = OpenBSDBCrypt.generate(p.version, password, p.salt, p.cost);
        byte[] expected = p.hash.getBytes(StandardCharsets.US_ASCII);
        byte[] actual = computed.substring(29).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(actual, expected);
    }

    @Override
    public String hash(byte[] password) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return OpenBSDBCrypt.generate("2b", password, salt, cost);
    }

    /** bcrypt's own Base64 (alphabet {@code ./A-Za-z0-9}, no padding): 22 characters carry the 16 salt bytes. */
    private static byte[] decodeSalt(String text) {
        byte[] out = new byte[16];
        int bits = 0;
        int acc = 0;
        int n = 0;
        for (int i = 0; i < text.length() && n < out.length; i++) {
            acc = (acc << 6) | ALPHABET.indexOf(text.charAt(i));
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (acc >> bits);
                acc &= (1 << bits) - 1;
            }
        }
        return out;
    }
}
