package io.rampart.cluster.tls;

import io.rampart.cluster.ClusterSettings;
import io.rampart.tls.KeyMaterials;
import io.rampart.tls.TlsConfigException;
import io.rampart.tls.TlsSettings;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The TLS context of the cluster transport: TLS 1.3 only, this node's certificate for both directions, and a trust
 * manager that accepts only certificates the cluster's trust vouches for (logging every refusal). The node's own
 * certificate must pass the same check, or the node refuses to start.
 */
public final class ClusterTls {

    public static final String PROTOCOL = "TLSv1.3";
    private static final char[] IN_MEMORY = "rampart-cluster".toCharArray();

    private ClusterTls() {
    }

    /**
     * The context for this node; in development mode the CA and this node's certificate are generated first.
     *
     * @throws TlsConfigException naming the setting ({@code certificate}, {@code trust}, ...) when the material cannot be used
     */
    public static SSLContext context(ClusterSettings settings, TlsStats stats) throws TlsConfigException {
        ClusterSettings.Tls tls = settings.tls();
        TlsSettings.KeyMaterial keyMaterial = tls.keyMaterial();
        TlsSettings.TrustMaterial trust = tls.trust();
        if (tls.development()) {
            DevClusterCa.Material dev = DevClusterCa.ensure(tls.developmentCa(), settings.nodeName());
            keyMaterial = dev.keyMaterial();
            trust = dev.trust();
        }
        KeyMaterials.Loaded own = KeyMaterials.load(keyMaterial);
        List<X509Certificate> anchors = trust.keystore() != null
                ? KeyMaterials.pkcs12Certificates(trust.keystore(), trust.keystorePassword())
                : KeyMaterials.certificates(trust.certificates());
        if (anchors.isEmpty()) {
            throw new TlsConfigException("trust", trust.file() + ": contains no certificate", null);
        }
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("node", own.key(), IN_MEMORY, own.chain());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(keys, IN_MEMORY);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (int i = 0; i < anchors.size(); i++) {
                trusted.setCertificateEntry("ca-" + i, anchors.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trusted);
            X509ExtendedTrustManager checker = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    checker = x;
                }
            }
            if (checker == null) {
                throw new TlsConfigException("trust", "no X.509 trust manager available", null);
            }
            try {
                checker.checkClientTrusted(own.chain(), "UNKNOWN");
            } catch (CertificateException e) {
                throw new TlsConfigException("certificate", "this node's certificate ("
                        + own.chain()[0].getSubjectX500Principal().getName() + ") is not vouched for by the cluster's"
                        + " trust " + trust.file() + ": " + e.getMessage(), e);
            }
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(kmf.getKeyManagers(), new TrustManager[]{new NodeTrustManager(checker, stats)}, null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TlsConfigException(null, "cannot build the cluster's TLS context: " + e.getMessage(), e);
        }
    }
}
