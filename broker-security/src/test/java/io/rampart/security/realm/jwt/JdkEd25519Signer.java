package io.rampart.security.realm.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Set;

/** Signs EdDSA tokens with the JDK (Nimbus's own Ed25519 signer needs Google Tink). */
final class JdkEd25519Signer implements JWSSigner {

    private final PrivateKey key;

    JdkEd25519Signer(PrivateKey key) {
        this.key = key;
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(signingInput);
            return Base64URL.encode(s.sign());
        } catch (GeneralSecurityException e) {
            throw new JOSEException(e.getMessage(), e);
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
    }

    @Override
    public JCAContext getJCAContext() {
        return new JCAContext();
    }
}
