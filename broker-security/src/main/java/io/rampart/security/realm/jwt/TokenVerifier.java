package io.rampart.security.realm.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Checks one token: parsed as a signed JWT (unsigned {@code alg: none} and encrypted tokens are refused), its
 * algorithm in the allowed set, its signature against the realm's keys, then the time and content claims.
 *
 * <p>Algorithm confusion cannot happen: each algorithm family only ever meets keys of its own type. HMAC
 * algorithms use only the configured secrets (never a public key's bytes, never a symmetric key from a JWK
 * set); RSA, EC and EdDSA algorithms use only RSA, EC (of the algorithm's curve) and Ed25519 keys. A JWK that
 * names another algorithm or a use other than {@code sig} is skipped.
 */
final class TokenVerifier {

    /** The answer for one token. */
    sealed interface Outcome permits Valid, Invalid, Unavailable {
    }

    record Valid(JWTClaimsSet claims) implements Outcome {
    }

    /** The token is not acceptable; {@code reason} is safe to log (never the token). */
    record Invalid(String reason) implements Outcome {
    }

    /** The keys could not be obtained. */
    record Unavailable(String reason) implements Outcome {
    }

    private final JwtRealmSettings settings;
    private final List<JWK> staticKeys;
    private final List<byte[]> secrets;
    private final JwksSource remote;
    private final Introspector introspector;
    private final Clock clock;

    TokenVerifier(JwtRealmSettings settings, List<JWK> staticKeys, JwksSource remote, Introspector introspector,
                  Clock clock) {
        this.settings = settings;
        this.staticKeys = List.copyOf(staticKeys);
        List<byte[]> s = new ArrayList<>();
        for (String secret : settings.secrets()) {
            s.add(secret.getBytes(StandardCharsets.UTF_8));
        }
        this.secrets = List.copyOf(s);
        this.remote = remote;
        this.introspector = introspector;
        this.clock = clock;
    }

    /** Whether tokens that are not JWTs can be checked (by introspection). */
    boolean introspects() {
        return introspector != null;
    }

    /**
     * Checks a token: locally when it is a JWT and the realm has keys, otherwise by introspection when the realm
     * has an endpoint.
     */
    CompletionStage<Outcome> verify(String token, boolean jwtShaped) {
        if (introspector != null && (!jwtShaped || !settings.verifiesLocally())) {
            return introspector.introspect(token, this::checkClaims);
        }
        return verify(token);
    }

    CompletionStage<Outcome> verify(String token) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            return done(new Invalid("not a JWT: " + e.getMessage()));
        } catch (RuntimeException e) {
            // Nimbus lets some malformed headers escape as runtime exceptions (a header that is JSON null gives a
            // NullPointerException): a client's bad token all the same, not a failure of the realm
            return done(new Invalid("not a JWT: its header cannot be read"));
        }
        if (jwt instanceof EncryptedJWT) {
            return done(new Invalid("encrypted tokens (JWE) are not supported"));
        }
        if (!(jwt instanceof SignedJWT signed)) {
            return done(new Invalid("unsigned token (alg: none) refused"));
        }
        JWSHeader header = signed.getHeader();
        String alg = header.getAlgorithm().getName();
        if (!settings.algorithms().contains(alg)) {
            return done(new Invalid("algorithm " + alg + " is not allowed"));
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            return done(new Invalid("critical header parameters " + header.getCriticalParams() + " are not understood"));
        }
        if (Algorithms.isHmac(alg)) {
            return done(verifyHmac(signed, alg));
        }
        String kid = header.getKeyID();
        if (remote == null) {
            return done(verifyWith(signed, alg, staticKeys, kid));
        }
        Outcome fromStatic = staticKeys.isEmpty() ? null : verifyWith(signed, alg, staticKeys, kid);
        if (fromStatic instanceof Valid) {
            return done(fromStatic);
        }
        return remote.keys(kid).handle((keys, error) -> {
            if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                return new Unavailable(cause.getMessage());
            }
            if (keys.isEmpty() && kid != null) {
                return new Invalid("no key with key id '" + printable(kid) + "'");
            }
            return verifyWith(signed, alg, keys, kid);
        });
    }

    private Outcome verifyHmac(SignedJWT jwt, String alg) {
        int min = Algorithms.hmacKeyBytes(alg);
        boolean anyKey = false;
        for (byte[] secret : secrets) {
            if (secret.length < min) {
                continue;
            }
            anyKey = true;
            try {
                if (jwt.verify(new MACVerifier(secret))) {
                    return claims(jwt);
                }
            } catch (JOSEException e) {
                // this secret cannot verify; try the next
            }
        }
        return new Invalid(anyKey ? "signature does not verify with any secret"
                : "no secret long enough for " + alg + " (needs " + min + " bytes)");
    }

    private Outcome verifyWith(SignedJWT jwt, String alg, List<JWK> keys, String kid) {
        boolean anyKey = false;
        for (JWK key : keys) {
            JWSVerifier verifier = verifierFor(alg, key);
            if (verifier == null) {
                continue;
            }
            anyKey = true;
            try {
                if (jwt.verify(verifier)) {
                    return claims(jwt);
                }
            } catch (JOSEException e) {
                // try the next key
            }
        }
        if (!anyKey) {
            return new Invalid("no " + alg + " key" + (kid == null ? "" : " with key id '" + printable(kid) + "'"));
        }
        return new Invalid("signature does not verify with any " + alg + " key");
    }

    /** A verifier when the key may be used with the algorithm, else {@code null}. */
    static JWSVerifier verifierFor(String alg, JWK key) {
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            return null;
        }
        if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(alg)) {
            return null;
        }
        try {
            if (Algorithms.isRsa(alg) && key instanceof RSAKey rsa) {
                return new RSASSAVerifier(rsa.toRSAPublicKey());
            }
            if (Algorithms.isEc(alg) && key instanceof ECKey ec && ec.getCurve().getName().equals(Algorithms.curveOf(alg))) {
                return new ECDSAVerifier(ec.toECPublicKey());
            }
            if (Algorithms.isEdDsa(alg) && key instanceof OctetKeyPair okp) {
                return new Ed25519JdkVerifier(okp);
            }
        } catch (JOSEException e) {
            return null;
        }
        return null;
    }

    private Outcome claims(SignedJWT jwt) {
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return new Invalid("claims are not a JSON object: " + e.getMessage());
        }
        String problem = checkClaims(claims);
        return problem == null ? new Valid(claims) : new Invalid(problem);
    }

    /** The first reason the claims are not acceptable, or {@code null}. */
    String checkClaims(JWTClaimsSet claims) {
        Instant now = clock.instant();
        Duration skew = settings.clockSkew();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return "token has no expiry (exp)";
        }
        if (now.isAfter(exp.toInstant().plus(skew))) {
            return "token expired at " + exp.toInstant();
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
            return "token not valid before " + nbf.toInstant();
        }
        Date iat = claims.getIssueTime();
        if (iat != null && now.plus(skew).isBefore(iat.toInstant())) {
            return "token issued in the future (" + iat.toInstant() + ")";
        }
        if (settings.maxLifetime() != null) {
            Instant start = iat != null ? iat.toInstant() : nbf != null ? nbf.toInstant() : null;
            if (start == null) {
                return "token has neither iat nor nbf, so its lifetime cannot be checked against max-lifetime";
            }
            Duration lifetime = Duration.between(start, exp.toInstant());
            if (lifetime.compareTo(settings.maxLifetime()) > 0) {
                return "token lifetime " + lifetime.toSeconds() + " s exceeds max-lifetime "
                        + settings.maxLifetime().toSeconds() + " s";
            }
        }
        if (settings.issuer() != null && !settings.issuer().equals(claims.getIssuer())) {
            return "issuer '" + printable(String.valueOf(claims.getIssuer())) + "' is not '" + settings.issuer() + "'";
        }
        if (!settings.audience().isEmpty()) {
            List<String> aud = claims.getAudience();
            if (aud == null || aud.stream().noneMatch(settings.audience()::contains)) {
                return "audience " + (aud == null ? "[]" : printable(aud.toString())) + " does not include any of "
                        + settings.audience();
            }
        }
        for (Map.Entry<String, List<String>> required : settings.requiredClaims().entrySet()) {
            Object value = Claims.at(claims, required.getKey());
            if (value == null) {
                return "required claim '" + required.getKey() + "' is missing";
            }
            if (!required.getValue().isEmpty()) {
                List<String> actual = new ArrayList<>(Claims.strings(value));
                String scalar = Claims.scalar(value);
                if (scalar != null) {
                    actual.add(scalar);
                }
                if (actual.stream().noneMatch(required.getValue()::contains)) {
                    return "claim '" + required.getKey() + "' has none of the required values " + required.getValue();
                }
            }
        }
        return null;
    }

    /** Bounds and cleans a token-controlled value for a log line. */
    static String printable(String value) {
        StringBuilder sb = new StringBuilder(Math.min(value.length(), 80));
        for (int i = 0; i < value.length() && i < 80; i++) {
            char c = value.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        if (value.length() > 80) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static CompletionStage<Outcome> done(Outcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }
}
