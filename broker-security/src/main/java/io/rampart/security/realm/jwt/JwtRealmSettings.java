package io.rampart.security.realm.jwt;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.Permission;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of one JWT realm. Validated here so that a broken configuration refuses to start; messages start
 * with the configuration key they are about ("key: reason").
 *
 * @param name             realm name (access log, identities)
 * @param tokenSource      where the token travels in CONNECT (and AUTH)
 * @param authMethod       the MQTT 5 Authentication Method that carries the token when {@code tokenSource} is
 *                         {@link TokenSource#AUTH_METHOD}
 * @param tokenVariable    the identity variable holding the token when {@code tokenSource} is
 *                         {@link TokenSource#VARIABLE} (set by a preprocessor, e.g. from the user name)
 * @param algorithms       accepted JWS algorithm names (never {@code none})
 * @param jwks             a JWKS endpoint, or {@code null}
 * @param issuer           required {@code iss}, or {@code null} to accept any issuer
 * @param discovery        find the JWKS through {@code issuer}/.well-known/openid-configuration
 * @param keys             static public keys (PEM files: public keys or certificates)
 * @param secrets          HMAC secrets (UTF-8 bytes are the key); never logged
 * @param audience         accepted {@code aud} values (one must match), empty = no check
 * @param requiredClaims   claim path → accepted values (empty list = the claim must be present)
 * @param clockSkew        tolerance for {@code exp}, {@code nbf} and {@code iat}
 * @param maxLifetime      the longest {@code exp - iat} accepted, or {@code null} for no limit
 * @param identityClaim    claim path of the identity's name
 * @param clientIdClaim    claim path that must equal the MQTT client identifier, or {@code null}
 * @param rolesClaim       claim path holding role names (list or space-separated string), or {@code null}
 * @param scopePermissions scope value → permissions granted by it
 * @param expiryGrace      how long a session may outlive its token
 * @param introspection    an OAuth 2.0 token introspection endpoint (RFC 7662) for opaque tokens, or {@code null}
 * @param roleLimits       role (from {@code rolesClaim}) → the limits of clients with that role, handed out with the
 *                         permissions of {@code scopePermissions} (the strictest of the identity's roles applies)
 */
public record JwtRealmSettings(String name, TokenSource tokenSource, String authMethod, String tokenVariable,
                               Set<String> algorithms,
                               Jwks jwks, String issuer, boolean discovery, List<Path> keys, List<String> secrets,
                               List<String> audience, Map<String, List<String>> requiredClaims, Duration clockSkew,
                               Duration maxLifetime, String identityClaim, String clientIdClaim, String rolesClaim,
                               Map<String, List<Permission>> scopePermissions, Duration expiryGrace,
                               Introspection introspection, Map<String, IdentityLimits> roleLimits) {

    public static final String DEFAULT_AUTH_METHOD = "JWT";
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    /** Shortest HMAC secret accepted (HS256 needs 256 bits). */
    public static final int MIN_SECRET_BYTES = 32;

    /** Where the token is read from. */
    public enum TokenSource { PASSWORD, USERNAME, AUTH_METHOD, VARIABLE }

    /**
     * A JWKS endpoint (or, with {@code url == null}, only the HTTP settings for OIDC discovery).
     *
     * @param url                the JWKS URL (HTTPS), or {@code null} with discovery
     * @param trust              trusted CA certificates: a PEM file or a PKCS#12 trust store; {@code null} = JDK default
     * @param trustPassword      the PKCS#12 password, or {@code null}
     * @param refresh            how often the key set is fetched again
     * @param minRefetchInterval the shortest time between two fetches caused by unknown key ids (or failures)
     * @param timeout            connect and response timeout of one fetch
     */
    public record Jwks(URI url, Path trust, String trustPassword, Duration refresh, Duration minRefetchInterval,
                       Duration timeout) {

        public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(15);
        public static final Duration DEFAULT_MIN_REFETCH = Duration.ofSeconds(30);
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

        public Jwks {
            if (url != null && !"https".equalsIgnoreCase(url.getScheme())) {
                throw new IllegalArgumentException("jwks.url: must be an https:// URL");
            }
            positive(refresh, "jwks.refresh");
            Objects.requireNonNull(minRefetchInterval, "minRefetchInterval");
            if (minRefetchInterval.isNegative()) {
                throw new IllegalArgumentException("jwks.min-refetch-interval: must not be negative");
            }
            positive(timeout, "jwks.timeout");
        }

        @Override
        public String toString() {
            return "Jwks[url=" + url + ", trust=" + trust + ", refresh=" + refresh + ", minRefetchInterval="
                    + minRefetchInterval + ", timeout=" + timeout + "]";
        }
    }

    /**
     * OAuth 2.0 token introspection (RFC 7662) for tokens that are not JWTs (or for every token when the realm
     * has no keys of its own).
     *
     * @param url           the introspection endpoint (HTTPS)
     * @param clientId      the broker's client id at the authorization server (HTTP Basic authentication)
     * @param clientSecret  its secret; never logged
     * @param trust         trusted CA certificates (PEM or PKCS#12), or {@code null} for the JDK's
     * @param trustPassword the PKCS#12 password, or {@code null}
     * @param cacheTtl      how long an answer is reused (never beyond the token's {@code exp})
     * @param timeout       connect and response timeout
     */
    public record Introspection(URI url, String clientId, String clientSecret, Path trust, String trustPassword,
                                Duration cacheTtl, Duration timeout) {

        public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(60);

        public Introspection {
            Objects.requireNonNull(url, "introspection.url");
            if (!"https".equalsIgnoreCase(url.getScheme())) {
                throw new IllegalArgumentException("introspection.url: must be an https:// URL");
            }
            Objects.requireNonNull(clientId, "introspection.client-id");
            Objects.requireNonNull(clientSecret, "introspection.client-secret");
            Objects.requireNonNull(cacheTtl, "introspection.cache-ttl");
            if (cacheTtl.isNegative()) {
                throw new IllegalArgumentException("introspection.cache-ttl: must not be negative");
            }
            positive(timeout, "introspection.timeout");
        }

        @Override
        public String toString() {
            return "Introspection[url=" + url + ", clientId=" + clientId + ", clientSecret=(not shown), trust=" + trust
                    + ", cacheTtl=" + cacheTtl + ", timeout=" + timeout + "]";
        }
    }

    public JwtRealmSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tokenSource, "tokenSource");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: must not be blank");
        }
        authMethod = authMethod == null ? DEFAULT_AUTH_METHOD : authMethod;
        if (authMethod.isBlank()) {
            throw new IllegalArgumentException("auth-method: must not be blank");
        }
        if ((tokenSource == TokenSource.VARIABLE) != (tokenVariable != null)) {
            throw new IllegalArgumentException("token-variable: is required with token-source: variable, and only then");
        }
        keys = keys == null ? List.of() : List.copyOf(keys);
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        audience = audience == null ? List.of() : List.copyOf(audience);
        requiredClaims = requiredClaims == null ? Map.of() : copyOfLists(requiredClaims);
        scopePermissions = scopePermissions == null ? Map.of() : copyOfLists(scopePermissions);
        roleLimits = roleLimits == null ? Map.of() : Map.copyOf(roleLimits);
        if (!roleLimits.isEmpty() && rolesClaim == null) {
            throw new IllegalArgumentException("role-limits: needs roles-claim (the roles the limits are set for)");
        }
        clockSkew = clockSkew == null ? DEFAULT_CLOCK_SKEW : clockSkew;
        expiryGrace = expiryGrace == null ? Duration.ZERO : expiryGrace;
        identityClaim = identityClaim == null ? "sub" : identityClaim;
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("clock-skew: must be between 0 s and 10 min");
        }
        if (expiryGrace.isNegative()) {
            throw new IllegalArgumentException("expiry-grace: must not be negative");
        }
        if (maxLifetime != null) {
            positive(maxLifetime, "max-lifetime");
        }
        for (String secret : secrets) {
            if (secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("secrets: every HMAC secret must be at least " + MIN_SECRET_BYTES
                        + " bytes (256 bits); value not shown");
            }
        }
        if (discovery && issuer == null) {
            throw new IllegalArgumentException("discovery: needs 'issuer' (the discovery document is read from "
                    + "<issuer>/.well-known/openid-configuration)");
        }
        if (discovery && jwks != null && jwks.url() != null) {
            throw new IllegalArgumentException("discovery: set either jwks.url or discovery, not both");
        }
        if (discovery && !issuer.regionMatches(true, 0, "https://", 0, 8)) {
            throw new IllegalArgumentException("issuer: must be an https:// URL for discovery");
        }
        boolean remote = discovery || (jwks != null && jwks.url() != null);
        boolean local = remote || !keys.isEmpty() || !secrets.isEmpty();
        if (!local && introspection == null) {
            throw new IllegalArgumentException("jwks: a JWT realm needs keys: jwks.url, discovery (with issuer), "
                    + "keys (PEM files), secrets, or an introspection endpoint");
        }
        algorithms = Set.copyOf(algorithms == null || algorithms.isEmpty()
                ? Algorithms.defaults(remote || !keys.isEmpty(), !secrets.isEmpty()) : algorithms);
        for (String alg : algorithms) {
            Algorithms.requireSupported(alg);
        }
        if (local && secrets.isEmpty() && algorithms.stream().allMatch(Algorithms::isHmac)) {
            throw new IllegalArgumentException("algorithms: only HMAC algorithms are allowed but no secrets are set");
        }
        if (!secrets.isEmpty() && algorithms.stream().noneMatch(Algorithms::isHmac)) {
            throw new IllegalArgumentException("secrets: set, but algorithms allows no HMAC algorithm (HS256/384/512)");
        }
    }

    /** Settings without role limits. */
    public JwtRealmSettings(String name, TokenSource tokenSource, String authMethod, String tokenVariable,
                            Set<String> algorithms, Jwks jwks, String issuer, boolean discovery, List<Path> keys,
                            List<String> secrets, List<String> audience, Map<String, List<String>> requiredClaims,
                            Duration clockSkew, Duration maxLifetime, String identityClaim, String clientIdClaim,
                            String rolesClaim, Map<String, List<Permission>> scopePermissions, Duration expiryGrace,
                            Introspection introspection) {
        this(name, tokenSource, authMethod, tokenVariable, algorithms, jwks, issuer, discovery, keys, secrets, audience,
                requiredClaims, clockSkew, maxLifetime, identityClaim, clientIdClaim, rolesClaim, scopePermissions,
                expiryGrace, introspection, Map.of());
    }

    /** The strictest of the limits set for {@code roles} ({@link IdentityLimits#NONE} when none are). */
    public IdentityLimits limitsOf(Set<String> roles) {
        IdentityLimits limits = IdentityLimits.NONE;
        for (String role : roles) {
            IdentityLimits of = roleLimits.get(role);
            if (of != null) {
                limits = limits.strictest(of);
            }
        }
        return limits;
    }

    private static void positive(Duration d, String key) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + ": must be positive");
        }
    }

    private static <T> Map<String, List<T>> copyOfLists(Map<String, List<T>> map) {
        Map<String, List<T>> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return java.util.Collections.unmodifiableMap(copy);
    }

    /** The permissions {@code scope-permissions} maps the given token scopes to, in the order of the scopes. */
    public List<Permission> permissionsOfScopes(Collection<String> scopes) {
        List<Permission> grants = new ArrayList<>();
        for (String scope : new LinkedHashSet<>(scopes)) {
            grants.addAll(scopePermissions.getOrDefault(scope, List.of()));
        }
        return grants;
    }

    /** Whether tokens can be verified locally (keys, a JWKS or secrets), as opposed to only by introspection. */
    public boolean verifiesLocally() {
        return discovery || (jwks != null && jwks.url() != null) || !keys.isEmpty() || !secrets.isEmpty();
    }

    /** Secrets are never shown. */
    @Override
    public String toString() {
        return "JwtRealmSettings[name=" + name + ", tokenSource=" + tokenSource + ", authMethod=" + authMethod
                + ", tokenVariable=" + tokenVariable                + ", algorithms=" + algorithms + ", jwks=" + jwks + ", issuer=" + issuer + ", discovery=" + discovery
                + ", keys=" + keys + ", secrets=" + secrets.size() + " (not shown), audience=" + audience
                + ", clockSkew=" + clockSkew + ", maxLifetime=" + maxLifetime + ", identityClaim=" + identityClaim
                + ", clientIdClaim=" + clientIdClaim + ", rolesClaim=" + rolesClaim + ", expiryGrace=" + expiryGrace
                + ", introspection=" + introspection + ", roleLimits=" + roleLimits + "]";
    }
}
