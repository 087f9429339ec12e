package io.rampart.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClientCertificatesTest {

    @Test
    void certificateVariables_coverSubjectSansIssuerSerialFingerprintAndExpiry() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = gen.generateKeyPair();
        Instant notAfter = Instant.parse("2030-01-02T03:04:05Z");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                new X500Name("O=Acme,CN=Device CA"), BigInteger.valueOf(0x1f3a), Date.from(Instant.now()),
                Date.from(notAfter), new X500Name("O=Acme,OU=berlin,OU=sensors,CN=dev-1"), keys.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                new GeneralName(GeneralName.dNSName, "dev-1.example.com"),
                new GeneralName(GeneralName.dNSName, "dev-1.local"),
                new GeneralName(GeneralName.uniformResourceIdentifier, "urn:device:1"),
                new GeneralName(GeneralName.rfc822Name, "dev-1@example.com")}));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));

        Map<String, String> vars = ClientCertificates.certificateVariables(cert);

        assertThat(vars).containsEntry("tls-subject-cn", "dev-1")
                .containsEntry("tls-subject-o", "Acme")
                .containsEntry("tls-subject-ou", "berlin,sensors")
                .containsEntry("tls-subject-dn", "CN=dev-1,OU=sensors,OU=berlin,O=Acme")
                .containsEntry("tls-san-dns", "dev-1.example.com,dev-1.local")
                .containsEntry("tls-san-uri", "urn:device:1")
                .containsEntry("tls-san-email", "dev-1@example.com")
                .containsEntry("tls-serial", "1f3a")
                .containsEntry("tls-issuer-cn", "Device CA")
                .containsEntry("tls-issuer-dn", "CN=Device CA,O=Acme")
                .containsEntry("tls-not-after", "2030-01-02T03:04:05Z")
                .containsEntry("tls-fingerprint-sha256", ClientCertificates.fingerprint(cert));
        assertThat(vars.get("tls-fingerprint-sha256")).hasSize(64);
    }

    @Test
    void absentFields_areNotSet() throws Exception {
        KeyMaterials.Loaded dev = DevCertificate.selfSigned("solo");
        Map<String, String> vars = ClientCertificates.certificateVariables(dev.chain()[0]);
        assertThat(vars).doesNotContainKeys("tls-subject-ou", "tls-san-uri", "tls-san-email");
        assertThat(vars).containsEntry("tls-san-dns", "localhost");
    }
}
