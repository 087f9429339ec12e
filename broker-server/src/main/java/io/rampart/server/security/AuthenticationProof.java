package io.rampart.server.security;

import io.rampart.core.session.SessionOwner;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.Identity;
import io.rampart.server.gate.ConnectRequest;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an identity accepted by one of a pipeline's authentication managers proves about the CONNECT: whose
 * session it may bind ({@link #owner}), whether a password the client sent was looked at, and whether the success
 * is the presented user name's own (only then does it clear that name's brute-force counters).
 */
final class AuthenticationProof {

    private final Set<String> anonymous = new HashSet<>();
    private final Set<String> passwordBlind = new HashSet<>();

    AuthenticationProof(List<AuthenticationManager> managers) {
        for (AuthenticationManager m : managers) {
            if (m instanceof AnonymousAuthenticator) {
                anonymous.add(m.name());
            }
            if (!m.checksPassword()) {
                passwordBlind.add(m.name());
            }
        }
    }

    /**
     * The session owner for {@code identity}: its name and the realm that vouched for it, or for identities of no
     * realm the authentication manager; {@code null} for an anonymous client, whose sessions belong to nobody.
     */
    SessionOwner owner(Identity identity) {
        if (anonymous.contains(identity.manager())) {
            return null;
        }
        return new SessionOwner(identity.realm() != null ? "realm " + identity.realm() : "manager " + identity.manager(),
                identity.name());
    }

    /** The client sent a password but the manager that accepted it vouches by other means (a certificate). */
    boolean passwordUnchecked(Identity identity, ConnectRequest request) {
        return request.password() != null && passwordBlind.contains(identity.manager());
    }

    /** The manager checked the password of exactly the presented user name. */
    boolean provesUsername(Identity identity, ConnectRequest request) {
        return request.username() != null && request.username().equals(identity.name())
                && !passwordBlind.contains(identity.manager()) && !anonymous.contains(identity.manager());
    }
}
