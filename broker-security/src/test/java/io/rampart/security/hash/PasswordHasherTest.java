package io.rampart.security.hash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordHasherTest {

    /** Cheap parameters for round trips; the known vectors below use the real defaults where it matters. */
    private final PasswordHasher cheap = new PasswordHasher(HashAlgorithm.PBKDF2_SHA512, false, 1000, 4, 256, 1);
    private final PasswordHasher strict = new PasswordHasher();

    // Vectors produced independently on this machine: Python hashlib.pbkdf2_hmac, glibc/libxcrypt crypt() for
    // bcrypt, and the Argon2 reference library (libargon2 argon2id_hash_encoded).
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "correct horse|$pbkdf2-sha512$i=210000$AAECAwQFBgcICQoLDA0ODw$l4pqr0UVqxiWEnbGDBV//hzeVcB7ZgsFnr5Z+SZYIYjhXWCECCVC/oKM2WWMwBzQGCBfe2yb+20zK3Rr1rkPjg",
            "pässwörd|$pbkdf2-sha512$i=1000$AAECAwQFBgcICQoLDA0ODw$tesGdwmZwygAGYLzLiZnuLe7u7U7QwD64kd8Dxsmq1czniS4pZHyb0gH6ZCWHMgN1oFJ7mpRl1LVshQSj7oYVw",
            "correct horse|$2b$10$abcdefghijklmnopqrstuu23JPZtHcGhwXSF41f93o/7vBdDut3Xu",
            "pässwörd|$2y$05$abcdefghijklmnopqrstuuZVEMa1pjhlynBQ1qXmSvGBJpN9h1w8G",
            "abc|$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i",
            "correct horse|$argon2id$v=19$m=65536,t=3,p=1$MDEyMzQ1Njc4OWFiY2RlZg$klmcZ/I/HZ3Om28M+1qbGM4RAzbeAHmZR0ckZe3Z5Jo",
            "password|$argon2id$v=19$m=1024,t=2,p=2$c29tZXNhbHQ$kEfNQbPvk6Q7hokW6Jrvn1Mjb9kdT/I7OXVDKsviazk",
            "pässwörd|$argon2id$v=19$m=256,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$8gj1Oxw0MsFbcvShhRQ1qfroDoStErwVW14/uhU+ccY",
    })
    void verify_knownVectors_matchOnlyTheRightPassword(String password, String encoded) {
        assertThat(strict.verify(password.toCharArray(), encoded)).isTrue();
        assertThat(strict.verify(password.getBytes(StandardCharsets.UTF_8), encoded)).isTrue();
        assertThat(strict.verify((password + "x").toCharArray(), encoded)).isFalse();
        assertThat(strict.verify(new byte[0], encoded)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = HashAlgorithm.class, names = {"PBKDF2_SHA512", "BCRYPT", "ARGON2ID"})
    void hash_thenVerify_roundTrips(HashAlgorithm algorithm) {
        String encoded = cheap.hash("s3cret-ü".toCharArray(), algorithm);
        assertThat(PasswordHasher.algorithmOf(encoded)).contains(algorithm);
        assertThat(cheap.check(encoded)).isEqualTo(algorithm);
        assertThat(cheap.verify("s3cret-ü".toCharArray(), encoded)).isTrue();
        assertThat(cheap.verify("s3cret-u".toCharArray(), encoded)).isFalse();
        assertThat(cheap.hash("s3cret-ü".toCharArray(), algorithm)).as("fresh salt each time").isNotEqualTo(encoded);
    }

    @Test
    void hash_defaults_useDocumentedFormats() {
        String encoded = strict.hash("pw".toCharArray());
        assertThat(encoded).startsWith("$pbkdf2-sha512$i=210000$");
        String[] parts = encoded.split("\\$");
        assertThat(java.util.Base64.getDecoder().decode(parts[3])).hasSize(16);
        assertThat(java.util.Base64.getDecoder().decode(parts[4])).hasSize(64);
        assertThat(strict.verify("pw".toCharArray(), encoded)).isTrue();
    }

    @Test
    void verify_tamperedHash_isFalse() {
        String encoded = "$pbkdf2-sha512$i=1000$AAECAwQFBgcICQoLDA0ODw$tesGdwmZwygAGYLzLiZnuLe7u7U7QwD64kd8Dxsmq1czniS4pZHyb0gH6ZCWHMgN1oFJ7mpRl1LVshQSj7oYVw";
        String tamperedHash = encoded.replace("$tesG", "$tesH");
        String tamperedSalt = encoded.replace("$AAEC", "$AAED");
        String tamperedIterations = encoded.replace("i=1000", "i=1001");
        char[] pw = "pässwörd".toCharArray();
        assertThat(strict.verify(pw, tamperedHash)).isFalse();
        assertThat(strict.verify(pw, tamperedSalt)).isFalse();
        assertThat(strict.verify(pw, tamperedIterations)).isFalse();
        String bcrypt = "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0j";
        assertThat(strict.verify("abc".toCharArray(), bcrypt)).isFalse();
        String argon = "$argon2id$v=19$m=256,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$8gj2Oxw0MsFbcvShhRQ1qfroDoStErwVW14/uhU+ccY";
        assertThat(strict.verify("pässwörd".toCharArray(), argon)).isFalse();
        String nonCanonical = "$argon2id$v=19$m=256,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$8gj1Oxw0MsFbcvShhRQ1qfroDoStErwVW14/uhU+ccZ";
        assertThatThrownBy(() -> strict.verify("pässwörd".toCharArray(), nonCanonical))
                .isInstanceOf(InvalidHashException.class).hasMessageContaining("canonical");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "secret",
            "$1$abc$def",
            "$pbkdf2-sha256$i=1000$AAECAwQFBgcICQoLDA0ODw$AAECAwQFBgcICQoLDA0ODw",
            "$pbkdf2-sha512$1000$AAECAwQFBgcICQoLDA0ODw$AAECAwQFBgcICQoLDA0ODw",
            "$pbkdf2-sha512$i=abc$AAECAwQFBgcICQoLDA0ODw$AAECAwQFBgcICQoLDA0ODw",
            "$pbkdf2-sha512$i=1000$!!!$AAECAwQFBgcICQoLDA0ODw",
            "$2b$10$short",
            "$2x$10$abcdefghijklmnopqrstuu23JPZtHcGhwXSF41f93o/7vBdDut3Xu",
            "$argon2id$v=16$m=256,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$8gj1Oxw0MsFbcvShhRQ1qfroDoStErwVW14/uhU+ccY",
            "$argon2id$v=19$m=256,t=1$c2FsdHNhbHRzYWx0c2FsdA$8gj1Oxw0MsFbcvShhRQ1qfroDoStErwVW14/uhU+ccY",
            "",
    })
    void verify_unknownOrMalformedFormat_throws(String encoded) {
        assertThatThrownBy(() -> strict.verify("pw".toCharArray(), encoded)).isInstanceOf(InvalidHashException.class);
        assertThatThrownBy(() -> strict.check(encoded)).isInstanceOf(InvalidHashException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "$pbkdf2-sha512$i=10000001$AAECAwQFBgcICQoLDA0ODw$tesGdwmZwygAGYLzLiZnuLe7u7U7QwD64kd8Dxsmq1czniS4pZHyb0gH6ZCWHMgN1oFJ7mpRl1LVshQSj7oYVw",
            "$pbkdf2-sha512$i=99999999999$AAECAwQFBgcICQoLDA0ODw$tesGdwmZwygAGYLzLiZnuLe7u7U7QwD64kd8Dxsmq1czniS4pZHyb0gH6ZCWHMgN1oFJ7mpRl1LVshQSj7oYVw",
            "$2b$31$abcdefghijklmnopqrstuu23JPZtHcGhwXSF41f93o/7vBdDut3Xu",
            "$argon2id$v=19$m=2097152,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$8gj1Oxw0MsFbcvShhRQ1qfroDoStErwVW14/uhU+ccY",
            "$argon2id$v=19$m=1048576,t=100,p=1$c2FsdHNhbHRzYWx0c2FsdA$8gj1Oxw0MsFbcvShhRQ1qfroDoStErwVW14/uhU+ccY",
            "$argon2id$v=19$m=256,t=1,p=255$c2FsdHNhbHRzYWx0c2FsdA$8gj1Oxw0MsFbcvShhRQ1qfroDoStErwVW14/uhU+ccY",
    })
    void verify_absurdParameters_refusedWithoutHashing(String encoded) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> strict.verify("pw".toCharArray(), encoded))
                .isInstanceOf(InvalidHashException.class)
                .hasMessageNotContaining(encoded);
        assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
    }

    @Test
    void plaintext_refusedUnlessAllowed() {
        assertThatThrownBy(() -> strict.verify("secret".toCharArray(), "{plain}secret"))
                .isInstanceOf(InvalidHashException.class)
                .hasMessageContaining("plaintext");
        assertThat(PasswordHasher.algorithmOf("{plain}secret")).contains(HashAlgorithm.PLAIN);

        PasswordHasher lenient = new PasswordHasher(HashAlgorithm.PBKDF2_SHA512, true);
        assertThat(lenient.verify("secret".toCharArray(), "{plain}secret")).isTrue();
        assertThat(lenient.verify("Secret".toCharArray(), "{plain}secret")).isFalse();
        assertThat(lenient.check("{plain}secret")).isEqualTo(HashAlgorithm.PLAIN);
        assertThatThrownBy(() -> lenient.hash("x".toCharArray(), HashAlgorithm.PLAIN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void verify_malformedUtf8Bytes_neverMatchPbkdf2() {
        String encoded = cheap.hash("\uFFFD".toCharArray(), HashAlgorithm.PBKDF2_SHA512);
        assertThat(cheap.verify(new byte[] {(byte) 0xFF}, encoded)).isFalse();
        assertThat(cheap.verify("\uFFFD".getBytes(StandardCharsets.UTF_8), encoded)).isTrue();
    }

    @Test
    void algorithm_cliNames() {
        assertThat(HashAlgorithm.fromCliName("Argon2id")).isEqualTo(HashAlgorithm.ARGON2ID);
        assertThat(HashAlgorithm.fromCliName("pbkdf2")).isEqualTo(HashAlgorithm.PBKDF2_SHA512);
        assertThatThrownBy(() -> HashAlgorithm.fromCliName("md5")).hasMessageContaining("md5");
    }
}
