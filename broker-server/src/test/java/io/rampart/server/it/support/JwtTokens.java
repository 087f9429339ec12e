package io.rampart.server.it.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Tokens for the JWT end-to-end tests, minted with Nimbus: HS256 with a fixed test secret, RS256 and ES256
 * with keys made per JVM whose public halves {@link #writePublicKeys} puts in a PEM file for the realm's
 * {@code keys}. Issuer {@value #ISSUER}, audience {@value #AUDIENCE}.
 */
public final class JwtTokens {

    public static final String ISSUER = "https://idp.test";
    public static final String AUDIENCE = "mqtt";
    /** 64 bytes: long enough for HS512. */
    public static final String SECRET = "rampart-test-secret-0123456789abcdef0123456789abcdef0123456789abc";

    private static final RSAKey RSA = generateRsa();
    private static final ECKey EC = generateEc();

    private JwtTokens() {
    }

    private static RSAKey generateRsa() {
        try {
            return new RSAKeyGenerator(2048).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ECKey generateEc() {
        try {
            return new ECKeyGenerator(Curve.P_256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the RS256 and ES256 public keys as PEM into {@code file}. */
    public static Path writePublicKeys(Path file) {
        try {
            Files.writeString(file, pem(RSA.toPublicKey()) + pem(EC.toPublicKey()));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The RS256 and ES256 public keys as a JWK set (JSON), as an identity provider's JWKS endpoint serves them. */
    public static String publicJwks() {
        return new JWKSet(List.of(RSA, EC)).toPublicJWKSet().toString();
    }

    private static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** Claims for {@code subject} valid for {@code ttl} from now, with the test issuer and audience. */
    public static JWTClaimsSet.Builder claims(String subject, Duration ttl) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER).audience(AUDIENCE)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl)));
    }

    /** Claims with Keycloak-style roles ({@code realm_access.roles}). */
    public static JWTClaimsSet.Builder claims(String subject, Duration ttl, String... roles) {
        return claims(subject, ttl).claim("realm_access", Map.of("roles", List.of(roles)));
    }

    public static String hs256(JWTClaimsSet claims) {
        return sign(JWSAlgorithm.HS256, claims);
    }

    /** A token signed with {@code alg}: HS256, RS256 or ES256. */
    public static String sign(JWSAlgorithm alg, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).build(), claims);
            if (JWSAlgorithm.HS256.equals(alg)) {
                jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
            } else if (JWSAlgorithm.RS256.equals(alg)) {
                jwt.sign(new RSASSASigner(RSA));
            } else if (JWSAlgorithm.ES256.equals(alg)) {
                jwt.sign(new ECDSASigner(EC));
            } else {
                throw new IllegalArgumentException("unsupported here: " + alg);
            }
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
