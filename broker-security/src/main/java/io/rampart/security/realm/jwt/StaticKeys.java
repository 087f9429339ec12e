package io.rampart.security.realm.jwt;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;

/** Public keys from PEM files (public keys or certificates), as JWKs without key ids. */
final class StaticKeys {

    private StaticKeys() {
    }

    static List<JWK> load(List<Path> files) throws IOException {
        List<JWK> out = new ArrayList<>();
        for (Path file : files) {
            int before = out.size();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
                Object o;
                while ((o = pem.readObject()) != null) {
                    PublicKey key;
                    if (o instanceof SubjectPublicKeyInfo spki) {
                        key = new JcaPEMKeyConverter().getPublicKey(spki);
                    } else if (o instanceof X509CertificateHolder cert) {
                        key = new JcaX509CertificateConverter().getCertificate(cert).getPublicKey();
                    } else {
                        throw new IOException(file + ": holds a " + o.getClass().getSimpleName()
                                + "; only public keys and certificates belong in 'keys' (never a private key)");
                    }
                    out.add(toJwk(key, file));
                }
            } catch (java.security.cert.CertificateException e) {
                throw new IOException(file + ": unreadable certificate: " + e.getMessage(), e);
            }
            if (out.size() == before) {
                throw new IOException(file + ": no PEM public key or certificate in the file");
            }
        }
        return List.copyOf(out);
    }

    static JWK toJwk(PublicKey key, Object source) throws IOException {
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new IOException(source + ": RSA keys need at least 2048 bits");
            }
            return new RSAKey.Builder(rsa).build();
        }
        if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null) {
                throw new IOException(source + ": unsupported EC curve (supported: P-256, P-384, P-521)");
            }
            return new ECKey.Builder(curve, ec).build();
        }
        if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) {
            if (key.getEncoded().length != 44) {
                throw new IOException(source + ": only Ed25519 EdDSA keys are supported");
            }
            return new OctetKeyPair.Builder(Curve.Ed25519, Ed25519JdkVerifier.rawKey(key)).build();
        }
        throw new IOException(source + ": unsupported key type " + key.getAlgorithm());
    }
}
