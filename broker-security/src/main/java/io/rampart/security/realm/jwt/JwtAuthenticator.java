package io.rampart.security.realm.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Authenticates a client by the JWT it presents (in the password, the user name or MQTT 5 enhanced
 * authentication, as configured). A client that presents no token in that place, or something that is not a
 * JWT, gets no opinion (so a password manager can follow in the chain); a token that fails verification is
 * denied as bad credentials; a valid token whose client-id claim names another client is denied as not
 * authorized; unreachable keys are "unavailable".
 *
 * <p>The identity: its name from the identity claim, roles from the roles claim, permissions granted by its
 * scopes ({@code scope-permissions}), every top-level scalar claim as the identity variable
 * {@code jwt-<claim>}, and {@code expiresAt} = {@code exp} + clock skew + expiry grace.
 */
final class JwtAuthenticator implements AuthenticationManager {

    static final String ATTRIBUTE_PREFIX = "jwt-";
    private static final int MAX_ATTRIBUTES = 64;
    private static final int MAX_ATTRIBUTE_LENGTH = 256;

    private final String name;
    private final JwtRealmSettings settings;
    private final TokenVerifier verifier;

    JwtAuthenticator(String name, JwtRealmSettings settings, TokenVerifier verifier) {
        this.name = name;
        this.settings = settings;
        this.verifier = verifier;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String realm() {
        return settings.name();
    }

    @Override
    public Set<String> authenticationMethods() {
        return settings.tokenSource() == JwtRealmSettings.TokenSource.AUTH_METHOD ? Set.of(settings.authMethod()) : Set.of();
    }

    @Override
    public CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request) {
        String token = token(request);
        if (token == null) {
            return CompletableFuture.completedFuture(Decision.noOpinion("no token in the "
                    + switch (settings.tokenSource()) {
                        case PASSWORD -> "password";
                        case USERNAME -> "user name";
                        case AUTH_METHOD -> "authentication data of method '" + settings.authMethod() + "'";
                        case VARIABLE -> "identity variable '" + settings.tokenVariable() + "'";
                    }));
        }
        boolean jwtShaped = looksLikeJwt(token);
        if (!jwtShaped && !verifier.introspects()) {
            return CompletableFuture.completedFuture(Decision.noOpinion("not a JWT"));
        }
        return verifier.verify(token, jwtShaped).thenApply(outcome -> decide(outcome, request));
    }

    private String token(AuthenticationRequest request) {
        byte[] raw = switch (settings.tokenSource()) {
            case PASSWORD -> request.password();
            case USERNAME -> request.username() == null ? null : request.username().getBytes(StandardCharsets.UTF_8);
            case AUTH_METHOD -> settings.authMethod().equals(request.authMethod()) ? request.authData() : null;
            case VARIABLE -> {
                String value = request.variables().get(settings.tokenVariable());
                yield value == null ? null : value.getBytes(StandardCharsets.UTF_8);
            }
        };
        if (raw == null || raw.length == 0 || raw.length > 16_384) {
            return null;
        }
        String token = new String(raw, StandardCharsets.UTF_8).trim();
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return null; // tokens are printable ASCII without blanks (RFC 6750 b64token)
            }
        }
        return token.isEmpty() ? null : token;
    }

    /** Three base64url parts (a JWS in compact form) or five (a JWE, refused later with a clear reason). */
    private static boolean looksLikeJwt(String token) {
        int dots = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '_' && c != '=') {
                return false;
            }
        }
        return dots == 2 || dots == 4;
    }

    private Decision<Identity> decide(TokenVerifier.Outcome outcome, AuthenticationRequest request) {
        if (outcome instanceof TokenVerifier.Unavailable u) {
            return Decision.deny(Decision.DenyKind.UNAVAILABLE, "token keys unavailable: " + u.reason());
        }
        if (outcome instanceof TokenVerifier.Invalid invalid) {
            return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "invalid token: " + invalid.reason());
        }
        JWTClaimsSet claims = ((TokenVerifier.Valid) outcome).claims();
        String identity = Claims.scalar(Claims.at(claims, settings.identityClaim()));
        if (identity == null || identity.isBlank()) {
            return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS,
                    "token has no identity claim '" + settings.identityClaim() + "'");
        }
        if (settings.clientIdClaim() != null) {
            String bound = Claims.scalar(Claims.at(claims, settings.clientIdClaim()));
            if (bound == null || !bound.equals(request.clientId())) {
                return Decision.deny(Decision.DenyKind.NOT_AUTHORIZED, "token of '"
                        + TokenVerifier.printable(identity) + "' is for client '"
                        + (bound == null ? "-" : TokenVerifier.printable(bound)) + "', not this client (claim '"
                        + settings.clientIdClaim() + "')");
            }
        }
        Set<String> roles = settings.rolesClaim() == null ? Set.of()
                : new LinkedHashSet<>(Claims.strings(Claims.at(claims, settings.rolesClaim())));
        List<Permission> grants = List.of();
        if (!settings.scopePermissions().isEmpty()) {
            List<String> scopes = new ArrayList<>(Claims.strings(claims.getClaim("scope")));
            scopes.addAll(Claims.strings(claims.getClaim("scp")));
            grants = settings.permissionsOfScopes(scopes);
        }
        Instant expiresAt = claims.getExpirationTime().toInstant().plus(settings.clockSkew()).plus(settings.expiryGrace());
        return Decision.allow(new Identity(identity, roles, grants, attributes(claims), name, settings.name(), expiresAt));
    }

    private static Map<String, String> attributes(JWTClaimsSet claims) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : claims.getClaims().entrySet()) {
            if (out.size() >= MAX_ATTRIBUTES) {
                break;
            }
            String value = Claims.scalar(e.getValue());
            if (value != null && value.length() <= MAX_ATTRIBUTE_LENGTH && e.getKey().matches("[A-Za-z0-9_.-]{1,64}")) {
                out.put(ATTRIBUTE_PREFIX + e.getKey(), value);
            }
        }
        return out;
    }
}
