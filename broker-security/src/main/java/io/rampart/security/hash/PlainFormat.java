package io.rampart.security.hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** {@code {plain}secret}: for development only; {@link PasswordHasher} refuses it unless plaintext is allowed. */
final class PlainFormat implements HashFormat {

    static final String PREFIX = "{plain}";

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.PLAIN;
    }

    @Override
    public boolean claims(String encoded) {
        return encoded.startsWith(PREFIX);
    }

    @Override
    public void check(String encoded) {
        if (encoded.length() == PREFIX.length()) {
            throw new InvalidHashException("empty plaintext password");
        }
    }

    @Override
    public boolean verify(byte[] password, String encoded) {
        check(encoded);
        byte[] expected = encoded.substring(PREFIX.length()).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(password, expected);
    }

    @Override
    public String hash(byte[] password) {
        throw new UnsupportedOperationException("plaintext passwords are never produced");
    }
}
