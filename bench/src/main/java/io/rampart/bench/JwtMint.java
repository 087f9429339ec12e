package io.rampart.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * Makes the keys and tokens of the JWT connect benchmark ({@code bench/run-jwt-connect.sh}): writes fresh RSA
 * 2048 and EC P-256 public keys as PEM to {@code <dir>/keys.pem} and the tokens to {@code <dir>/token-HS256},
 * {@code token-RS256}, {@code token-ES256} (subject {@code bench}, issuer {@code bench-issuer}, audience
 * {@code mqtt}, scope {@code bench}, valid for one hour). Usage: {@code JwtMint <dir> <hmac secret>}.
 */
public final class JwtMint {

    private JwtMint() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: JwtMint <dir> <hmac secret of at least 32 bytes>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        RSAKey rsa = new RSAKeyGenerator(2048).generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).generate();
        Files.writeString(dir.resolve("keys.pem"), pem(rsa.toPublicKey()) + pem(ec.toPublicKey()));
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("bench").issuer("bench-issuer").audience(List.of("mqtt"))
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                .claim("scope", "bench").build();
        write(dir, JWSAlgorithm.HS256, new MACSigner(args[1].getBytes(StandardCharsets.UTF_8)), claims);
        write(dir, JWSAlgorithm.RS256, new RSASSASigner(rsa), claims);
        write(dir, JWSAlgorithm.ES256, new ECDSASigner(ec), claims);
    }

    private static void write(Path dir, JWSAlgorithm alg, JWSSigner signer, JWTClaimsSet claims)
            throws JOSEException, java.io.IOException {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        jwt.sign(signer);
        Files.writeString(dir.resolve("token-" + alg.getName()), jwt.serialize());
    }

    private static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }
}
