package io.rampart.security.realm.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.Permission;
import io.rampart.security.realm.jwt.JwtRealmSettings.Jwks;
import io.rampart.security.realm.jwt.JwtRealmSettings.TokenSource;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Grant;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The JWT realm on its own: every signature family against static PEM keys and HMAC secrets, the time and
 * content claims, identity mapping, token sources, and keys fetched over HTTPS from a local JWKS / OpenID
 * Connect endpoint (rotation, unknown key id flood, endpoint down).
 */
class JwtRealmTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @TempDir
    static Path dir;
    private static RSAKey rsa;
    private static RSAKey otherRsa;
    private static ECKey p256;
    private static ECKey p384;
    private static ECKey p521;
    private static KeyPair ed25519;
    private static Path staticKeys;

    @BeforeAll
    static void keys() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        otherRsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        p256 = new ECKeyGenerator(Curve.P_256).keyID("ec-256").generate();
        p384 = new ECKeyGenerator(Curve.P_384).keyID("ec-384").generate();
        p521 = new ECKeyGenerator(Curve.P_521).keyID("ec-521").generate();
        ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        staticKeys = dir.resolve("keys.pem");
        Files.writeString(staticKeys, pem(rsa.toPublicKey()) + pem(p256.toPublicKey()) + pem(p384.toPublicKey())
                + pem(p521.toPublicKey()) + pem(ed25519.getPublic()));
    }

    static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    // ------------------------------------------------------------------ helpers

    /** Settings with every value at its default except those changed by {@code change}. */
    static final class S {
        String name = "tokens";
        TokenSource source = TokenSource.PASSWORD;
        String authMethod;
        String tokenVariable;
        Set<String> algorithms = Set.of();
        Jwks jwks;
        String issuer = "https://idp.example";
        boolean discovery;
        List<Path> keys = List.of(staticKeys);
        List<String> secrets = List.of(SECRET);
        List<String> audience = List.of("mqtt");
        Map<String, List<String>> required = Map.of();
        Duration skew = Duration.ofSeconds(5);
        Duration maxLifetime;
        String identityClaim;
        String clientIdClaim;
        String rolesClaim;
        Map<String, List<Permission>> scopes = Map.of();
        Duration grace = Duration.ZERO;
        JwtRealmSettings.Introspection introspection;
        Map<String, IdentityLimits> roleLimits = Map.of();

        JwtRealmSettings build() {
            return new JwtRealmSettings(name, source, authMethod, tokenVariable, algorithms, jwks, issuer, discovery, keys, secrets,
                    audience, required, skew, maxLifetime, identityClaim, clientIdClaim, rolesClaim, scopes, grace,
                    introspection, roleLimits);
        }
    }

    static JwtRealm realm(UnaryOperator<S> change) throws Exception {
        return new JwtRealm(change.apply(new S()).build(), null);
    }

    static JWTClaimsSet.Builder claims(String sub) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(sub).issuer("https://idp.example").audience("mqtt")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
    }

    static String sign(JWSAlgorithm alg, String kid, JWSSigner signer, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    /** A token signed with the realm's key for {@code alg}. */
    static String token(String alg, JWTClaimsSet claims) throws JOSEException {
        JWSAlgorithm a = JWSAlgorithm.parse(alg);
        return switch (alg.substring(0, 2)) {
            case "HS" -> sign(a, null, new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), claims);
            case "RS", "PS" -> sign(a, rsa.getKeyID(), new RSASSASigner(rsa), claims);
            case "ES" -> sign(a, null, new ECDSASigner(switch (alg) {
                case "ES256" -> p256;
                case "ES384" -> p384;
                default -> p521;
            }), claims);
            default -> sign(a, null, new JdkEd25519Signer(ed25519.getPrivate()), claims);
        };
    }

    static Decision<Identity> authenticate(JwtRealm realm, String clientId, String token) throws Exception {
        return authenticate(realm.authenticator("jwt"), request(clientId, null,
                token == null ? null : token.getBytes(StandardCharsets.UTF_8), null, null));
    }

    static AuthenticationRequest request(String clientId, String username, byte[] password, String method, byte[] data) {
        IdentityVariables vars = new IdentityVariables().set(IdentityVariables.CLIENT_ID, clientId)
                .set(IdentityVariables.USERNAME, username).freeze();
        return new AuthenticationRequest(vars, password, method, data);
    }

    static Decision<Identity> authenticate(AuthenticationManager manager, AuthenticationRequest request) throws Exception {
        return manager.authenticate(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static Identity allowed(Decision<Identity> d) {
        assertThat(d).isInstanceOf(Decision.Allow.class);
        return ((Decision.Allow<Identity>) d).value();
    }

    static Decision.Deny<Identity> denied(Decision<Identity> d, Decision.DenyKind kind) {
        assertThat(d).isInstanceOf(Decision.Deny.class);
        Decision.Deny<Identity> deny = (Decision.Deny<Identity>) d;
        assertThat(deny.kind()).as(deny.reason()).isEqualTo(kind);
        return deny;
    }

    // ------------------------------------------------------------------ algorithm families

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "EdDSA"})
    void token_signedWithEachAlgorithmFamily_isAccepted(String alg) throws Exception {
        try (JwtRealm realm = realm(s -> s)) {
            Identity id = allowed(authenticate(realm, "c1", token(alg, claims("dev-" + alg).build())));
            assertThat(id.name()).isEqualTo("dev-" + alg);
            assertThat(id.realm()).isEqualTo("tokens");
        }
    }

    @Test
    void token_withAlgorithmNotInTheAllowedList_isRefused() throws Exception {
        try (JwtRealm realm = realm(s -> {
            s.algorithms = Set.of("RS256");
            s.secrets = List.of();
            return s;
        })) {
            assertThat(denied(authenticate(realm, "c", token("RS384", claims("d").build())),
                    Decision.DenyKind.BAD_CREDENTIALS).reason()).contains("algorithm RS384 is not allowed");
            assertThat(denied(authenticate(realm, "c", token("HS256", claims("d").build())),
                    Decision.DenyKind.BAD_CREDENTIALS).reason()).contains("algorithm HS256 is not allowed");
            allowed(authenticate(realm, "c", token("RS256", claims("d").build())));
        }
    }

    @Test
    void unsignedToken_algNone_isRefused() throws Exception {
        try (JwtRealm realm = realm(s -> s)) {
            String none = new PlainJWT(claims("root").build()).serialize();
            assertThat(none).endsWith(".");
            assertThat(denied(authenticate(realm, "c", none), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("alg: none");
            String noneWithSignature = none + "c2ln";
            denied(authenticate(realm, "c", noneWithSignature), Decision.DenyKind.BAD_CREDENTIALS);
        }
    }

    @Test
    void token_whoseHeaderIsJsonNull_isRefusedAsBadCredentials() throws Exception {
        try (JwtRealm realm = realm(s -> s)) {
            String nullHeader = Base64URL.encode("null") + "." + Base64URL.encode("{\"sub\":\"d\"}") + ".c2ln";
            assertThat(denied(authenticate(realm, "c", nullHeader), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("not a JWT");
        }
    }

    @Test
    void algorithmConfusion_rsaPublicKeyUsedAsHmacSecret_isRefused() throws Exception {
        byte[] publicKeyAsSecret = pem(rsa.toPublicKey()).getBytes(StandardCharsets.US_ASCII);
        String forged = sign(JWSAlgorithm.HS256, rsa.getKeyID(), new MACSigner(publicKeyAsSecret), claims("admin").build());
        try (JwtRealm realm = realm(s -> {
            s.secrets = List.of();
            return s;
        })) {
            assertThat(denied(authenticate(realm, "c", forged), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("algorithm HS256 is not allowed");
        }
        // Even with HS256 allowed, a public key never becomes an HMAC secret.
        try (JwtRealm realm = realm(s -> {
            s.algorithms = Set.of("RS256", "HS256");
            return s;
        })) {
            assertThat(denied(authenticate(realm, "c", forged), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("signature does not verify with any secret");
        }
    }

    @Test
    void token_signedWithAnotherKey_isRefused() throws Exception {
        try (JwtRealm realm = realm(s -> s)) {
            String wrong = sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(otherRsa), claims("d").build());
            assertThat(denied(authenticate(realm, "c", wrong), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("signature does not verify");
            String wrongSecret = sign(JWSAlgorithm.HS256, null,
                    new MACSigner(SECRET.replace('0', 'x').getBytes(StandardCharsets.UTF_8)), claims("d").build());
            denied(authenticate(realm, "c", wrongSecret), Decision.DenyKind.BAD_CREDENTIALS);
        }
    }

    // ------------------------------------------------------------------ claims

    @Test
    void expiredToken_isRefused_withinClockSkewAccepted() throws Exception {
        Instant now = Instant.now();
        try (JwtRealm realm = realm(s -> s)) {
            String expired = token("RS256", claims("d").issueTime(Date.from(now.minusSeconds(120)))
                    .expirationTime(Date.from(now.minusSeconds(60))).build());
            assertThat(denied(authenticate(realm, "c", expired), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("token expired");
            String justExpired = token("RS256", claims("d").expirationTime(Date.from(now.minusSeconds(2))).build());
            allowed(authenticate(realm, "c", justExpired));
            String noExp = token("RS256", claims("d").expirationTime(null).build());
            assertThat(denied(authenticate(realm, "c", noExp), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("no expiry");
        }
    }

    @Test
    void notYetValidToken_isRefused() throws Exception {
        Instant now = Instant.now();
        try (JwtRealm realm = realm(s -> s)) {
            String future = token("ES256", claims("d").notBeforeTime(Date.from(now.plusSeconds(60))).build());
            assertThat(denied(authenticate(realm, "c", future), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("not valid before");
            String issuedLater = token("ES256", claims("d").issueTime(Date.from(now.plusSeconds(60))).build());
            assertThat(denied(authenticate(realm, "c", issuedLater), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("issued in the future");
        }
    }

    @Test
    void wrongIssuerOrAudience_isRefused() throws Exception {
        try (JwtRealm realm = realm(s -> s)) {
            assertThat(denied(authenticate(realm, "c", token("HS256", claims("d").issuer("https://evil").build())),
                    Decision.DenyKind.BAD_CREDENTIALS).reason()).contains("issuer 'https://evil'");
            assertThat(denied(authenticate(realm, "c", token("HS256", claims("d").audience("web").build())),
                    Decision.DenyKind.BAD_CREDENTIALS).reason()).contains("audience [web]");
            allowed(authenticate(realm, "c", token("HS256", claims("d").audience(List.of("web", "mqtt")).build())));
        }
    }

    @Test
    void maxLifetimeAndRequiredClaims_areEnforced() throws Exception {
        Instant now = Instant.now();
        try (JwtRealm realm = realm(s -> {
            s.maxLifetime = Duration.ofHours(1);
            s.required = Map.of("tenant", List.of("acme"), "realm_access.roles", List.of());
            return s;
        })) {
            JWTClaimsSet.Builder ok = claims("d").claim("tenant", "acme").claim("realm_access", Map.of("roles", List.of("x")));
            allowed(authenticate(realm, "c", token("HS256", ok.build())));
            String longLived = token("HS256", claims("d").claim("tenant", "acme")
                    .claim("realm_access", Map.of("roles", List.of("x")))
                    .expirationTime(Date.from(now.plus(Duration.ofHours(2)))).build());
            assertThat(denied(authenticate(realm, "c", longLived), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("exceeds max-lifetime");
            String otherTenant = token("HS256", claims("d").claim("tenant", "evil")
                    .claim("realm_access", Map.of("roles", List.of("x"))).build());
            assertThat(denied(authenticate(realm, "c", otherTenant), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("claim 'tenant' has none of the required values [acme]");
            String noRoles = token("HS256", claims("d").claim("tenant", "acme").build());
            assertThat(denied(authenticate(realm, "c", noRoles), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("required claim 'realm_access.roles' is missing");
        }
    }

    // ------------------------------------------------------------------ identity mapping

    @Test
    void identity_carriesRolesScopesPermissionsAttributesAndExpiry() throws Exception {
        Instant exp = Instant.now().plusSeconds(120).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Map<String, List<Permission>> scopes = new LinkedHashMap<>();
        scopes.put("telemetry:write", List.of(Permission.allow("telemetry/${jwt-sub}/#", Activity.PUBLISH)));
        try (JwtRealm realm = realm(s -> {
            s.identityClaim = "preferred_username";
            s.rolesClaim = "realm_access.roles";
            s.scopes = scopes;
            s.grace = Duration.ofSeconds(10);
            s.roleLimits = Map.of("sensors", new IdentityLimits(IdentityLimits.Rate.perSecond(10), null, null, null, 0,
                    null), "readers", new IdentityLimits(IdentityLimits.Rate.perSecond(50), null, null, null, 8192, null),
                    "gateways", new IdentityLimits(IdentityLimits.Rate.perSecond(5000), null, null, null, 0, null));
            return s;
        })) {
            String token = token("RS256", claims("0b7e").claim("preferred_username", "sensor-7")
                    .claim("realm_access", Map.of("roles", List.of("sensors", "readers")))
                    .claim("scope", "openid telemetry:write").claim("site", "plant-3")
                    .expirationTime(Date.from(exp)).build());
            Identity id = allowed(authenticate(realm, "c", token));
            assertThat(id.name()).isEqualTo("sensor-7");
            assertThat(id.roles()).containsExactlyInAnyOrder("sensors", "readers");
            assertThat(id.grants()).containsExactly(Permission.allow("telemetry/${jwt-sub}/#", Activity.PUBLISH));
            assertThat(id.attributes()).containsEntry("jwt-sub", "0b7e").containsEntry("jwt-site", "plant-3")
                    .containsEntry("jwt-preferred_username", "sensor-7");
            assertThat(id.expiresAt()).isEqualTo(exp.plusSeconds(5 + 10));
            var authz = realm.authorizer("scopes").authorize(id, new IdentityVariables()).toCompletableFuture().get();
            assertThat(authz).isInstanceOf(Decision.Allow.class);
            // role-limits: the strictest of the token's roles that have limits
            IdentityLimits limits = ((Decision.Allow<Grant>) authz).value().limits();
            assertThat(limits.publish()).isEqualTo(IdentityLimits.Rate.perSecond(10));
            assertThat(limits.maxPacketSize()).isEqualTo(8192);
        }
    }

    @Test
    void clientIdClaim_mustEqualTheClientId() throws Exception {
        try (JwtRealm realm = realm(s -> {
            s.clientIdClaim = "client_id";
            return s;
        })) {
            String token = token("HS256", claims("d").claim("client_id", "meter-1").build());
            allowed(authenticate(realm, "meter-1", token));
            assertThat(denied(authenticate(realm, "meter-2", token), Decision.DenyKind.NOT_AUTHORIZED).reason())
                    .contains("is for client 'meter-1'");
        }
    }

    @Test
    void tokenSource_usernameOrAuthMethod_andNonTokens() throws Exception {
        String token = token("HS256", claims("d").build());
        try (JwtRealm realm = realm(s -> {
            s.source = TokenSource.USERNAME;
            return s;
        })) {
            AuthenticationManager m = realm.authenticator("jwt");
            allowed(authenticate(m, request("c", token, null, null, null)));
            assertThat(authenticate(m, request("c", "alice", "pw".getBytes(), null, null))).isInstanceOf(Decision.NoOpinion.class);
            assertThat(m.authenticationMethods()).isEmpty();
        }
        try (JwtRealm realm = realm(s -> {
            s.source = TokenSource.AUTH_METHOD;
            return s;
        })) {
            AuthenticationManager m = realm.authenticator("jwt");
            assertThat(m.authenticationMethods()).containsExactly("JWT");
            allowed(authenticate(m, request("c", null, null, "JWT", token.getBytes(StandardCharsets.US_ASCII))));
            assertThat(authenticate(m, request("c", null, token.getBytes(), null, null))).isInstanceOf(Decision.NoOpinion.class);
            assertThat(authenticate(m, request("c", null, null, "SCRAM", token.getBytes()))).isInstanceOf(Decision.NoOpinion.class);
        }
        try (JwtRealm realm = realm(s -> {
            s.source = TokenSource.VARIABLE;
            s.tokenVariable = "bearer";
            return s;
        })) {
            IdentityVariables vars = new IdentityVariables().set(IdentityVariables.CLIENT_ID, "c").set("bearer", token).freeze();
            allowed(authenticate(realm.authenticator("jwt"), new AuthenticationRequest(vars, null)));
            assertThat(authenticate(realm, "c", token)).isInstanceOf(Decision.NoOpinion.class);
        }
        try (JwtRealm realm = realm(s -> s)) {
            assertThat(authenticate(realm, "c", "correct horse battery staple")).isInstanceOf(Decision.NoOpinion.class);
            assertThat(authenticate(realm, "c", null)).isInstanceOf(Decision.NoOpinion.class);
            denied(authenticate(realm, "c", "abc.def.ghi"), Decision.DenyKind.BAD_CREDENTIALS);
        }
    }

    @Test
    void settings_refuseWeakOrContradictoryConfiguration() {
        assertThatThrownBy(() -> with(s -> s.secrets = List.of("short")).build())
                .hasMessageStartingWith("secrets:").hasMessageNotContaining("short");
        assertThatThrownBy(() -> with(s -> s.algorithms = Set.of("none")).build())
                .hasMessageStartingWith("algorithms:");
        assertThatThrownBy(() -> with(s -> {
            s.keys = List.of();
            s.secrets = List.of();
        }).build()).hasMessageStartingWith("jwks:");
        assertThatThrownBy(() -> with(s -> {
            s.algorithms = Set.of("HS256");
            s.secrets = List.of();
        }).build()).hasMessageStartingWith("algorithms:");
        assertThatThrownBy(() -> new Jwks(URI.create("http://idp/jwks"), null, null, Duration.ofMinutes(1),
                Duration.ZERO, Duration.ofSeconds(1))).hasMessageStartingWith("jwks.url:");
        assertThatThrownBy(() -> with(s -> s.roleLimits = Map.of("sensors", IdentityLimits.NONE)).build())
                .hasMessage("role-limits: needs roles-claim (the roles the limits are set for)");
    }

    private static S with(java.util.function.Consumer<S> change) {
        S s = new S();
        change.accept(s);
        return s;
    }

    // ------------------------------------------------------------------ JWKS over HTTPS

    private static JwksTestServer idp;

    @BeforeAll
    static void idp() throws Exception {
        idp = new JwksTestServer(dir);
    }

    @AfterAll
    static void stopIdp() {
        idp.close();
    }

    static S remote(S s, Duration minRefetch) {
        s.keys = List.of();
        s.secrets = List.of();
        s.issuer = null;
        s.jwks = new Jwks(URI.create(idp.jwksUrl()), idp.trustPem(), null, Duration.ofMinutes(10), minRefetch,
                Duration.ofSeconds(3));
        return s;
    }

    @Test
    void jwks_keysFromHttpsEndpoint_rotationIsPickedUpByKeyId() throws Exception {
        RSAKey first = new RSAKeyGenerator(2048).keyID("k-" + UUID.randomUUID()).generate();
        ECKey second = new ECKeyGenerator(Curve.P_256).keyID("k-" + UUID.randomUUID()).generate();
        idp.publish(List.of(first));
        try (JwtRealm realm = realm(s -> remote(s, Duration.ZERO))) {
            JWTClaimsSet c = claims("d").issuer(null).build();
            allowed(authenticate(realm, "c", sign(JWSAlgorithm.RS256, first.getKeyID(), new RSASSASigner(first), c)));
            idp.publish(List.of(first, second));
            allowed(authenticate(realm, "c", sign(JWSAlgorithm.ES256, second.getKeyID(), new ECDSASigner(second), c)));
            assertThat(realm.unavailableReason()).isNull();
        }
    }

    @Test
    void jwks_floodOfUnknownKeyIds_refetchesAtMostOncePerInterval() throws Exception {
        RSAKey known = new RSAKeyGenerator(2048).keyID("known-" + UUID.randomUUID()).generate();
        RSAKey attacker = new RSAKeyGenerator(2048).generate();
        idp.publish(List.of(known));
        try (JwtRealm realm = realm(s -> remote(s, Duration.ofMinutes(5)))) {
            JWTClaimsSet c = claims("d").issuer(null).build();
            allowed(authenticate(realm, "c", sign(JWSAlgorithm.RS256, known.getKeyID(), new RSASSASigner(known), c)));
            int before = idp.jwksRequests();
            for (int i = 0; i < 50; i++) {
                String bogus = sign(JWSAlgorithm.RS256, "bogus-" + i, new RSASSASigner(attacker), c);
                assertThat(denied(authenticate(realm, "c", bogus), Decision.DenyKind.BAD_CREDENTIALS).reason())
                        .contains("no key with key id 'bogus-" + i + "'");
            }
            assertThat(idp.jwksRequests() - before).isLessThanOrEqualTo(1);
            // the known key keeps working throughout
            allowed(authenticate(realm, "c", sign(JWSAlgorithm.RS256, known.getKeyID(), new RSASSASigner(known), c)));
        }
    }

    @Test
    void jwks_endpointDown_refusesAsUnavailable() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("down").generate();
        idp.publish(List.of(key));
        idp.down(true);
        try (JwtRealm realm = realm(s -> remote(s, Duration.ofSeconds(30)))) {
            String token = sign(JWSAlgorithm.RS256, "down", new RSASSASigner(key), claims("d").issuer(null).build());
            assertThat(denied(authenticate(realm, "c", token), Decision.DenyKind.UNAVAILABLE).reason())
                    .contains("503");
            assertThat(realm.unavailableReason()).contains("503");
        } finally {
            idp.down(false);
        }
    }

    @Test
    void jwks_downAtStart_isRetriedByItselfUntilFetched_withoutAnyToken() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("late").generate();
        idp.publish(List.of(key));
        idp.down(true);
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        int before = idp.jwksRequests();
        try (JwtRealm realm = new JwtRealm(remote(new S(), Duration.ofMinutes(5)).build(), timers)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> idp.jwksRequests() - before >= 2);
            assertThat(realm.unavailableReason()).contains("503");
            idp.down(false);
            await().atMost(Duration.ofSeconds(60)).until(() -> realm.unavailableReason() == null);
            allowed(authenticate(realm, "c", sign(JWSAlgorithm.RS256, "late", new RSASSASigner(key),
                    claims("d").issuer(null).build())));
        } finally {
            idp.down(false);
            timers.shutdownNow();
        }
    }

    @Test
    void jwks_trustFromPkcs12() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("p12").generate();
        idp.publish(List.of(key));
        try (JwtRealm realm = realm(s -> {
            remote(s, Duration.ofSeconds(30));
            s.jwks = new Jwks(URI.create(idp.jwksUrl()), idp.trustP12(), JwksTestServer.TRUST_PASSWORD,
                    Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofSeconds(3));
            return s;
        })) {
            allowed(authenticate(realm, "c", sign(JWSAlgorithm.RS256, "p12", new RSASSASigner(key),
                    claims("d").issuer(null).build())));
        }
    }

    @Test
    void jwks_untrustedCertificate_refusesAsUnavailable() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("untrusted").generate();
        idp.publish(List.of(key));
        try (JwtRealm realm = realm(s -> {
            remote(s, Duration.ofSeconds(30));
            s.jwks = new Jwks(URI.create(idp.jwksUrl()), null, null, Duration.ofMinutes(10), Duration.ofSeconds(30),
                    Duration.ofSeconds(3));
            return s;
        })) {
            String token = sign(JWSAlgorithm.RS256, "untrusted", new RSASSASigner(key), claims("d").issuer(null).build());
            denied(authenticate(realm, "c", token), Decision.DenyKind.UNAVAILABLE);
        }
    }

    @Test
    void discovery_findsTheJwksThroughTheIssuer() throws Exception {
        OctetKeyPair ed = new OctetKeyPair.Builder(Curve.Ed25519, Ed25519JdkVerifier.rawKey(ed25519.getPublic()))
                .keyID("ed-1").build();
        idp.publish(List.of(ed));
        try (JwtRealm realm = realm(s -> {
            remote(s, Duration.ofSeconds(30));
            s.jwks = new Jwks(null, idp.trustPem(), null, Duration.ofMinutes(10), Duration.ofSeconds(30),
                    Duration.ofSeconds(3));
            s.issuer = idp.issuer();
            s.discovery = true;
            return s;
        })) {
            String token = sign(JWSAlgorithm.EdDSA, "ed-1", new JdkEd25519Signer(ed25519.getPrivate()),
                    claims("edge-1").issuer(idp.issuer()).build());
            assertThat(allowed(authenticate(realm, "c", token)).name()).isEqualTo("edge-1");
        }
    }


    // ------------------------------------------------------------------ introspection (RFC 7662)

    static S introspecting(S s, String clientSecret, boolean withLocalKeys) {
        if (!withLocalKeys) {
            s.keys = List.of();
            s.secrets = List.of();
        }
        s.introspection = new JwtRealmSettings.Introspection(URI.create(idp.introspectionUrl()), JwksTestServer.CLIENT_ID,
                clientSecret, idp.trustPem(), null, Duration.ofMinutes(1), Duration.ofSeconds(3));
        return s;
    }

    @Test
    void introspection_opaqueTokens_areCheckedAndCached() throws Exception {
        String active = "opaque-" + UUID.randomUUID();
        long exp = Instant.now().plusSeconds(300).getEpochSecond();
        idp.activeToken(active, "{\"active\":true,\"sub\":\"meter-9\",\"iss\":\"https://idp.example\",\"aud\":\"mqtt\","
                + "\"exp\":" + exp + ",\"scope\":\"telemetry\"}");
        String otherAudience = "opaque-" + UUID.randomUUID();
        idp.activeToken(otherAudience, "{\"active\":true,\"sub\":\"x\",\"iss\":\"https://idp.example\",\"aud\":\"web\","
                + "\"exp\":" + exp + "}");
        try (JwtRealm realm = realm(s -> introspecting(s, JwksTestServer.CLIENT_SECRET, false))) {
            int before = idp.introspections();
            Identity id = allowed(authenticate(realm, "c", active));
            assertThat(id.name()).isEqualTo("meter-9");
            assertThat(id.expiresAt()).isEqualTo(Instant.ofEpochSecond(exp).plusSeconds(5));
            allowed(authenticate(realm, "c", active));
            assertThat(idp.introspections() - before).isEqualTo(1);

            String revoked = "opaque-" + UUID.randomUUID();
            assertThat(denied(authenticate(realm, "c", revoked), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("not active");
            denied(authenticate(realm, "c", revoked), Decision.DenyKind.BAD_CREDENTIALS);
            assertThat(idp.introspections() - before).isEqualTo(2);

            assertThat(denied(authenticate(realm, "c", otherAudience), Decision.DenyKind.BAD_CREDENTIALS).reason())
                    .contains("audience");
        }
    }

    @Test
    void introspection_jwtsStayLocal_andAWrongClientSecretIsUnavailable() throws Exception {
        try (JwtRealm realm = realm(s -> introspecting(s, JwksTestServer.CLIENT_SECRET, true))) {
            int before = idp.introspections();
            allowed(authenticate(realm, "c", token("HS256", claims("local").build())));
            assertThat(idp.introspections()).isEqualTo(before);
        }
        try (JwtRealm realm = realm(s -> introspecting(s, "wrong", false))) {
            assertThat(denied(authenticate(realm, "c", "opaque-x"), Decision.DenyKind.UNAVAILABLE).reason())
                    .contains("HTTP 401");
        }
    }
}
