package io.rampart.tls;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/**
 * The self-signed certificate a TLS listener uses when no key material is configured: generated once into
 * the data directory ({@code tls/dev-cert.pem}, {@code tls/dev-key.pem}), for {@code localhost},
 * {@code 127.0.0.1} and {@code ::1}, and announced with its SHA-256 fingerprint. For development only.
 */
public final class DevCertificate {

    private static final Logger LOG = LogManager.getLogger(DevCertificate.class);
    public static final String CERT_FILE = "dev-cert.pem";
    public static final String KEY_FILE = "dev-key.pem";
    private static final Duration VALIDITY = Duration.ofDays(365);

    private DevCertificate() {
    }

    /** The development key material in {@code dir}, generated when missing or about to expire. */
    public static synchronized TlsSettings.KeyMaterial ensure(Path dir, String listener) throws TlsConfigException {
        Path cert = dir.resolve(CERT_FILE);
        Path key = dir.resolve(KEY_FILE);
        boolean generated = false;
        try {
            if (!Files.exists(cert) || !Files.exists(key) || expiresSoon(cert)) {
                generate(dir, cert, key);
                generated = true;
            }
            X509Certificate c = KeyMaterials.certificates(cert).get(0);
            LOG.warn("listener '{}' uses the {} self-signed TLS certificate {} (SHA-256 fingerprint {}):"
                            + " for development only; configure tls.certificate and tls.private-key for production",
                    listener, generated ? "newly generated" : "generated", cert, colonHex(ClientCertificates.fingerprint(c)));
        } catch (IOException | java.security.GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new TlsConfigException(dir + ": cannot create the development certificate (" + e.getMessage() + ")", e);
        }
        return TlsSettings.KeyMaterial.pem(cert, key, null);
    }

    private static boolean expiresSoon(Path cert) throws TlsConfigException {
        List<X509Certificate> certs = KeyMaterials.certificates(cert);
        return certs.isEmpty() || certs.get(0).getNotAfter().toInstant().isBefore(Instant.now().plus(Duration.ofDays(7)));
    }

    private static void generate(Path dir, Path cert, Path key) throws IOException,
            java.security.GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        Files.createDirectories(dir);
        KeyMaterials.Loaded generated = selfSigned("localhost");
        write(key, pem(generated.key()), true);
        write(cert, pem(generated.chain()[0]), false);
    }

    /** A new self-signed EC P-256 certificate for {@code cn}, localhost, 127.0.0.1 and ::1. */
    static KeyMaterials.Loaded selfSigned(String cn) throws java.security.GeneralSecurityException,
            org.bouncycastle.operator.OperatorCreationException, IOException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = gen.generateKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=" + cn + ",O=Rampart development certificate");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), name, pair.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")}));
        X509Certificate c = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        return new KeyMaterials.Loaded(pair.getPrivate(), new X509Certificate[]{c});
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o instanceof java.security.PrivateKey k
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null).generate() : o);
        }
        return out.toString();
    }

    private static void write(Path file, String content, boolean secret) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".dev-", ".tmp");
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
        }
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String colonHex(String hex) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) {
            if (i > 0) {
                b.append(':');
            }
            b.append(hex, i, i + 2);
        }
        return b.toString().toUpperCase(java.util.Locale.ROOT);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
