package io.rampart.server.cli;

import io.rampart.security.hash.HashAlgorithm;
import io.rampart.security.hash.PasswordHasher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class HashCommandTest {

    private final PasswordHasher hasher = new PasswordHasher();

    @ParameterizedTest
    @CsvSource({"pbkdf2,$pbkdf2-sha512$i=210000$", "bcrypt,$2b$12$", "argon2id,$argon2id$v=19$m=65536,t=3,p=1$"})
    void hash_passwordOnStdin_printsVerifiableHash(String algorithm, String prefix) {
        CliRun r = CliRun.run(new HashCommand(), "s3cret ü\n", "--algorithm", algorithm);

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        String encoded = r.out().strip();
        assertThat(encoded).startsWith(prefix);
        assertThat(hasher.verify("s3cret ü".toCharArray(), encoded)).isTrue();
    }

    @Test
    void hash_defaultAlgorithm_isPbkdf2_andCrlfIsStripped() {
        CliRun r = CliRun.run(new HashCommand(), "pw\r\n");

        assertThat(r.exitCode()).isZero();
        assertThat(PasswordHasher.algorithmOf(r.out().strip())).contains(HashAlgorithm.PBKDF2_SHA512);
        assertThat(hasher.verify("pw".toCharArray(), r.out().strip())).isTrue();
    }

    @Test
    void hash_emptyPassword_refusedWithExitCode1() {
        CliRun r = CliRun.run(new HashCommand(), "\n");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("rampart hash: empty password refused" + System.lineSeparator());
    }

    @Test
    void hash_noInput_refused() {
        CliRun r = CliRun.run(new HashCommand(), "");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("rampart hash: no password on standard input");
    }

    @Test
    void hash_unknownOrPlainAlgorithm_refused() {
        assertThat(CliRun.run(new HashCommand(), "pw\n", "--algorithm", "md5").err())
                .isEqualTo("rampart hash: unknown hash algorithm 'md5' (expected pbkdf2, bcrypt or argon2id)"
                        + System.lineSeparator());
        assertThat(CliRun.run(new HashCommand(), "pw\n", "--algorithm", "plain").exitCode()).isEqualTo(1);
        assertThat(CliRun.run(new HashCommand(), "pw\n", "--no-such-option").exitCode()).isEqualTo(1);
    }
}
