package io.rampart.security.realm.jwt;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/** The TLS context for fetching keys: the JDK's default trust, or CA certificates from PEM or PKCS#12. */
final class TrustStores {

    private TrustStores() {
    }

    static SSLContext sslContext(Path trust, String password) throws IOException, GeneralSecurityException {
        if (trust == null) {
            return SSLContext.getDefault();
        }
        KeyStore store;
        String name = trust.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".p12") || name.endsWith(".pfx") || name.endsWith(".pkcs12")) {
            store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(trust)) {
                store.load(in, password == null ? null : password.toCharArray());
            }
        } else {
            store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            Collection<? extends Certificate> certs;
            try (InputStream in = Files.newInputStream(trust)) {
                certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certs.isEmpty()) {
                throw new IOException(trust + ": no PEM certificate in the file");
            }
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("ca-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
