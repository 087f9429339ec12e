package io.rampart.security.hash;

/** One encoded-hash format: parses, checks and produces its own strings. Implementations are stateless. */
interface HashFormat {

    HashAlgorithm algorithm();

    /** Whether the string claims to be of this format (by prefix); says nothing about validity. */
    boolean claims(String encoded);

    /** Throws {@link InvalidHashException} when the string is malformed or its parameters are out of bounds. */
    void check(String encoded);

    /** Verifies UTF-8 password bytes against a string of this format; throws when {@link #check} would. */
    boolean verify(byte[] password, String encoded);

    /** Hashes UTF-8 password bytes with this format's current defaults and a fresh random salt. */
    String hash(byte[] password);
}
