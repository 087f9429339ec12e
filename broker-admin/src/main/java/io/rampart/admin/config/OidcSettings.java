package io.rampart.admin.config;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * {@code admin.oidc}: single sign-on to the Control Center through an OpenID Connect provider (authorization code
 * flow with PKCE, {@code state} and {@code nonce}). The provider's endpoints come from its discovery document
 * ({@code <issuer>/.well-known/openid-configuration}); the roles in {@code roles-claim} of the ID token map to admin
 * grants through {@code admin.roles}, like realm roles.
 *
 * @param issuer        the provider's issuer URL, exactly as its tokens carry it ({@code https}, or {@code http} on
 *                      a loopback host)
 * @param clientId      the client registered at the provider
 * @param clientSecret  its secret ({@code client_secret_basic}), or {@code null} for a public client (PKCE only)
 * @param scopes        requested scopes; must include {@code openid}
 * @param rolesClaim    a dotted path to the roles in the ID token, e.g. {@code realm_access.roles}, {@code groups}
 * @param usernameClaim the claim shown as the operator's name (falls back to {@code sub})
 * @param redirectUri   the callback the provider redirects to, or {@code null}: the listener's own
 *                      {@code /api/v1/oidc/callback} as the browser addressed it
 * @throws IllegalArgumentException "key: reason" for an impossible value
 */
public record OidcSettings(URI issuer, String clientId, String clientSecret, List<String> scopes, String rolesClaim,
                           String usernameClaim, URI redirectUri) {

    public static final List<String> DEFAULT_SCOPES = List.of("openid", "profile", "email");

    public OidcSettings {
        Objects.requireNonNull(issuer, "issuer");
        if (!isAllowedUrl(issuer)) {
            throw new IllegalArgumentException("issuer: must be an https URL (http only on a loopback host) (was \""
                    + issuer + "\")");
        }
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException("client-id: is required");
        }
        scopes = List.copyOf(scopes == null || scopes.isEmpty() ? DEFAULT_SCOPES : scopes);
        if (!scopes.contains("openid")) {
            throw new IllegalArgumentException("scopes: must include openid");
        }
        if (rolesClaim == null || rolesClaim.isBlank()) {
            throw new IllegalArgumentException("roles-claim: must name a claim, e.g. roles or realm_access.roles");
        }
        if (usernameClaim == null || usernameClaim.isBlank()) {
            throw new IllegalArgumentException("username-claim: must name a claim, e.g. preferred_username");
        }
        if (redirectUri != null && !isAllowedUrl(redirectUri)) {
            throw new IllegalArgumentException("redirect-uri: must be an https URL (http only on a loopback host)"
                    + " (was \"" + redirectUri + "\")");
        }
    }

    private static boolean isAllowedUrl(URI uri) {
        if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return false;
        }
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            return true;
        }
        String host = uri.getHost();
        return "http".equalsIgnoreCase(uri.getScheme()) && (host.equals("localhost") || host.equals("[::1]")
                || host.equals("::1") || host.startsWith("127."));
    }

    @Override
    public String toString() {
        return "OidcSettings[issuer=" + issuer + ", clientId=" + clientId + ", scopes=" + scopes + ", rolesClaim="
                + rolesClaim + "]";
    }
}
