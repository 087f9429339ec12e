package io.rampart.security.realm.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Set;

/**
 * EdDSA (Ed25519) signature verification with the JDK's own implementation (Java 15+). Nimbus's
 * {@code Ed25519Verifier} needs Google Tink, which Rampart does not ship.
 */
final class Ed25519JdkVerifier implements JWSVerifier {

    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519; the 32-byte key follows. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private final PublicKey key;
    private final JCAContext context = new JCAContext();

    Ed25519JdkVerifier(OctetKeyPair jwk) throws JOSEException {
        if (!Curve.Ed25519.equals(jwk.getCurve())) {
            throw new JOSEException("only Ed25519 keys are supported for EdDSA (was " + jwk.getCurve() + ")");
        }
        this.key = publicKey(jwk.getX().decode());
    }

    static PublicKey publicKey(byte[] x) throws JOSEException {
        if (x.length != 32) {
            throw new JOSEException("an Ed25519 public key has 32 bytes (was " + x.length + ")");
        }
        byte[] der = new byte[X509_PREFIX.length + 32];
        System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
        System.arraycopy(x, 0, der, X509_PREFIX.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new JOSEException("invalid Ed25519 key: " + e.getMessage(), e);
        }
    }

    /** The 32 raw key bytes of a JDK Ed25519 public key. */
    static Base64URL rawKey(PublicKey key) {
        byte[] der = key.getEncoded();
        byte[] x = new byte[32];
        System.arraycopy(der, der.length - 32, x, 0, 32);
        return Base64URL.encode(x);
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
        if (!supportedJWSAlgorithms().contains(header.getAlgorithm())) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(signingInput);
            return s.verify(signature.decode());
        } catch (java.security.SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new JOSEException("Ed25519 verification failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
    }

    @Override
    public JCAContext getJCAContext() {
        return context;
    }
}
