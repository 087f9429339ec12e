package io.rampart.security.realm.jwt;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.jwk.JWK;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import org.junit.jupiter.api.Timeout;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Arbitrary tokens through the JWT realm's authentication: {@link JwtAuthenticator} (where the token is taken
 * from), {@link TokenVerifier} (parsing with Nimbus, algorithm and key selection, signature, time and content
 * claims), the mapping of claims to an identity and the realm's authorization (scopes to permissions, roles to
 * limits). The realm has an HMAC secret and Ed25519, RSA and P-256 public keys and checks issuer, audience, a
 * required claim, the client-id claim and a maximum lifetime.
 *
 * <p>The first character of the input chooses the mode. {@code H}, {@code I}, {@code J} (HS256/384/512) and
 * {@code E} (Ed25519): the rest is a JWS header and claims (JSON text, separated by the first line break) that the
 * harness encodes and signs with the realm's secret or key, so the claim checks are reached (RSA and EC signatures
 * take milliseconds to make; their verification runs on tokens the harness does not sign). Any other first character: the whole input is the password the client presents. Whatever the
 * mode, the answer must come without an exception, and a token may only be accepted when its signature verifies
 * with one of the realm's keys (checked here independently with the JDK) and its identity is usable.
 * Without {@code -Pfuzz} it replays the committed inputs under {@code JwtTokenFuzzTestInputs/authenticate}; see
 * docs/SECURITY.md, "Fuzzing".
 */
class JwtTokenFuzzTest {

    private static final byte[] SECRET = "fuzz-secret-of-at-least-sixty-four-bytes-for-hs512-0123456789abcdef"
            .getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final KeyPair ED25519 = generate("Ed25519", null);
    private static final KeyPair RSA = generate("RSA", null);
    private static final KeyPair EC = generate("EC", new ECGenParameterSpec("secp256r1"));
    private static final JwtRealmSettings SETTINGS = settings();
    private static final JwtAuthenticator AUTHENTICATOR = authenticator();
    private static final ScopeAuthorizer AUTHORIZER = new ScopeAuthorizer("jwt", "fuzz", SETTINGS::limitsOf);

    @FuzzTest(maxDuration = "15m", maxExecutions = 10_000_000)
    @DictionaryEntries({"\"alg\":\"HS256\"", "\"alg\":\"EdDSA\"", "\"alg\":\"none\"", "\"kid\":", "\"crit\":[",
            "\"exp\":1780300800", "\"iat\":1780272000", "\"nbf\":", "\"iss\":\"https://issuer.example\"",
            "\"aud\":[\"mqtt\"]", "\"tenant\":", "\"client_id\":\"dev-1\"", "\"realm_access\":{\"roles\":[",
            "\"scope\":\"read write\"", "\"device\"", "\"fleet\"", "\"scp\":[", "\"sub\":", "eyJhbGciOiJIUzI1NiJ9"})
    @Timeout(60)
    void authenticate(byte[] input) throws GeneralSecurityException {
        String token = token(input);
        IdentityVariables variables = new IdentityVariables()
                .set(IdentityVariables.CLIENT_ID, "dev-1")
                .set(IdentityVariables.USERNAME, "device");
        Decision<Identity> decision = AUTHENTICATOR.authenticate(new AuthenticationRequest(variables.freeze(),
                token.getBytes(StandardCharsets.UTF_8))).toCompletableFuture().join();
        if (decision instanceof Decision.Allow<Identity> allow) {
            Identity identity = allow.value();
            if (!signedByTheRealm(token.trim())) {
                throw new AssertionError("a token without a valid signature was accepted: " + identity);
            }
            if (identity.name() == null || identity.name().isBlank() || identity.expiresAt() == null
                    || identity.expiresAt().isBefore(NOW)) {
                throw new AssertionError("accepted with an unusable identity: " + identity);
            }
            IdentityVariables withClaims = variables.copy();
            identity.attributes().forEach(withClaims::set);
            AUTHORIZER.authorize(identity, withClaims.freeze()).toCompletableFuture().join();
            CompiledPermissions granted = CompiledPermissions.compile(identity.grants(), withClaims.freeze());
            granted.maySubscribe("sensors/dev-1/#", 1, null);
            granted.mayPublish("sensors/dev-1/t", 1, false);
        } else if (decision instanceof Decision.Deny<Identity> deny && (deny.reason() == null || deny.reason().isBlank())) {
            throw new AssertionError("denied without a reason");
        }
    }

    /** The password the client presents: the input itself, or a token the harness signs. */
    private static String token(byte[] input) throws GeneralSecurityException {
        String text = new String(input, StandardCharsets.UTF_8);
        if (text.isEmpty() || "HIJE".indexOf(text.charAt(0)) < 0) {
            return text;
        }
        int newline = text.indexOf('\n');
        String header = newline < 0 ? text.substring(1) : text.substring(1, newline);
        String claims = newline < 0 ? "" : text.substring(newline + 1);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        byte[] data = signingInput.getBytes(StandardCharsets.US_ASCII);
        byte[] signature = switch (text.charAt(0)) {
            case 'H' -> hmac("HmacSHA256", data);
            case 'I' -> hmac("HmacSHA384", data);
            case 'J' -> hmac("HmacSHA512", data);
            default -> sign("Ed25519", ED25519, data);
        };
        return signingInput + "." + b64.encodeToString(signature);
    }

    /** Whether the compact token's signature verifies with one of the realm's keys, checked without Nimbus. */
    private static boolean signedByTheRealm(String token) throws GeneralSecurityException {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return false;
        }
        byte[] data = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        byte[] signature;
        try {
            // as leniently as a decoder may: both alphabets, anything else skipped
            signature = Base64.getUrlDecoder().decode(parts[2].replace('+', '-').replace('/', '_')
                    .replaceAll("[^A-Za-z0-9_-]", ""));
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (String mac : List.of("HmacSHA256", "HmacSHA384", "HmacSHA512")) {
            if (java.security.MessageDigest.isEqual(hmac(mac, data), signature)) {
                return true;
            }
        }
        return verifies("Ed25519", ED25519.getPublic(), data, signature)
                || verifies("SHA256withRSA", RSA.getPublic(), data, signature)
                || verifies("SHA256withECDSAinP1363Format", EC.getPublic(), data, signature);
    }

    private static boolean verifies(String algorithm, PublicKey key, byte[] data, byte[] signature)
            throws GeneralSecurityException {
        Signature s = Signature.getInstance(algorithm);
        s.initVerify(key);
        s.update(data);
        try {
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    private static byte[] hmac(String algorithm, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(SECRET, algorithm));
        return mac.doFinal(data);
    }

    private static byte[] sign(String algorithm, KeyPair keys, byte[] data) throws GeneralSecurityException {
        Signature s = Signature.getInstance(algorithm);
        s.initSign(keys.getPrivate());
        s.update(data);
        return s.sign();
    }

    private static KeyPair generate(String algorithm, ECGenParameterSpec spec) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (spec != null) {
                generator.initialize(spec);
            } else if (algorithm.equals("RSA")) {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JwtRealmSettings settings() {
        return new JwtRealmSettings("fuzz", JwtRealmSettings.TokenSource.PASSWORD, null, null,
                Set.of("HS256", "HS384", "HS512", "EdDSA", "Ed25519", "RS256", "ES256"), null,
                "https://issuer.example", false, List.of(), List.of(new String(SECRET, StandardCharsets.UTF_8)),
                List.of("mqtt"), Map.of("tenant", List.of()), Duration.ofSeconds(30), Duration.ofDays(1), "sub",
                "client_id", "realm_access.roles",
                Map.of("read", List.of(Permission.allow("sensors/${jwt-sub}/#", Activity.SUBSCRIBE)),
                        "write", List.of(Permission.allow("sensors/${mqtt-clientid}/+", Activity.PUBLISH))),
                Duration.ofMinutes(5), null,
                Map.of("device", new IdentityLimits(new IdentityLimits.Rate(10, 20), null, null, null, 65_536, null),
                        "fleet", new IdentityLimits(new IdentityLimits.Rate(2, 4), null, null, null, 0,
                                Duration.ofSeconds(30))));
    }

    private static JwtAuthenticator authenticator() {
        try {
            JwtRealmSettings settings = SETTINGS;
            List<JWK> keys = List.of(StaticKeys.toJwk(ED25519.getPublic(), "ed25519"),
                    StaticKeys.toJwk(RSA.getPublic(), "rsa"), StaticKeys.toJwk(EC.getPublic(), "ec"));
            TokenVerifier verifier = new TokenVerifier(settings, keys, null, null, Clock.fixed(NOW, ZoneOffset.UTC));
            return new JwtAuthenticator("jwt", settings, verifier);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
