package io.rampart.security.x509;

import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Authenticates clients by the certificate they presented in the TLS handshake (already validated and
 * checked for revocation there). The identity is the configured certificate field; roles come from the
 * OU mapping, grants from the settings, and the session ends when the certificate expires. A client without
 * a certificate gets no opinion, so later managers (passwords, tokens) can decide.
 */
public final class X509Authenticator implements AuthenticationManager {

    /** Set by the TLS layer for clients that presented a certificate. */
    static final String FINGERPRINT = "tls-fingerprint-sha256";
    static final String SUBJECT_OU = "tls-subject-ou";
    static final String NOT_AFTER = "tls-not-after";

    private final X509Settings settings;

    public X509Authenticator(X509Settings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String realm() {
        return settings.realm();
    }

    /** The certificate vouches for the client; a password sent along is not looked at. */
    @Override
    public boolean checksPassword() {
        return false;
    }

    @Override
    public CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request) {
        return CompletableFuture.completedFuture(decide(request.variables()));
    }

    private Decision<Identity> decide(IdentityVariables vars) {
        if (!vars.has(FINGERPRINT)) {
            return Decision.noOpinion("no client certificate");
        }
        String value = vars.get(settings.identityField());
        if (value == null || value.isEmpty()) {
            return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "client certificate has no "
                    + settings.identityField());
        }
        String identity = value.contains(",") && settings.identityField().startsWith("tls-san-")
                ? value.substring(0, value.indexOf(',')) : value;
        switch (settings.mustMatch()) {
            case CLIENT_ID -> {
                if (!identity.equals(vars.get(IdentityVariables.CLIENT_ID))) {
                    return Decision.deny(Decision.DenyKind.NOT_AUTHORIZED, "client id does not match the certificate's "
                            + settings.identityField() + " '" + identity + "'");
                }
            }
            case USERNAME -> {
                if (!identity.equals(vars.get(IdentityVariables.USERNAME))) {
                    return Decision.deny(Decision.DenyKind.NOT_AUTHORIZED, "user name does not match the certificate's "
                            + settings.identityField() + " '" + identity + "'");
                }
            }
            case NONE -> {
            }
        }
        Set<String> roles = new TreeSet<>();
        String ous = vars.get(SUBJECT_OU);
        if (ous != null) {
            for (String ou : ous.split(",")) {
                roles.addAll(settings.ouRoles().getOrDefault(ou.strip(), Set.of()));
            }
        }
        Instant expires = null;
        try {
            expires = vars.get(NOT_AFTER) == null ? null : Instant.parse(vars.get(NOT_AFTER));
        } catch (DateTimeParseException e) {
            // no expiry then
        }
        return Decision.allow(new Identity(identity, roles, settings.grants(), Map.of(), settings.name(),
                settings.realm(), expires));
    }
}
