package io.rampart.security.x509;

import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class X509AuthenticatorTest {

    private static Decision<Identity> decide(X509Settings settings, Map<String, String> vars) {
        IdentityVariables v = new IdentityVariables();
        vars.forEach(v::set);
        return new X509Authenticator(settings).authenticate(new AuthenticationRequest(v.freeze(), null))
                .toCompletableFuture().join();
    }

    private static X509Settings settings(String field, X509Settings.MustMatch mustMatch) {
        return new X509Settings("certs", field, mustMatch, "local", Map.of("sensors", Set.of("sensor")), List.of());
    }

    private static final Map<String, String> DEVICE = Map.of(
            "tls-fingerprint-sha256", "ab12", "tls-subject-cn", "dev-1", "tls-subject-ou", "sensors,berlin",
            "tls-san-uri", "urn:dev:1,urn:alt", "tls-not-after", "2030-01-02T03:04:05Z",
            IdentityVariables.CLIENT_ID, "dev-1", IdentityVariables.USERNAME, "someone");

    @Test
    void noCertificate_hasNoOpinion() {
        assertThat(decide(settings("tls-subject-cn", X509Settings.MustMatch.NONE), Map.of(IdentityVariables.CLIENT_ID, "x")))
                .isInstanceOf(Decision.NoOpinion.class);
    }

    @Test
    void certificate_isTheIdentityOfTheField_withOuRolesAndExpiry() {
        Decision<Identity> d = decide(settings("tls-subject-cn", X509Settings.MustMatch.CLIENT_ID), DEVICE);
        Identity id = ((Decision.Allow<Identity>) d).value();
        assertThat(id.name()).isEqualTo("dev-1");
        assertThat(id.roles()).containsExactly("sensor");
        assertThat(id.expiresAt()).isEqualTo(Instant.parse("2030-01-02T03:04:05Z"));
        assertThat(id.manager()).isEqualTo("certs");
        assertThat(id.realm()).isEqualTo("local");
    }

    @Test
    void multiValuedSan_usesTheFirstValue() {
        Decision<Identity> d = decide(settings("tls-san-uri", X509Settings.MustMatch.NONE), DEVICE);
        assertThat(((Decision.Allow<Identity>) d).value().name()).isEqualTo("urn:dev:1");
    }

    @Test
    void mustMatch_refusesADifferentUsername_andAMissingFieldIsBadCredentials() {
        assertThat(decide(settings("tls-subject-cn", X509Settings.MustMatch.USERNAME), DEVICE))
                .isInstanceOfSatisfying(Decision.Deny.class,
                        deny -> assertThat(deny.kind()).isEqualTo(Decision.DenyKind.NOT_AUTHORIZED));
        assertThat(decide(settings("tls-san-email", X509Settings.MustMatch.NONE), DEVICE))
                .isInstanceOfSatisfying(Decision.Deny.class,
                        deny -> assertThat(deny.kind()).isEqualTo(Decision.DenyKind.BAD_CREDENTIALS));
    }
}
