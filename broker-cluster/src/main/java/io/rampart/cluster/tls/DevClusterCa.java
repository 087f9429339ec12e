package io.rampart.cluster.tls;

import io.rampart.tls.KeyMaterials;
import io.rampart.tls.TlsConfigException;
import io.rampart.tls.TlsSettings;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The development mode of {@code cluster.tls}: a cluster CA in a directory (generated when missing) and this node's
 * certificate signed by it. Every node given the same directory (a copy, or a shared volume) trusts the others. The CA's
 * key sits next to its certificate, so anyone who can read the directory can join: for trying a cluster out only.
 */
public final class DevClusterCa {

    private static final Logger LOG = LogManager.getLogger(DevClusterCa.class);
    static final String CA_CERT = "ca-cert.pem";
    static final String CA_KEY = "ca-key.pem";
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration NODE_VALIDITY = Duration.ofDays(365);

    private DevClusterCa() {
    }

    /** The material of this node: its key material (certificate signed by the CA) and the CA as trust. */
    public record Material(TlsSettings.KeyMaterial keyMaterial, TlsSettings.TrustMaterial trust) {
    }

    /** Generates what is missing in {@code dir} (the CA once, this node's certificate when absent or not the CA's). */
    public static Material ensure(Path dir, String nodeName) throws TlsConfigException {
        Path caCert = dir.resolve(CA_CERT);
        Path caKey = dir.resolve(CA_KEY);
        Path nodeCert = dir.resolve(nodeName + "-cert.pem");
        Path nodeKey = dir.resolve(nodeName + "-key.pem");
        try {
            Files.createDirectories(dir);
            // Nodes sharing the directory may start together: one generates the CA, the others wait and reuse it.
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
                boolean newCa = !Files.exists(caCert) || !Files.exists(caKey);
                if (newCa) {
                    generateCa(caCert, caKey);
                }
                X509Certificate ca = KeyMaterials.certificates(caCert).get(0);
                PrivateKey caPrivate = KeyMaterials.privateKey(caKey, null);
                if (!Files.exists(nodeCert) || !Files.exists(nodeKey) || !issuedBy(nodeCert, ca)) {
                    generateNode(nodeName, ca, caPrivate, nodeCert, nodeKey);
                }
                LOG.warn("cluster TLS in development mode: {} the cluster CA {}; every node holding this CA and its key"
                                + " can join. For production set cluster.tls.certificate, private-key and trust",
                        newCa ? "generated" : "using", caCert);
            }
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new TlsConfigException(dir + ": cannot create the development cluster CA (" + e.getMessage() + ")", e);
        }
        return new Material(TlsSettings.KeyMaterial.pem(nodeCert, nodeKey, null),
                new TlsSettings.TrustMaterial(caCert, null, null));
    }

    private static boolean issuedBy(Path cert, X509Certificate ca) throws TlsConfigException {
        List<X509Certificate> certs = KeyMaterials.certificates(cert);
        if (certs.isEmpty()) {
            return false;
        }
        try {
            certs.get(0).verify(ca.getPublicKey());
            return certs.get(0).getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(7)));
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void generateCa(Path certFile, Path keyFile)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        KeyPair pair = keyPair();
        X500Name name = new X500Name("CN=Rampart development cluster CA");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate cert = sign(b, pair.getPrivate());
        write(keyFile, pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate()), true);
        write(certFile, pem(cert), false);
    }

    private static void generateNode(String nodeName, X509Certificate ca, PrivateKey caKey, Path certFile, Path keyFile)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        KeyPair pair = keyPair();
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(NODE_VALIDITY)),
                new X500Name("CN=" + nodeName + ",O=Rampart development cluster"), pair.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[]{
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                new GeneralName(GeneralName.dNSName, nodeName)));
        X509Certificate cert = sign(b, caKey);
        write(keyFile, pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate()), true);
        write(certFile, pem(cert) + pem(ca), false);
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        return gen.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
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
}
