package io.rampart.security.realm.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS towards the directory: LDAPS and StartTLS listeners of an in-memory server, one with a certificate for
 * {@code localhost} and one with a certificate only for {@code ldap.example.org}, reached as {@code localhost}. The
 * realm connects only when the certificate is from the trusted CA <em>and</em> names the host it connected to (no
 * trust-all, no skipped host-name check), for LDAPS and StartTLS alike. (The SDK's host-name check accepts any
 * certificate for a numeric loopback address, so these tests use the name.)
 */
class LdapTlsTest {

    @TempDir
    static Path dir;
    private static InMemoryDirectoryServer server;
    private static Path caPem;
    private static Path otherCaPem;

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        KeyPair caKeys = ec.generateKeyPair();
        X509Certificate ca = cert("CN=Test CA", caKeys, "CN=Test CA", caKeys, null);
        KeyPair otherKeys = ec.generateKeyPair();
        X509Certificate other = cert("CN=Other CA", otherKeys, "CN=Other CA", otherKeys, null);
        KeyPair keys = ec.generateKeyPair();
        X509Certificate good = cert("CN=directory", keys, "CN=Test CA", caKeys,
                new GeneralName(GeneralName.dNSName, "localhost"));
        X509Certificate misnamed = cert("CN=ldap.example.org", keys, "CN=Test CA", caKeys,
                new GeneralName(GeneralName.dNSName, "ldap.example.org"));
        caPem = pem(dir.resolve("ca.pem"), ca);
        otherCaPem = pem(dir.resolve("other.pem"), other);

        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(InMemoryDirectory.BASE);
        config.setSchema(null);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        SSLContext goodTls = serverTls(keys, good, ca);
        SSLContext misnamedTls = serverTls(keys, misnamed, ca);
        config.setListenerConfigs(
                InMemoryListenerConfig.createLDAPSConfig("ldaps-good", loopback, 0, goodTls.getServerSocketFactory(), null),
                InMemoryListenerConfig.createLDAPConfig("starttls-good", loopback, 0, goodTls.getSocketFactory()),
                InMemoryListenerConfig.createLDAPSConfig("ldaps-misnamed", loopback, 0,
                        misnamedTls.getServerSocketFactory(), null),
                InMemoryListenerConfig.createLDAPConfig("starttls-misnamed", loopback, 0, misnamedTls.getSocketFactory()));
        server = new InMemoryDirectoryServer(config);
        server.importFromLDIF(true, InMemoryDirectory.exampleLdif().toFile());
        server.startListening();
    }

    @AfterAll
    static void stop() {
        server.shutDown(true);
    }

    @ParameterizedTest
    @CsvSource({"ldaps-good,true,ca,ALLOW", "starttls-good,false,ca,ALLOW",
            "ldaps-good,true,other,UNAVAILABLE", "starttls-good,false,other,UNAVAILABLE",
            "ldaps-misnamed,true,ca,UNAVAILABLE", "starttls-misnamed,false,ca,UNAVAILABLE"})
    void connectsOnlyToATrustedCertificateThatNamesTheServer(String listener, boolean ldaps, String trust,
                                                             String expected) throws Exception {
        String url = (ldaps ? "ldaps" : "ldap") + "://localhost:" + server.getListenPort(listener);
        LdapRealmSettings settings = new LdapRealmSettings("tls", List.of(URI.create(url)), !ldaps, false,
                new LdapRealmSettings.Trust("pem", trust.equals("ca") ? caPem : otherCaPem, null), null, null,
                LdapRealmTest.template(null), null, new LdapRealmSettings.PermissionSource(false, null), 1,
                Duration.ofSeconds(1), Duration.ofSeconds(2), 10, Duration.ofSeconds(60), Duration.ZERO);
        try (LdapRealm realm = new LdapRealm(settings)) {
            Decision<Identity> d = realm.authenticator("tls").authenticate(new AuthenticationRequest(
                    new IdentityVariables().set(IdentityVariables.USERNAME, "sensor-1").freeze(),
                    "sensor-1-secret".getBytes(StandardCharsets.UTF_8))).toCompletableFuture().get(5, TimeUnit.SECONDS);
            if (expected.equals("ALLOW")) {
                assertThat(d).isInstanceOf(Decision.Allow.class);
            } else {
                assertThat(d).isInstanceOfSatisfying(Decision.Deny.class,
                        deny -> assertThat(deny.kind()).isEqualTo(Decision.DenyKind.UNAVAILABLE));
            }
        }
    }

    private static SSLContext serverTls(KeyPair keys, X509Certificate cert, X509Certificate ca) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", keys.getPrivate(), "pw".toCharArray(), new X509Certificate[]{cert, ca});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "pw".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        return tls;
    }

    private static X509Certificate cert(String subject, KeyPair keys, String issuer, KeyPair issuerKeys,
                                        GeneralName san) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(3600)),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name(subject), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(san == null));
        if (san != null) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static Path pem(Path file, X509Certificate cert) throws Exception {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(cert);
        }
        return Files.writeString(file, s.toString());
    }
}
