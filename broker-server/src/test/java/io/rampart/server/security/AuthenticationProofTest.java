package io.rampart.server.security;

import io.rampart.core.session.SessionOwner;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.server.gate.ConnectRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;

class AuthenticationProofTest {

    /** Vouches by a client certificate: never looks at the password. */
    private static final AuthenticationManager CERTIFICATES = new AuthenticationManager() {
        @Override
        public String name() {
            return "x509";
        }

        @Override
        public boolean checksPassword() {
            return false;
        }

        @Override
        public CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request) {
            throw new UnsupportedOperationException();
        }
    };
    private static final AuthenticationManager PASSWORDS = AuthenticationManager.of("password-local", "local", r -> {
        throw new UnsupportedOperationException();
    });

    private final AuthenticationProof proof = new AuthenticationProof(List.of(CERTIFICATES, PASSWORDS,
            new AnonymousAuthenticator("guests", List.of())));

    private static Identity identity(String name, String manager, String realm) {
        return new Identity(name, Set.of(), List.of(), Map.of(), manager, realm);
    }

    private static ConnectRequest request(String user, String password) {
        return new ConnectRequest("tcp", "c", user, password == null ? null : password.getBytes(StandardCharsets.UTF_8),
                null, 5);
    }

    @Test
    void owner_isTheNameWithTheRealm_orTheManagerOfARealmlessIdentity_andNobodyForAnonymous() {
        assertThat(proof.owner(identity("alice", "password-local", "local"))).isEqualTo(new SessionOwner("realm local", "alice"));
        assertThat(proof.owner(identity("alice", "x509", null))).isEqualTo(new SessionOwner("manager x509", "alice"));
        assertThat(proof.owner(identity("alice", "x509", "local"))).as("a certificate mapped into the realm")
                .isEqualTo(new SessionOwner("realm local", "alice"));
        assertThat(proof.owner(identity("anonymous", "guests", null))).isNull();
    }

    @Test
    void passwordUnchecked_onlyWhenAPasswordWasSentToAManagerThatVouchesOtherwise() {
        assertThat(proof.passwordUnchecked(identity("dev-2", "x509", null), request("alice", "pw"))).isTrue();
        assertThat(proof.passwordUnchecked(identity("dev-2", "x509", null), request(null, null))).isFalse();
        assertThat(proof.passwordUnchecked(identity("alice", "password-local", "local"), request("alice", "pw"))).isFalse();
    }

    @Test
    void provesUsername_onlyForTheCheckedPasswordOfThatVeryName() {
        assertThat(proof.provesUsername(identity("alice", "password-local", "local"), request("alice", "pw"))).isTrue();
        assertThat(proof.provesUsername(identity("dev-2", "x509", null), request("carol", "pw")))
                .as("a certificate does not prove carol's password").isFalse();
        assertThat(proof.provesUsername(identity("carol", "x509", null), request("carol", "pw"))).isFalse();
        assertThat(proof.provesUsername(identity("mallory", "password-local", "local"), request("carol", "pw")))
                .as("a token of another subject").isFalse();
        assertThat(proof.provesUsername(identity("anonymous", "guests", null), request(null, null))).isFalse();
    }
}
