package io.rampart.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Certificates for the unit tests of this module, made with Bouncy Castle. */
public final class TestCertificates {

    private TestCertificates() {
    }

    /** A leaf certificate and the CA certificate that signed it. */
    public static X509Certificate[] leafAndIssuer() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ca = gen.generateKeyPair();
        KeyPair leaf = gen.generateKeyPair();
        Instant now = Instant.now();
        X500Name caName = new X500Name("CN=Unit CA");
        JcaX509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE,
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), caName, ca.getPublic());
        caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509Certificate caCert = new JcaX509CertificateConverter().getCertificate(
                caBuilder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));
        JcaX509v3CertificateBuilder leafBuilder = new JcaX509v3CertificateBuilder(caName, BigInteger.TWO,
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
                new X500Name("CN=unit-leaf"), leaf.getPublic());
        X509Certificate leafCert = new JcaX509CertificateConverter().getCertificate(
                leafBuilder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));
        return new X509Certificate[]{leafCert, caCert};
    }
}
