package io.rampart.server.it.support;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test certificate authority made with Bouncy Castle: server and client certificates (PEM files, PKCS#12,
 * encrypted PKCS#8), CRLs, the index file {@code openssl ocsp} reads, and client {@link SSLContext}s.
 * Everything is generated into a directory of the test; nothing is committed.
 */
public final class TlsPki {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
    private static final DateTimeFormatter INDEX_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path caPem;
    private final List<Issued> issued = new ArrayList<>();

    /** A certificate with its key and files. */
    public record Issued(X509Certificate cert, PrivateKey key, Path certPem, Path keyPem) {
        public BigInteger serial() {
            return cert.getSerialNumber();
        }
    }

    /** What a client certificate carries besides its CN. */
    public record ClientSpec(String cn, String o, List<String> ous, List<String> sanUris, List<String> sanEmails,
                             String crlUrl, String ocspUrl, Instant notBefore, Instant notAfter) {
        public static ClientSpec of(String cn) {
            return new ClientSpec(cn, null, List.of(), List.of(), List.of(), null, null, null, null);
        }

        public ClientSpec ou(String... units) {
            return new ClientSpec(cn, o, List.of(units), sanUris, sanEmails, crlUrl, ocspUrl, notBefore, notAfter);
        }

        public ClientSpec org(String org) {
            return new ClientSpec(cn, org, ous, sanUris, sanEmails, crlUrl, ocspUrl, notBefore, notAfter);
        }

        public ClientSpec uris(String... uris) {
            return new ClientSpec(cn, o, ous, List.of(uris), sanEmails, crlUrl, ocspUrl, notBefore, notAfter);
        }

        public ClientSpec emails(String... emails) {
            return new ClientSpec(cn, o, ous, sanUris, List.of(emails), crlUrl, ocspUrl, notBefore, notAfter);
        }

        public ClientSpec crl(String url) {
            return new ClientSpec(cn, o, ous, sanUris, sanEmails, url, ocspUrl, notBefore, notAfter);
        }

        public ClientSpec ocsp(String url) {
            return new ClientSpec(cn, o, ous, sanUris, sanEmails, crlUrl, url, notBefore, notAfter);
        }

        public ClientSpec valid(Instant from, Instant to) {
            return new ClientSpec(cn, o, ous, sanUris, sanEmails, crlUrl, ocspUrl, from, to);
        }
    }

    private TlsPki(Path dir, String name) throws Exception {
        this.dir = dir;
        this.name = name;
        Files.createDirectories(dir);
        this.caKeys = ecKeys();
        X500Name subject = new X500Name("CN=" + name + " Test CA,O=Rampart tests");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
                caKeys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign
                | KeyUsage.digitalSignature));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
        this.ca = sign(b, caKeys.getPrivate());
        this.caPem = dir.resolve(name + "-ca.pem");
        write(caPem, pem(ca));
    }

    /** A new CA whose files go to {@code dir}. */
    public static TlsPki create(Path dir, String name) {
        try {
            return new TlsPki(dir, name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate caCert() {
        return ca;
    }

    public Path caPem() {
        return caPem;
    }

    public Path caKeyPem() {
        Path p = dir.resolve(name + "-ca-key.pem");
        if (!Files.exists(p)) {
            write(p, pem(caKeys.getPrivate()));
        }
        return p;
    }

    /** A server certificate for {@code cn} with SAN DNS names, localhost and 127.0.0.1. */
    public Issued server(String cn, String... dnsNames) {
        try {
            KeyPair keys = ecKeys();
            JcaX509v3CertificateBuilder b = leafBuilder(new X500Name("CN=" + cn), keys, Instant.now().minus(Duration.ofHours(1)),
                    Instant.now().plus(Duration.ofDays(10)));
            List<GeneralName> names = new ArrayList<>();
            for (String dns : dnsNames) {
                names.add(new GeneralName(GeneralName.dNSName, dns));
            }
            names.add(new GeneralName(GeneralName.dNSName, "localhost"));
            names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            return save(cn, sign(b, caKeys.getPrivate()), keys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server certificate naming an OCSP responder (AIA), for stapling. */
    public Issued serverWithOcsp(String cn, String ocspUrl) {
        try {
            KeyPair keys = ecKeys();
            JcaX509v3CertificateBuilder b = leafBuilder(new X500Name("CN=" + cn), keys, Instant.now().minus(Duration.ofHours(1)),
                    Instant.now().plus(Duration.ofDays(10)));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                    new AccessDescription(AccessDescription.id_ad_ocsp,
                            new GeneralName(GeneralName.uniformResourceIdentifier, ocspUrl))));
            return save(cn, sign(b, caKeys.getPrivate()), keys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PEM file with the certificate of {@code i} followed by this CA's certificate. */
    public Path chainPem(Issued i) {
        Path p = Path.of(i.certPem().toString().replace(".pem", "-chain.pem"));
        write(p, pem(i.cert()) + pem(ca));
        return p;
    }

    public Issued client(String cn) {
        return client(ClientSpec.of(cn));
    }

    public Issued client(ClientSpec spec) {
        try {
            KeyPair keys = ecKeys();
            StringBuilder dn = new StringBuilder("CN=" + spec.cn());
            for (String ou : spec.ous()) {
                dn.append(",OU=").append(ou);
            }
            if (spec.o() != null) {
                dn.append(",O=").append(spec.o());
            }
            Instant from = spec.notBefore() != null ? spec.notBefore() : Instant.now().minus(Duration.ofHours(1));
            Instant to = spec.notAfter() != null ? spec.notAfter() : Instant.now().plus(Duration.ofDays(10));
            JcaX509v3CertificateBuilder b = leafBuilder(new X500Name(dn.toString()), keys, from, to);
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            List<GeneralName> sans = new ArrayList<>();
            spec.sanUris().forEach(u -> sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, u)));
            spec.sanEmails().forEach(u -> sans.add(new GeneralName(GeneralName.rfc822Name, u)));
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            if (spec.crlUrl() != null) {
                DistributionPoint dp = new DistributionPoint(new DistributionPointName(new GeneralNames(
                        new GeneralName(GeneralName.uniformResourceIdentifier, spec.crlUrl()))), null, null);
                b.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[]{dp}));
            }
            if (spec.ocspUrl() != null) {
                b.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                        new AccessDescription(AccessDescription.id_ad_ocsp,
                                new GeneralName(GeneralName.uniformResourceIdentifier, spec.ocspUrl()))));
            }
            return save(spec.cn(), sign(b, caKeys.getPrivate()), keys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JcaX509v3CertificateBuilder leafBuilder(X500Name subject, KeyPair keys, Instant from, Instant to)
            throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(from), Date.from(to),
                subject, keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
        return b;
    }

    private Issued save(String cn, X509Certificate cert, PrivateKey key) {
        String base = name + "-" + cn.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + cert.getSerialNumber().toString(16);
        Path certPem = dir.resolve(base + ".pem");
        Path keyPem = dir.resolve(base + "-key.pem");
        write(certPem, pem(cert));
        write(keyPem, pem(key));
        Issued i = new Issued(cert, key, certPem, keyPem);
        synchronized (issued) {
            issued.add(i);
        }
        return i;
    }

    /** A CRL of this CA revoking {@code revoked}, valid from now until {@code nextUpdate} from now. */
    public X509CRL crl(Duration nextUpdate, Issued... revoked) {
        try {
            Instant now = Instant.now();
            X509v2CRLBuilder b = new X509v2CRLBuilder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                    Date.from(now.minus(Duration.ofMinutes(1))));
            b.setNextUpdate(Date.from(now.plus(nextUpdate)));
            for (Issued r : revoked) {
                b.addCRLEntry(r.serial(), Date.from(now.minus(Duration.ofMinutes(1))), CRLReason.keyCompromise);
            }
            b.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca));
            return new JcaX509CRLConverter().getCRL(b.build(new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(caKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a CRL as PEM in one step (beside the target, then renamed). */
    public void writeCrl(Path file, X509CRL crl) {
        write(file, pem(crl));
    }

    /**
     * Writes the index file {@code openssl ocsp -index} reads: every certificate issued so far is valid ("V"),
     * except {@code revoked} ("R"). Certificates issued by another CA are unknown to it.
     */
    public void writeOcspIndex(Path file, Issued... revoked) {
        StringBuilder b = new StringBuilder();
        List<BigInteger> revokedSerials = new ArrayList<>();
        for (Issued r : revoked) {
            revokedSerials.add(r.serial());
        }
        synchronized (issued) {
            for (Issued i : issued) {
                boolean isRevoked = revokedSerials.contains(i.serial());
                String hex = i.serial().toString(16).toUpperCase();
                if (hex.length() % 2 == 1) {
                    hex = "0" + hex;
                }
                b.append(isRevoked ? 'R' : 'V').append('\t')
                        .append(INDEX_TIME.format(i.cert().getNotAfter().toInstant())).append('\t')
                        .append(isRevoked ? INDEX_TIME.format(Instant.now().minus(Duration.ofMinutes(1))) + ",keyCompromise" : "")
                        .append('\t').append(hex).append("\tunknown\t")
                        .append("/CN=").append(i.cert().getSubjectX500Principal().getName()
                                .replaceFirst("^CN=", "").replace(",", "/")).append('\n');
            }
        }
        write(file, b.toString());
        write(Path.of(file + ".attr"), "unique_subject = no\n");
    }

    /** A PKCS#12 file holding the key and certificate of {@code i}. */
    public Path pkcs12(Issued i, String password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("key", i.key(), password.toCharArray(), new java.security.cert.Certificate[]{i.cert(), ca});
            Path p = Path.of(i.certPem().toString().replace(".pem", ".p12"));
            try (OutputStream out = Files.newOutputStream(p)) {
                ks.store(out, password.toCharArray());
            }
            return p;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS#12 trust store holding this CA's certificate. */
    public Path trustPkcs12(String password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", ca);
            Path p = dir.resolve(name + "-trust.p12");
            try (OutputStream out = Files.newOutputStream(p)) {
                ks.store(out, password.toCharArray());
            }
            return p;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key of {@code i} as encrypted PKCS#8 PEM. */
    public Path encryptedKey(Issued i, String password) {
        try {
            JcaPKCS8Generator gen = new JcaPKCS8Generator(i.key(), new JceOpenSSLPKCS8EncryptorBuilder(
                    org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC).setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                    .setPassword(password.toCharArray()).build());
            Path p = Path.of(i.keyPem().toString().replace("-key.pem", "-key-enc.pem"));
            write(p, pem(gen.generate()));
            return p;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client TLS context trusting this CA, presenting {@code client} (or no certificate when {@code null}). */
    public SSLContext clientContext(Issued client, String... protocols) {
        try {
            TrustManagerFactory tmf = trustManagers();
            KeyManagerFactory kmf = keyManagers(client);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public TrustManagerFactory trustManagers() {
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            return tmf;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public KeyManagerFactory keyManagers(Issued client) {
        if (client == null) {
            return null;
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", client.key(), "pw".toCharArray(), new java.security.cert.Certificate[]{client.cert()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "pw".toCharArray());
            return kmf;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return gen.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet()).shiftLeft(8).add(BigInteger.valueOf(RANDOM.nextInt(255) + 1));
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA")
                .build(key)));
    }

    static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o instanceof PrivateKey k ? new JcaPKCS8Generator(k, null).generate() : o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Replaces a file in one step, as editors and deployment tools do. */
    public static void write(Path file, String content) {
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".tls-", ".tmp");
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
